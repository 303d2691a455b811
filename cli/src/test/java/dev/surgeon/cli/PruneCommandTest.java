package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code surgeon prune --method magnitude}: exact counts, groups, N:M, exclusions, dtypes, report and inspect. */
class PruneCommandTest {
    @TempDir
    Path tmp;

    private Path model(String name, int blocks, int h, int inter, DType dtype) throws IOException {
        return BlockModels.write(tmp.resolve(name), PruneModels.llama(blocks, h, inter), n -> dtype, 7);
    }

    private static boolean prunable(String name) {
        return name.contains("_proj.weight");
    }

    @Test
    void matrixGroupIsExactPerTensorAndTheRestIsUntouched() throws IOException {
        Path in = model("bf16", 2, 4, 6, DType.BF16);
        Path out = tmp.resolve("out");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.3", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        Path inFile = in.resolve("model.safetensors");
        Path outFile = out.resolve("model.safetensors");
        assertThat(PruneModels.names(outFile)).containsExactlyElementsOf(PruneModels.names(inFile));
        long pruned = 0;
        long prunable = 0;
        for (String name : PruneModels.names(inFile)) {
            assertThat(PruneModels.dtype(outFile, name)).as(name).isEqualTo(DType.BF16);
            if (!prunable(name)) {
                // embeddings, lm_head and norms are copied byte for byte
                assertThat(PruneModels.bytes(outFile, name)).as(name).isEqualTo(PruneModels.bytes(inFile, name));
                continue;
            }
            float[] before = PruneModels.floats(inFile, name);
            float[] after = PruneModels.floats(outFile, name);
            int k = (int) Math.floor(before.length * 0.3 + 1e-9);
            assertThat(PruneModels.zeros(after)).as(name).isEqualTo(k);
            // the pruned ones are the k smallest |w|; the rest are unchanged
            float maxPruned = 0;
            float minKept = Float.MAX_VALUE;
            for (int i = 0; i < before.length; i++) {
                if (after[i] == 0) {
                    maxPruned = Math.max(maxPruned, Math.abs(before[i]));
                } else {
                    assertThat(after[i]).isEqualTo(before[i]);
                    minKept = Math.min(minKept, Math.abs(before[i]));
                }
            }
            assertThat(maxPruned).isLessThanOrEqualTo(minKept);
            pruned += k;
            prunable += before.length;
        }
        JsonObject r = run.json();
        assertThat(r.get("command").getAsString()).isEqualTo("prune");
        assertThat(r.get("method").getAsString()).isEqualTo("magnitude");
        JsonObject params = r.getAsJsonObject("params");
        assertThat(params.get("group").getAsString()).isEqualTo("matrix");
        assertThat(params.get("ratio").getAsDouble()).isEqualTo(0.3);
        JsonObject s = r.getAsJsonObject("summary");
        long all = s.get("params_before").getAsLong();
        assertThat(s.get("pruned").getAsLong()).isEqualTo(pruned);
        assertThat(s.get("prunable").getAsLong()).isEqualTo(prunable);
        assertThat(s.get("params_after").getAsLong()).isEqualTo(all - pruned);
        assertThat(s.get("sparsity").getAsDouble()).isEqualTo((double) pruned / prunable);
        assertThat(s.get("sparsity_total").getAsDouble()).isEqualTo((double) pruned / all);
        assertThat(s.get("peak_rss_bytes").getAsLong()).isPositive();
        assertThat(r.getAsJsonArray("blocks")).hasSize(2);
        assertThat(r.getAsJsonArray("tensors")).hasSize(14);
        JsonObject t0 = r.getAsJsonArray("tensors").get(0).getAsJsonObject();
        assertThat(t0.get("name").getAsString()).isEqualTo("model.layers.0.self_attn.q_proj.weight");
        assertThat(t0.get("dtype").getAsString()).isEqualTo("BF16");
        assertThat(t0.get("pruned").getAsLong()).isEqualTo(4); // ⌊16 × 0.3⌋
        assertThat(r.getAsJsonArray("outputs")).isNotEmpty();
        assertThat(r.has("nm")).isFalse();
        String recipe = PruneModels.names(outFile).isEmpty() ? "" : metadata(outFile).get("surgeon.recipe");
        assertThat(recipe).contains("\"command\":\"prune\"").contains("\"ratio\":0.3").contains("\"group\":\"matrix\"");
    }

    @Test
    void inspectStatsShowsTheSparsityTheReportGives() throws IOException {
        Path in = model("m", 3, 4, 6, DType.BF16);
        Path out = tmp.resolve("out");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.45", "--group", "row", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        CommandRun inspect = CommandRun.of("inspect", out.toString(), "--stats", "--json");
        assertThat(inspect.code()).as(inspect.toString()).isZero();
        JsonObject report = run.json();
        JsonObject seen = inspect.json();
        Map<String, Double> zeroFraction = new HashMap<>();
        for (JsonElement e : seen.getAsJsonObject("model").getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            zeroFraction.put(t.get("name").getAsString(), t.getAsJsonObject("stats").get("zero_fraction").getAsDouble());
        }
        for (JsonElement e : report.getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            assertThat(zeroFraction.get(t.get("name").getAsString())).as(t.get("name").getAsString())
                    .isEqualTo(t.get("sparsity").getAsDouble());
        }
        JsonArray rb = report.getAsJsonArray("blocks");
        JsonArray ib = seen.getAsJsonArray("blocks");
        assertThat(ib).hasSize(rb.size());
        for (int i = 0; i < rb.size(); i++) {
            assertThat(ib.get(i).getAsJsonObject().get("sparsity").getAsDouble())
                    .isEqualTo(rb.get(i).getAsJsonObject().get("sparsity").getAsDouble());
            assertThat(ib.get(i).getAsJsonObject().get("prunable").getAsLong())
                    .isEqualTo(rb.get(i).getAsJsonObject().get("weights").getAsLong());
        }
        JsonObject rs = report.getAsJsonObject("summary");
        assertThat(seen.getAsJsonObject("model").get("sparsity").getAsDouble()).isEqualTo(rs.get("sparsity").getAsDouble());
        assertThat(seen.getAsJsonObject("model").get("sparsity_total").getAsDouble())
                .isEqualTo(rs.get("sparsity_total").getAsDouble());

        CommandRun human = CommandRun.of("inspect", out.toString(), "--stats");
        assertThat(human.out()).contains("sparsity").contains("zeros of the prunable weights");
    }

    @Test
    void rowGroupCountsEveryRowAndGlobalCountsTheModel() throws IOException {
        Path in = model("m", 2, 8, 12, DType.F32);
        Path rows = tmp.resolve("rows.safetensors");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.3", "--group", "row", "-o", rows.toString(), "-q");
        assertThat(run.code()).as(run.toString()).isZero();
        for (Map.Entry<String, long[]> e : PruneModels.llama(2, 8, 12).entrySet()) {
            if (!prunable(e.getKey())) {
                continue;
            }
            int r = (int) e.getValue()[0];
            int c = (int) e.getValue()[1];
            float[] v = PruneModels.floats(rows, e.getKey());
            for (int row = 0; row < r; row++) {
                int z = PruneModels.zeros(java.util.Arrays.copyOfRange(v, row * c, row * c + c));
                assertThat(z).as(e.getKey() + " row " + row).isEqualTo((int) Math.floor(c * 0.3 + 1e-9));
            }
        }
        Path global = tmp.resolve("global.safetensors");
        run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.37", "--group", "global", "-o", global.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        long n = 0;
        long z = 0;
        for (String name : PruneModels.names(global)) {
            if (prunable(name)) {
                float[] v = PruneModels.floats(global, name);
                n += v.length;
                z += PruneModels.zeros(v);
            }
        }
        assertThat(z).isEqualTo((long) Math.floor(n * 0.37));
        assertThat(run.json().getAsJsonObject("summary").get("pruned").getAsLong()).isEqualTo(z);
    }

    @Test
    void nmPatternsAreValidAndVerified() throws IOException {
        Path in = model("m", 2, 8, 16, DType.BF16);
        for (String nm : new String[] {"2:4", "4:8", "1:4"}) {
            int n = Integer.parseInt(nm.split(":")[0]);
            int m = Integer.parseInt(nm.split(":")[1]);
            Path out = tmp.resolve("nm-" + n + "-" + m + ".safetensors");
            CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--nm", nm, "-o", out.toString(), "--json");
            assertThat(run.code()).as(run.toString()).isZero();
            JsonObject r = run.json();
            assertThat(r.get("nm").getAsString()).isEqualTo(nm);
            assertThat(r.get("nm_verified").getAsBoolean()).isTrue();
            assertThat(r.getAsJsonObject("summary").get("sparsity").getAsDouble()).isEqualTo((double) n / m);
            for (Map.Entry<String, long[]> e : PruneModels.llama(2, 8, 16).entrySet()) {
                if (!prunable(e.getKey())) {
                    continue;
                }
                int cols = (int) e.getValue()[1];
                float[] v = PruneModels.floats(out, e.getKey());
                for (int start = 0; start < v.length; start += m) {
                    assertThat(start % cols % m).isZero();
                    assertThat(PruneModels.zeros(java.util.Arrays.copyOfRange(v, start, start + m))).isEqualTo(n);
                }
            }
        }
        // --ratio may repeat N/M
        assertThat(CommandRun.of("prune", in.toString(), "--method", "magnitude", "--nm", "2:4", "--ratio", "0.5", "-q", "-o",
                tmp.resolve("r.safetensors").toString()).code()).isZero();
    }

    @Test
    void shardedOutputIsPrunedAndVerified() throws IOException {
        Path in = model("m", 2, 8, 16, DType.F32);
        Path out = tmp.resolve("sharded");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--nm", "2:4", "--max-shard-size", "1K", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.json().get("nm_verified").getAsBoolean()).isTrue();
        assertThat(run.json().getAsJsonArray("outputs").size()).isGreaterThan(3);
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        CommandRun inspect = CommandRun.of("inspect", out.toString(), "--stats", "--json");
        assertThat(inspect.json().getAsJsonObject("model").get("sparsity").getAsDouble()).isEqualTo(0.5);
    }

    @Test
    void gpt2Conv1DIsPrunedInItsLogicalOrientation() throws IOException {
        int h = 4;
        Path in = PruneModels.gpt2(tmp.resolve("gpt2"), h);
        Path out = tmp.resolve("gpt2-pruned.safetensors");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--group", "row", "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        Path inFile = in.resolve("model.safetensors");
        for (String name : PruneModels.names(inFile)) {
            boolean weight = name.matches(".*\\.(c_attn|c_proj|c_fc)\\.weight");
            if (!weight) {
                assertThat(PruneModels.bytes(out, name)).as(name).isEqualTo(PruneModels.bytes(inFile, name));
                continue;
            }
            long[] stored = PruneModels.shape(inFile, name); // [in, out]
            int in_ = (int) stored[0];
            int outs = (int) stored[1];
            float[] v = PruneModels.floats(out, name);
            // logical row j (output j) is stored column j: it keeps in - ⌊in/2⌋ of its in weights
            for (int j = 0; j < outs; j++) {
                int z = 0;
                for (int i = 0; i < in_; i++) {
                    z += v[i * outs + j] == 0f ? 1 : 0;
                }
                assertThat(z).as(name + " output " + j).isEqualTo(in_ / 2);
            }
        }
        assertThat(run.json().getAsJsonArray("tensors")).hasSize(8);
        Path nm = tmp.resolve("gpt2-24.safetensors");
        CommandRun n24 = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--nm", "2:4", "-o", nm.toString(), "--json");
        assertThat(n24.code()).as(n24.toString()).isZero();
        assertThat(n24.json().get("nm_verified").getAsBoolean()).isTrue();
    }

    @Test
    void includeAndExcludeChooseTheTensors() throws IOException {
        Path in = model("m", 2, 4, 6, DType.F32);
        Path inFile = in.resolve("model.safetensors");
        Path out = tmp.resolve("x.safetensors");
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--exclude", "mlp\\.", "--include", "lm_head",
                "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.toString()).isZero();
        for (String name : PruneModels.names(inFile)) {
            boolean touched = name.contains("self_attn") || name.equals("lm_head.weight");
            if (touched) {
                assertThat(PruneModels.zeros(PruneModels.floats(out, name))).as(name)
                        .isEqualTo(PruneModels.floats(inFile, name).length / 2);
            } else {
                assertThat(PruneModels.bytes(out, name)).as(name).isEqualTo(PruneModels.bytes(inFile, name));
            }
        }
        assertThat(run.json().getAsJsonArray("tensors")).hasSize(9);
    }

    @Test
    void dtypeCastsEveryFloatTensorAndOutputsAreReproducible() throws IOException {
        Path in = model("m", 2, 4, 6, DType.BF16);
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        assertThat(CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--dtype", "f32", "--threads", "1", "-q", "-o", a.toString()).code()).isZero();
        assertThat(CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.5", "--dtype", "f32", "--threads", "3", "-q", "-o", b.toString()).code()).isZero();
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        Path inFile = in.resolve("model.safetensors");
        for (String name : PruneModels.names(inFile)) {
            assertThat(PruneModels.dtype(a, name)).isEqualTo(DType.F32);
            float[] before = PruneModels.floats(inFile, name);
            float[] after = PruneModels.floats(a, name);
            for (int i = 0; i < before.length; i++) {
                if (after[i] != 0) {
                    assertThat(after[i]).isEqualTo(before[i]);
                }
            }
        }
    }

    @Test
    void defaultOutputIsASiblingNamedPruned() throws IOException {
        Path in = model("tiny", 1, 4, 6, DType.F32);
        CommandRun run = CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.25", "-q");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(tmp.resolve("tiny-pruned/model.safetensors")).exists();
        assertThat(tmp.resolve("tiny-pruned/config.json")).exists();
        assertThat(run.out()).contains("block").contains("sparsity");
        // an existing output is refused without --force (exit 4), replaced with it
        assertThat(CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.25", "-q").code()).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(CommandRun.of("prune", in.toString(), "--method", "magnitude", "--ratio", "0.25", "-q", "--force").code()).isZero();
    }

    private static Map<String, String> metadata(Path file) {
        try (dev.surgeon.io.safetensors.SafetensorsFile f = dev.surgeon.io.safetensors.SafetensorsFile.open(file)) {
            return f.metadata();
        }
    }
}
