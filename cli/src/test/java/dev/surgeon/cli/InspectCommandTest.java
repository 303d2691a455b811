package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

class InspectCommandTest {
    @TempDir
    Path tmp;

    /** Sum of numel over a safetensors header, parsed here independently of the reader. */
    private static long paramsOf(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject h = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        long total = 0;
        for (Map.Entry<String, JsonElement> e : h.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            long p = 1;
            for (JsonElement d : e.getValue().getAsJsonObject().getAsJsonArray("shape")) {
                p *= d.getAsLong();
            }
            total += p;
        }
        return total;
    }

    @Test
    void gpt2FixtureJsonGivesArchitectureBlocksAndParams() throws Exception {
        Path dir = SharedFixtures.real("gpt2-tiny-random-lmhead");
        CommandRun r = CommandRun.of("inspect", dir.toString(), "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject j = r.json();
        assertThat(j.get("command").getAsString()).isEqualTo("inspect");
        JsonObject m = j.getAsJsonObject("model");
        assertThat(m.get("architecture").getAsString()).isEqualTo("gpt2");
        assertThat(m.get("blocks").getAsInt()).isEqualTo(5);
        assertThat(m.get("config_blocks").getAsInt()).isEqualTo(5);
        long params = paramsOf(dir.resolve("model.safetensors"));
        assertThat(params).isEqualTo(111_968);
        assertThat(m.get("params").getAsLong()).isEqualTo(params);
        assertThat(m.getAsJsonObject("dtypes").getAsJsonObject("F32").get("params").getAsLong()).isEqualTo(params);
        assertThat(m.get("bytes").getAsLong()).isEqualTo(params * 4);
        assertThat(m.getAsJsonObject("roles").has("attn_qkv")).isTrue();
        assertThat(m.has("tensors")).isFalse();
        assertThat(j.getAsJsonArray("blocks")).hasSize(5);
        assertThat(j.getAsJsonArray("blocks").get(0).getAsJsonObject().get("index").getAsInt()).isZero();
        assertThat(j.getAsJsonArray("warnings")).isEmpty();
        assertThat(j.getAsJsonArray("inputs").get(0).getAsJsonObject().get("tensors").getAsInt()).isEqualTo(64);
    }

    @Test
    void gpt2FixtureHumanOutputIsAnAlignedSummary() {
        Path dir = SharedFixtures.real("gpt2-tiny-random-lmhead");
        CommandRun r = CommandRun.of("inspect", dir.toString(), "--tensors");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("architecture  gpt2").contains("blocks        5 (config.json: 5)")
                .contains("parameters    111,968").contains("transformer.h.4.mlp.c_fc.weight")
                .containsPattern("F32\\s+64\\s+111,968\\s+447,872");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void configThatDisagreesIsAWarningNotAnError() {
        Path dir = SharedFixtures.real("minicpm3-synthetic-llamalike");
        CommandRun r = CommandRun.of("inspect", dir.toString(), "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("surgeon: warning: config.json declares 62 blocks but the weights hold 1");
        JsonObject j = r.json();
        assertThat(j.getAsJsonObject("model").get("blocks").getAsInt()).isEqualTo(1);
        assertThat(j.getAsJsonObject("model").get("config_blocks").getAsInt()).isEqualTo(62);
        assertThat(j.getAsJsonArray("warnings").toString())
                .contains("62 blocks").contains("hidden_size is 2560").contains("vocab_size is 73448")
                .contains("intermediate_size is 6400");
    }

    @Test
    void statsCountNanInfZerosAndGiveMoments() throws Exception {
        // finite values 0, 0, 1, -2, 3, 0: mean 1/3, population variance 14/6 - 1/9 = 20/9
        Path f = SmallModels.write(tmp.resolve("s.safetensors"),
                SmallModels.tensor("w", DType.F32, new long[] {2, 4}, 0, 0, 1, -2, Double.NaN, Double.POSITIVE_INFINITY, 3, 0),
                opaque("packed", DType.F8_E8M0, 2));
        CommandRun r = CommandRun.of("inspect", f.toString(), "--stats", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject w = null;
        JsonObject packed = null;
        for (JsonElement e : r.json().getAsJsonObject("model").getAsJsonArray("tensors")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("name").getAsString().equals("w")) {
                w = o;
            } else {
                packed = o;
            }
        }
        JsonObject s = w.getAsJsonObject("stats");
        assertThat(s.get("nan").getAsLong()).isEqualTo(1);
        assertThat(s.get("inf").getAsLong()).isEqualTo(1);
        assertThat(s.get("zeros").getAsLong()).isEqualTo(3);
        assertThat(s.get("zero_fraction").getAsDouble()).isEqualTo(3.0 / 8);
        assertThat(s.get("min").getAsDouble()).isEqualTo(-2);
        assertThat(s.get("max").getAsDouble()).isEqualTo(3);
        assertThat(s.get("mean").getAsDouble()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(s.get("std").getAsDouble()).isCloseTo(Math.sqrt(20.0 / 9), within(1e-15));
        assertThat(packed.get("stats").isJsonNull()).isTrue(); // not decodable: no statistics
        assertThat(packed.get("stats_note").getAsString()).contains("F8_E8M0");

        CommandRun human = CommandRun.of("inspect", f.toString(), "--stats");
        assertThat(human.code()).isZero();
        assertThat(human.out()).containsPattern("w\\s+F32\\s+\\[2, 4\\].*-2\\s+3\\s+0\\.333333\\s+1\\.49071\\s+37\\.5%\\s+1\\s+1")
                .contains("no statistics for F8_E8M0");
    }

    @Test
    void headerOnlyWithoutStats() throws Exception {
        // The data is cut short after opening would be caught by any read; inspect reads none.
        Path f = SmallModels.write(tmp.resolve("h.safetensors"),
                SmallModels.tensor("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {4}, 1, 2, 3, 4));
        CommandRun r = CommandRun.of("inspect", f.toString(), "--tensors", "--json");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject t = r.json().getAsJsonObject("model").getAsJsonArray("tensors").get(0).getAsJsonObject();
        assertThat(t.get("dtype").getAsString()).isEqualTo("BF16");
        assertThat(t.get("block").getAsInt()).isZero();
        assertThat(t.get("role").getAsString()).isEqualTo("mlp_up");
        assertThat(t.get("bytes").getAsLong()).isEqualTo(8);
        assertThat(t.has("stats")).isFalse();
    }

    @Test
    void invalidFileExits3AndMissingExits4() throws Exception {
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        CommandRun r = CommandRun.of("inspect", bad.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("surgeon: error: ").contains("bad.safetensors");
        assertThat(CommandRun.of("inspect", tmp.resolve("nope").toString()).code()).isEqualTo(4);
        assertThat(CommandRun.of("inspect").code()).isEqualTo(2);
    }

    @Test
    void helpStatesEveryDefault() {
        CommandRun r = CommandRun.of("inspect", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--tensors").contains("--stats").contains("Default: off");
    }

    private static PlannedTensor opaque(String name, DType dtype, int bytes) {
        return new PlannedTensor(name, dtype, new long[] {bytes}, sink -> sink.write(ByteBuffer.allocate(bytes)));
    }
}
