package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class DiffCommandTest {
    @TempDir
    Path tmp;

    private Path[] pair() throws Exception {
        // A = [1, 2, 3, 4], B = [1, 0, 3, 8]: ||d||^2 = 20, ||A||^2 = 30, ||B||^2 = 74, A.B = 42
        Path a = SmallModels.write(tmp.resolve("a/model.safetensors"),
                SmallModels.tensor("model.layers.0.mlp.up_proj.weight", DType.F32, new long[] {2, 2}, 1, 2, 3, 4),
                SmallModels.tensor("model.layers.1.mlp.up_proj.weight", DType.F32, new long[] {2}, 0, 0),
                SmallModels.tensor("model.norm.weight", DType.F32, new long[] {2}, 0, 0),
                SmallModels.tensor("only.in.a", DType.F32, new long[] {1}, 1),
                SmallModels.tensor("reshaped", DType.F32, new long[] {2}, 1, 1));
        Path b = SmallModels.write(tmp.resolve("b/model.safetensors"),
                SmallModels.tensor("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {2, 2}, 1, 0, 3, 8),
                SmallModels.tensor("model.layers.1.mlp.up_proj.weight", DType.F32, new long[] {2}, 0, 0),
                SmallModels.tensor("model.norm.weight", DType.F32, new long[] {2}, 1, 0),
                SmallModels.tensor("only.in.b", DType.F32, new long[] {1}, 1),
                SmallModels.tensor("reshaped", DType.F32, new long[] {1, 2}, 1, 1));
        return new Path[] {a, b};
    }

    @Test
    void jsonGivesHandComputedNormsRelativeAndCosine() throws Exception {
        Path[] ab = pair();
        CommandRun r = CommandRun.of("diff", ab[0].toString(), ab[1].toString(), "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject j = r.json();
        assertThat(j.get("command").getAsString()).isEqualTo("diff");
        JsonArray ts = j.getAsJsonArray("tensors");
        assertThat(ts).hasSize(3);
        JsonObject t = ts.get(0).getAsJsonObject();
        assertThat(t.get("name").getAsString()).isEqualTo("model.layers.0.mlp.up_proj.weight");
        assertThat(t.get("dtype_a").getAsString()).isEqualTo("F32");
        assertThat(t.get("dtype_b").getAsString()).isEqualTo("BF16");
        assertThat(t.get("norm_delta").getAsDouble()).isCloseTo(Math.sqrt(20), within(1e-12));
        assertThat(t.get("relative").getAsDouble()).isCloseTo(Math.sqrt(20.0 / 30), within(1e-12));
        assertThat(t.get("cosine").getAsDouble()).isCloseTo(42 / Math.sqrt(30 * 74.0), within(1e-12));
        assertThat(t.get("max_abs_delta").getAsDouble()).isEqualTo(4);
        assertThat(t.get("block").getAsInt()).isZero();

        JsonObject zero = ts.get(1).getAsJsonObject(); // both all-zero
        assertThat(zero.get("relative").getAsDouble()).isZero();
        assertThat(zero.get("cosine").getAsDouble()).isEqualTo(1);
        JsonObject fromZero = ts.get(2).getAsJsonObject(); // A zero, B not
        assertThat(fromZero.get("block").isJsonNull()).isTrue(); // outside blocks
        assertThat(fromZero.get("relative").isJsonNull()).isTrue(); // x/0 is infinite: strict JSON writes null
        assertThat(fromZero.get("cosine").getAsDouble()).isZero();

        assertThat(j.getAsJsonArray("only_in_a").toString()).isEqualTo("[\"only.in.a\"]");
        assertThat(j.getAsJsonArray("only_in_b").toString()).isEqualTo("[\"only.in.b\"]");
        JsonArray mm = j.getAsJsonArray("mismatches");
        assertThat(mm).hasSize(2);
        assertThat(mm.get(0).getAsJsonObject().get("kind").getAsString()).isEqualTo("dtype");
        assertThat(mm.get(1).getAsJsonObject().get("name").getAsString()).isEqualTo("reshaped");
        assertThat(mm.get(1).getAsJsonObject().get("kind").getAsString()).isEqualTo("shape");

        JsonArray blocks = j.getAsJsonArray("blocks");
        assertThat(blocks).hasSize(2);
        JsonObject b0 = blocks.get(0).getAsJsonObject();
        assertThat(b0.get("index").getAsInt()).isZero();
        assertThat(b0.get("norm_delta").getAsDouble()).isCloseTo(Math.sqrt(20), within(1e-12));
        assertThat(b0.get("norm_a").getAsDouble()).isCloseTo(Math.sqrt(30), within(1e-12));
        assertThat(b0.get("relative").getAsDouble()).isCloseTo(Math.sqrt(20.0 / 30), within(1e-12));
        JsonObject b1 = blocks.get(1).getAsJsonObject();
        assertThat(b1.get("relative").getAsDouble()).isZero();
        assertThat(j.getAsJsonObject("summary").get("identical").getAsBoolean()).isFalse();
    }

    @Test
    void humanOutputIsSortedWithABlockTable() throws Exception {
        Path[] ab = pair();
        CommandRun r = CommandRun.of("diff", ab[0].toString(), ab[1].toString());
        assertThat(r.code()).as(r.toString()).isZero();
        String out = r.out();
        assertThat(out.indexOf("model.layers.0.mlp.up_proj.weight")).isLessThan(out.indexOf("model.layers.1.mlp.up_proj.weight"));
        assertThat(out.indexOf("model.layers.1.mlp.up_proj.weight")).isLessThan(out.indexOf("model.norm.weight"));
        assertThat(out).contains("F32->BF16").contains("only in A (1)").contains("only in B (1)")
                .contains("reshaped: shape [2] vs [1, 2]").containsPattern("(?m)^0\\s+1\\s+4\\.47214\\s+5\\.47723\\s+0\\.816497")
                .containsPattern("(?m)^all\\s+3\\s").contains("differ: ");
    }

    @Test
    void sameModelIsIdenticalAndExitsZero() {
        Path dir = SharedFixtures.real("gpt2-tiny-random-lmhead");
        CommandRun r = CommandRun.of("diff", dir.toString(), dir.resolve("model.safetensors").toString(), "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject s = r.json().getAsJsonObject("summary");
        assertThat(s.get("identical").getAsBoolean()).isTrue();
        assertThat(s.get("tensors_compared").getAsInt()).isEqualTo(64);
        assertThat(s.get("cosine").getAsDouble()).isCloseTo(1, within(1e-12));
        assertThat(r.json().getAsJsonArray("blocks")).hasSize(5);
    }

    @Test
    void invalidFileExits3() throws Exception {
        Path[] ab = pair();
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        CommandRun r = CommandRun.of("diff", ab[0].toString(), bad.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("bad.safetensors");
        assertThat(CommandRun.of("diff", ab[0].toString()).code()).isEqualTo(2);
    }
}
