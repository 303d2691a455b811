package dev.surgeon.ops.inspect;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.TensorInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ConfigCheck} with structured pruning's per-block MLP widths ({@code intermediate_sizes}). */
class ConfigCheckTest {
    private static final int D = 8;

    @Test
    void perBlockWidthsMatchingTheWeightsGiveNoWarning() {
        assertThat(warnings("\"intermediate_size\":24,\"intermediate_sizes\":[10,24,20]", 10, 24, 20)).isEmpty();
    }

    @Test
    void aMismatchingListIsWarnedPerBlock() {
        assertThat(warnings("\"intermediate_size\":24,\"intermediate_sizes\":[10,24,21]", 10, 24, 20))
                .singleElement().asString().contains("intermediate_sizes").contains("block 2: 21 vs 20");
        assertThat(warnings("\"intermediate_size\":24,\"intermediate_sizes\":[10,24]", 10, 24, 20))
                .singleElement().asString().contains("lists 2 widths").contains("3 blocks");
    }

    @Test
    void withoutAListDifferentWidthsStillWarn() {
        assertThat(warnings("\"intermediate_size\":24", 10, 24, 20)).singleElement().asString()
                .contains("intermediate_size is 24");
        assertThat(warnings("\"intermediate_size\":24", 24, 24, 24)).isEmpty();
    }

    /** Warnings for a LLaMA whose block b has MLP width widths[b]. */
    private static List<String> warnings(String mlpKeys, int... widths) {
        List<TensorInfo> ts = new ArrayList<>();
        long at = 0;
        ts.add(new TensorInfo("model.embed_tokens.weight", DType.F32, new long[] {40, D}, at, at += 40L * D * 4));
        for (int b = 0; b < widths.length; b++) {
            String p = "model.layers." + b + ".mlp.";
            int w = widths[b];
            ts.add(new TensorInfo(p + "gate_proj.weight", DType.F32, new long[] {w, D}, at, at += (long) w * D * 4));
            ts.add(new TensorInfo(p + "up_proj.weight", DType.F32, new long[] {w, D}, at, at += (long) w * D * 4));
            ts.add(new TensorInfo(p + "down_proj.weight", DType.F32, new long[] {D, w}, at, at += (long) w * D * 4));
        }
        JsonObject config = JsonParser.parseString("{\"model_type\":\"llama\",\"hidden_size\":" + D + ",\"vocab_size\":40,"
                + "\"num_hidden_layers\":" + widths.length + "," + mlpKeys + "}").getAsJsonObject();
        LayerMap map = new LayerMap(ts.stream().map(TensorInfo::name).toList(), config);
        return ConfigCheck.warnings(config, map, ts);
    }
}
