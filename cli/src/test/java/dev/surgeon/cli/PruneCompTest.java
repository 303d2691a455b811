package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code surgeon prune --method comp} end to end on a seeded random LLaMA (4 blocks, hidden 32,
 * MLP 64): the output is smaller, loads through the runner, its config says what was removed, the
 * report lists the candidates and blocks; the statistics path; and the errors, each with no output.
 */
class PruneCompTest {
    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void setUp() {
        model = SynthModels.llama(tmp.resolve("m"), 4, 64);
    }

    private CommandRun comp(Path out, String... args) {
        List<String> a = new ArrayList<>(List.of("prune", model.toString(), "--calib", "self", "--samples", "4",
                "--seq-len", "16", "-o", out.toString(), "--json"));
        a.addAll(List.of(args));
        return CommandRun.of(a.toArray(String[]::new));
    }

    private static JsonObject config(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    }

    @Test
    void autoWritesASmallerModelThatEvaluatesAndReportsEveryCandidate() throws IOException {
        Path out = tmp.resolve("auto");
        // 4 blocks of 9,280 parameters in 41,248: at 0.3 one whole block fits the budget
        CommandRun run = comp(out, "--ratio", "0.3");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        assertThat(r.get("method").getAsString()).isEqualTo("comp");
        JsonObject s = r.getAsJsonObject("summary");
        long before = s.get("params_before").getAsLong();
        long after = s.get("params_after").getAsLong();
        // within one neuron's parameters (3 × hidden) per block of the target
        assertThat(Math.abs((before - after) - (long) Math.floor(0.3 * before))).isLessThanOrEqualTo(4L * 3 * 32);
        JsonArray cands = r.getAsJsonArray("candidates");
        assertThat(cands.size()).isGreaterThanOrEqualTo(2);
        int chosen = 0;
        double best = Double.MAX_VALUE;
        for (JsonElement e : cands) {
            JsonObject c = e.getAsJsonObject();
            if (c.has("calibration_nll")) {
                best = Math.min(best, c.get("calibration_nll").getAsDouble());
            }
            chosen += c.get("chosen").getAsBoolean() ? 1 : 0;
        }
        assertThat(chosen).isEqualTo(1);
        assertThat(s.get("calibration_nll").getAsDouble()).isEqualTo(best);
        JsonObject cfg = config(out);
        assertThat(cfg.get("num_hidden_layers").getAsInt()).isEqualTo(s.get("blocks_after").getAsInt());
        long params = 0;
        for (String name : PruneModels.names(out.resolve("model.safetensors"))) {
            long n = 1;
            for (long d : PruneModels.shape(out.resolve("model.safetensors"), name)) {
                n *= d;
            }
            params += n;
        }
        assertThat(params).isEqualTo(after);
        Path ids = tmp.resolve("ids.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < 4; w++) {
            sb.append('[');
            for (int i = 0; i < 17; i++) {
                sb.append(i == 0 ? "" : ",").append((w * 7 + i * 5) % 64);
            }
            sb.append("]\n");
        }
        Files.writeString(ids, sb.toString());
        CommandRun eval = CommandRun.of("eval", out.toString(), "--data", ids.toString(), "--seq-len", "16", "--json");
        assertThat(eval.code()).as(eval.toString()).isZero();
        assertThat(eval.json().get("mean_nll").getAsDouble()).isFinite();
        for (JsonElement e : r.getAsJsonArray("blocks")) {
            JsonObject b = e.getAsJsonObject();
            if (b.get("tuning").getAsString().equals("tuned")) {
                assertThat(b.get("error_after").getAsDouble()).isLessThanOrEqualTo(b.get("error_before").getAsDouble());
            }
        }
    }

    @Test
    void layerShareOneRemovesABlockAndUniformKeepsOneWidth() throws IOException {
        Path out = tmp.resolve("share");
        CommandRun run = comp(out, "--ratio", "0.3", "--layer-share", "1.0", "--uniform");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject s = run.json().getAsJsonObject("summary");
        assertThat(s.get("blocks_removed").getAsInt()).isGreaterThanOrEqualTo(1);
        assertThat(run.json().getAsJsonArray("candidates").size()).isEqualTo(1);
        JsonObject cfg = config(out);
        assertThat(cfg.get("num_hidden_layers").getAsInt()).isEqualTo(4 - s.get("blocks_removed").getAsInt());
        assertThat(cfg.has("intermediate_sizes")).isFalse();
        int width = cfg.get("intermediate_size").getAsInt();
        Path f = out.resolve("model.safetensors");
        for (int b = 0; b < cfg.get("num_hidden_layers").getAsInt(); b++) {
            assertThat(PruneModels.shape(f, "model.layers." + b + ".mlp.up_proj.weight")).containsExactly(width, 32);
            assertThat(PruneModels.shape(f, "model.layers." + b + ".mlp.down_proj.weight")).containsExactly(32, width);
        }
        assertThat(PruneModels.names(f)).noneMatch(n -> n.startsWith("model.layers." + cfg.get("num_hidden_layers").getAsInt() + "."));
    }

    @Test
    void statsWithGramMatricesPruneWithoutAForwardPassAndNoTuneKeepsScaleOne() throws IOException {
        Path stats = tmp.resolve("m.stats.safetensors");
        assertThat(CommandRun.of("calibrate", model.toString(), "--calib", "self", "--samples", "4", "--seq-len", "16",
                "--gram", "-o", stats.toString(), "-q").code()).isZero();
        Path out = tmp.resolve("stats");
        CommandRun run = CommandRun.of("prune", model.toString(), "--ratio", "0.1", "--stats", stats.toString(),
                "--layer-share", "0", "--no-tune", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().getAsJsonObject("summary").get("blocks_removed").getAsInt()).isZero();
        for (JsonElement e : run.json().getAsJsonArray("blocks")) {
            assertThat(e.getAsJsonObject().get("tuning").getAsString()).isIn("off", "none");
        }
        // untuned: each kept down_proj column equals the input's column exactly
        Path f = out.resolve("model.safetensors");
        long[] shape = PruneModels.shape(f, "model.layers.0.mlp.down_proj.weight");
        assertThat(shape[1]).isLessThan(64);
        float[] cut = PruneModels.floats(f, "model.layers.0.mlp.down_proj.weight");
        float[] full = PruneModels.floats(model.resolve("model.safetensors"), "model.layers.0.mlp.down_proj.weight");
        float[] gate = PruneModels.floats(f, "model.layers.0.mlp.gate_proj.weight");
        float[] gateFull = PruneModels.floats(model.resolve("model.safetensors"), "model.layers.0.mlp.gate_proj.weight");
        int kept = (int) shape[1];
        for (int j = 0; j < kept; j++) {
            int src = -1;
            for (int i = 0; i < 64 && src < 0; i++) {
                if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(gateFull, i * 32, i * 32 + 32),
                        java.util.Arrays.copyOfRange(gate, j * 32, j * 32 + 32))) {
                    src = i;
                }
            }
            assertThat(src).as("kept neuron " + j + " is an input neuron").isNotNegative();
            for (int row = 0; row < 32; row++) {
                assertThat(cut[row * kept + j]).isEqualTo(full[row * 64 + src]);
            }
        }
        // auto needs calibration NLLs: with statistics only, a usage error
        Path out2 = tmp.resolve("stats2");
        CommandRun auto = CommandRun.of("prune", model.toString(), "--ratio", "0.1", "--stats", stats.toString(),
                "-o", out2.toString());
        assertThat(auto.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(auto.err()).contains("--layer-share");
        assertThat(out2).doesNotExist();
    }

    @Test
    void aSingleFileOutputWarnsThatItCarriesNoConfig() {
        Path out = tmp.resolve("one.safetensors");
        CommandRun run = comp(out, "--ratio", "0.3", "--layer-share", "1.0");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().getAsJsonArray("warnings").toString()).contains("no config.json");
        assertThat(PruneModels.names(out)).noneMatch(n -> n.startsWith("model.layers.3."));
    }

    @Test
    void errorsHaveTheirExitCodeAndLeaveNoOutput() throws IOException {
        Path out = tmp.resolve("bad");
        String[][] usage = {
                {"--ratio", "0.2", "--nm", "2:4"},
                {"--ratio", "0.2", "--layer-share", "1.5"},
                {"--ratio", "0.2", "--layer-share", "most"},
                {"--ratio", "0.2", "--neuron-score", "random"},
                {"--ratio", "0.2", "--max-scale-var", "0"},
                {"--ratio", "0.2", "--include", "q_proj"},
                {"--ratio", "1.0"},
                {},
        };
        for (String[] args : usage) {
            CommandRun run = comp(out, args);
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(out).doesNotExist();
        }
        // GPT-2 has no gated MLP: invalid input, pointing to the methods that work
        Path gpt2 = SynthModels.gpt2(tmp.resolve("g"), 2);
        CommandRun g = CommandRun.of("prune", gpt2.toString(), "--ratio", "0.2", "-o", out.toString());
        assertThat(g.code()).as(g.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(g.err()).contains("--method magnitude");
        assertThat(out).doesNotExist();
        // no config.json: no forward pass; the message points to --stats and magnitude
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        Files.copy(model.resolve("model.safetensors"), bare.resolve("model.safetensors"));
        CommandRun b = CommandRun.of("prune", bare.toString(), "--ratio", "0.2", "-o", out.toString());
        assertThat(b.code()).as(b.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(b.err()).contains("--stats").contains("--method magnitude");
        assertThat(b.err().trim().lines().count()).isEqualTo(1);
        assertThat(out).doesNotExist();
    }
}
