package dev.surgeon.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.ops.mask.MaskFile;
import dev.surgeon.ops.mask.Masks;
import dev.surgeon.ops.mask.WeightMask;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code surgeon mask compute} on a seeded LLaMA (3 blocks, hidden 32, 4 query heads in 2 KV
 * groups): weight masks keep exactly the weights strictly above the threshold the order statistic
 * gives, head masks keep whole KV groups (data-free scores checked against the norms computed
 * here), layer masks keep K blocks, and compute → apply → inspect round-trips.
 */
class MaskComputeTest {
    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void setUp() {
        model = SynthModels.llama(tmp.resolve("m"), 3, 48);
    }

    private CommandRun compute(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("mask", "compute", model.toString(), "-o", out.toString(), "--json",
                "--calib", "self", "--samples", "4", "--seq-len", "16"));
        a.addAll(List.of(more));
        if (a.contains("--data-free") && !a.contains("--layers")) {
            a.removeAll(List.of("--calib", "self", "--samples", "4", "--seq-len", "16")); // no calibration then
            a.removeIf(s -> s.equals("4") || s.equals("16"));
        }
        return CommandRun.of(a.toArray(String[]::new));
    }

    @Test
    void weightMasksKeepExactlyTheWeightsAboveTheGlobalThreshold() {
        Path out = tmp.resolve("w.safetensors");
        CommandRun run = CommandRun.of("mask", "compute", model.toString(), "--weights", "0.3", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        Masks m = MaskFile.read(out);
        Path weights = model.resolve("model.safetensors");
        List<Float> all = new ArrayList<>();
        for (String name : m.weights().keySet()) {
            for (float v : PruneModels.floats(weights, name)) {
                all.add(Math.abs(v));
            }
        }
        float[] sorted = new float[all.size()];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = all.get(i);
        }
        Arrays.sort(sorted);
        int k = sorted.length * 7 / 10; // ⌊n·(1 − D)⌋ in exact arithmetic (23040 · 0.7 is 16127.999… in doubles)
        float threshold = sorted[k - 1]; // the k-th smallest
        long kept = 0;
        for (var e : m.weights().entrySet()) {
            float[] v = PruneModels.floats(weights, e.getKey());
            byte[] keep = e.getValue().keep();
            assertThat(e.getValue().shape()).containsExactly(PruneModels.shape(weights, e.getKey()));
            for (int i = 0; i < v.length; i++) {
                assertThat(keep[i] == 1).as(e.getKey() + "[" + i + "]").isEqualTo(Math.abs(v[i]) > threshold);
                kept += keep[i];
            }
        }
        JsonObject s = run.json().getAsJsonObject("summary");
        assertThat(s.get("weights_kept").getAsLong()).isEqualTo(kept);
        assertThat(s.get("weights_total").getAsLong()).isEqualTo(sorted.length);
        assertThat(m.metadata()).containsEntry("format", "surgeon-masks").containsEntry("model", "m");
        assertThat(m.heads()).isEmpty();
        assertThat(m.layers()).isNull();
    }

    @Test
    void perBlockThresholdsKeepTheDensityInEveryBlock() {
        Path out = tmp.resolve("pb.safetensors");
        assertThat(CommandRun.of("mask", "compute", model.toString(), "--weights", "0.5", "--per-block", "-o", out.toString(),
                "-q").code()).isZero();
        Masks m = MaskFile.read(out);
        long[] keep = new long[3];
        long[] total = new long[3];
        for (var e : m.weights().entrySet()) {
            int b = Integer.parseInt(e.getKey().split("\\.")[2]);
            for (byte k : e.getValue().keep()) {
                keep[b] += k;
                total[b]++;
            }
        }
        for (int b = 0; b < 3; b++) {
            assertThat(keep[b]).as("block " + b).isEqualTo(total[b] / 2); // random weights: no ties at the threshold
        }
    }

    @Test
    void dataFreeHeadScoresAreTheNormsAndWholeGroupsAreKept() {
        Path out = tmp.resolve("h.safetensors");
        CommandRun run = CommandRun.of("mask", "compute", model.toString(), "--heads", "0.5", "--data-free", "-o",
                out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        Path weights = model.resolve("model.safetensors");
        int hd = 8;
        for (JsonElement e : run.json().getAsJsonArray("heads")) {
            JsonObject b = e.getAsJsonObject();
            int block = b.get("block").getAsInt();
            float[] o = PruneModels.floats(weights, "model.layers." + block + ".self_attn.o_proj.weight"); // [32, 32]
            float[] v = PruneModels.floats(weights, "model.layers." + block + ".self_attn.v_proj.weight"); // [16, 32]
            double[] expect = new double[2];
            for (int g = 0; g < 2; g++) {
                double vs = 0;
                for (int i = g * hd * 32; i < (g + 1) * hd * 32; i++) {
                    vs += v[i] * v[i];
                }
                double os = 0;
                for (int h = 2 * g; h < 2 * g + 2; h++) {
                    double hs = 0;
                    for (int r = 0; r < 32; r++) {
                        for (int col = h * hd; col < (h + 1) * hd; col++) {
                            hs += o[r * 32 + col] * o[r * 32 + col];
                        }
                    }
                    os += Math.sqrt(hs);
                }
                expect[g] = Math.sqrt(vs) * os;
                assertThat(b.getAsJsonArray("group_scores").get(g).getAsDouble()).isCloseTo(expect[g],
                        org.assertj.core.api.Assertions.within(1e-9 * expect[g]));
            }
            int best = expect[0] >= expect[1] ? 0 : 1;
            assertThat(b.getAsJsonArray("kept_groups").size()).isEqualTo(1);
            assertThat(b.getAsJsonArray("kept_groups").get(0).getAsInt()).isEqualTo(best);
            boolean[] heads = MaskFile.read(out).headsOf(block);
            assertThat(heads).containsExactly(best == 0, best == 0, best == 1, best == 1);
        }
    }

    @Test
    void ablationAndLayersThenApplyAndInspectRoundTrip() throws IOException {
        Path masks = tmp.resolve("hl.safetensors");
        CommandRun run = compute(masks, "--heads", "0.5", "--layers", "2");
        assertThat(run.code()).as(run.toString()).isZero();
        JsonObject r = run.json();
        assertThat(r.getAsJsonArray("heads")).hasSize(3);
        long keptLayers = 0;
        for (JsonElement e : r.getAsJsonArray("layers")) {
            keptLayers += e.getAsJsonObject().get("kept").getAsBoolean() ? 1 : 0;
        }
        assertThat(keptLayers).isEqualTo(2);
        Path out = tmp.resolve("smaller");
        CommandRun apply = CommandRun.of("mask", "apply", model.toString(), masks.toString(), "--mode", "remove",
                "-o", out.toString(), "-q");
        assertThat(apply.code()).as(apply.toString()).isZero();
        JsonObject cfg = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertThat(cfg.get("num_hidden_layers").getAsInt()).isEqualTo(2);
        assertThat(cfg.get("num_attention_heads").getAsInt()).isEqualTo(2);
        assertThat(cfg.get("num_key_value_heads").getAsInt()).isEqualTo(1);
        CommandRun inspect = CommandRun.of("inspect", out.toString(), "--json");
        assertThat(inspect.code()).as(inspect.toString()).isZero();
        assertThat(inspect.json().getAsJsonArray("warnings")).isEmpty();
        assertThat(PruneModels.shape(out.resolve("model.safetensors"), "model.layers.1.self_attn.q_proj.weight"))
                .containsExactly(16, 32);
        assertThat(PruneModels.names(out.resolve("model.safetensors"))).noneMatch(n -> n.startsWith("model.layers.2."));
    }

    @Test
    void badOptionsAreUsageErrorsWithNoOutput() {
        Path out = tmp.resolve("bad.safetensors");
        String[][] cases = {
                {},
                {"--weights", "0"},
                {"--weights", "1.5"},
                {"--heads", "0.4"},        // floor(2 · 0.4) = 0 groups
                {"--layers", "0"},
                {"--layers", "4"},
                {"--per-block", "--heads", "0.5"},
                {"--data-free", "--weights", "0.5"},
                {"--weights", "0.5", "--calib", "self"},
        };
        for (String[] c : cases) {
            List<String> a = new ArrayList<>(List.of("mask", "compute", model.toString(), "-o", out.toString()));
            a.addAll(List.of(c));
            CommandRun run = CommandRun.of(a.toArray(String[]::new));
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(out).doesNotExist();
        }
        CommandRun notFile = CommandRun.of("mask", "compute", model.toString(), "--weights", "0.5", "-o", tmp.resolve("dir").toString());
        assertThat(notFile.code()).isEqualTo(ExitCodes.USAGE);
    }
}
