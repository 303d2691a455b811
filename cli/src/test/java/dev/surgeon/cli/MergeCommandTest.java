package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MergeCommandTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- independent reading

    /** Every F32 tensor of a safetensors file, decoded here from the bytes (header parsed with gson). */
    static Map<String, float[]> f32Tensors(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        JsonObject header = JsonParser.parseString(new String(all, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            if (!t.get("dtype").getAsString().equals("F32")) {
                continue;
            }
            JsonArray off = t.getAsJsonArray("data_offsets");
            int start = 8 + n + off.get(0).getAsInt();
            int count = (off.get(1).getAsInt() - off.get(0).getAsInt()) / 4;
            float[] v = new float[count];
            for (int i = 0; i < count; i++) {
                v[i] = bb.getFloat(start + 4 * i);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static Path testbed() {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared); skipping the testbed merge checks");
        Path p = root.resolve("fixtures/testbed");
        assumeTrue(Files.isDirectory(p.resolve("base")), "testbed missing: " + p + "; skipping");
        return p;
    }

    /**
     * |got - expected| within 1e-6 relative to the size of the terms ({@code scaleRef}: |base| + the magnitudes
     * added to it), since the tool forms task vectors in F32 as DESIGN.md says and the test in double.
     */
    private static void assertClose(String name, float[] got, double[] expected, double[] scaleRef) {
        assertThat(got).as(name).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) {
            double tol = 1e-6 * Math.max(Math.max(Math.abs(expected[i]), Math.abs(scaleRef[i])), 1e-6);
            if (Math.abs(got[i] - expected[i]) > tol) {
                throw new AssertionError(name + "[" + i + "]: got " + got[i] + ", expected " + expected[i]);
            }
        }
    }

    /** |base| + Σ_t |tau_t| per element: the scale of the terms a task-vector merge adds. */
    private static double[] magnitudes(float[] b, List<Map<String, float[]>> fts, String name) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = Math.abs(b[i]);
            for (Map<String, float[]> f : fts) {
                d[i] += Math.abs((double) f.get(name)[i] - b[i]);
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- testbed: task arithmetic and TIES

    @Test
    void taskArithmeticOnTheTestbedMatchesAnIndependentComputation() throws Exception {
        Path tb = testbed();
        Path out = tmp.resolve("ta");
        CommandRun r = CommandRun.of("merge", tb.resolve("base").toString(), tb.resolve("ft-code").toString(),
                tb.resolve("ft-legal").toString(), "--method", "task-arithmetic", "--lambda", "0.7", "--weights", "1,2",
                "-o", out.toString(), "--json", "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        Map<String, float[]> base = f32Tensors(tb.resolve("base/model.safetensors"));
        Map<String, float[]> code = f32Tensors(tb.resolve("ft-code/model.safetensors"));
        Map<String, float[]> legal = f32Tensors(tb.resolve("ft-legal/model.safetensors"));
        Map<String, float[]> got = f32Tensors(out.resolve("model.safetensors"));
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(base.keySet());
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            double[] exp = new double[b.length];
            double[] ref = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                double t1 = (double) code.get(name)[i] - b[i];
                double t2 = (double) legal.get(name)[i] - b[i];
                exp[i] = b[i] + 0.7 * (t1 + 2 * t2);
                ref[i] = Math.abs(b[i]) + 0.7 * (Math.abs(t1) + 2 * Math.abs(t2));
            }
            assertClose(name, got.get(name), exp, ref);
        }
        JsonObject report = r.json();
        assertThat(report.get("method").getAsString()).isEqualTo("task-arithmetic");
        JsonObject params = report.getAsJsonObject("params");
        assertThat(params.get("lambda").getAsDouble()).isEqualTo(0.7);
        assertThat(params.getAsJsonArray("weights").toString()).isEqualTo("[1.0,2.0]");
        assertThat(report.getAsJsonArray("tensors")).hasSize(base.size());
        assertThat(report.getAsJsonArray("blocks")).hasSize(6);
        JsonObject first = report.getAsJsonArray("tensors").get(0).getAsJsonObject();
        assertThat(first.has("name") && first.has("dtype") && first.has("shape") && first.has("scale")).isTrue();
    }

    /** Independent TIES: thresholds by sorting |tau_t| over the whole model, sign by mass, count majority. */
    private static Map<String, double[]> tiesMerged(Map<String, float[]> base, List<Map<String, float[]>> fts, double density,
                                                    float[] thresholdsOut) {
        int tasks = fts.size();
        long n = base.values().stream().mapToLong(v -> v.length).sum();
        long k = (long) Math.floor(density * n);
        float[] thr = new float[tasks];
        for (int t = 0; t < tasks; t++) {
            float[] mags = new float[(int) n];
            int j = 0;
            for (String name : base.keySet()) {
                float[] b = base.get(name);
                float[] f = fts.get(t).get(name);
                for (int i = 0; i < b.length; i++) {
                    mags[j++] = Math.abs(f[i] - b[i]);
                }
            }
            Arrays.sort(mags);
            thr[t] = mags[(int) (n - k)];
            thresholdsOut[t] = thr[t];
        }
        Map<String, float[][]> trimmed = new LinkedHashMap<>();
        long pos = 0;
        long neg = 0;
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            float[][] tr = new float[tasks][b.length];
            for (int t = 0; t < tasks; t++) {
                for (int i = 0; i < b.length; i++) {
                    float tau = fts.get(t).get(name)[i] - b[i];
                    tr[t][i] = Math.abs(tau) >= thr[t] ? tau : 0f;
                }
            }
            for (int i = 0; i < b.length; i++) {
                double s = 0;
                for (int t = 0; t < tasks; t++) {
                    s += tr[t][i];
                }
                pos += s > 0 ? 1 : 0;
                neg += s < 0 ? 1 : 0;
            }
            trimmed.put(name, tr);
        }
        int majority = Long.signum(pos - neg);
        Map<String, double[]> merged = new LinkedHashMap<>();
        for (String name : base.keySet()) {
            float[][] tr = trimmed.get(name);
            double[] m = new double[base.get(name).length];
            for (int i = 0; i < m.length; i++) {
                double s = 0;
                for (int t = 0; t < tasks; t++) {
                    s += tr[t][i];
                }
                int sign = s > 0 ? 1 : s < 0 ? -1 : majority;
                double sum = 0;
                int c = 0;
                for (int t = 0; t < tasks; t++) {
                    if (sign > 0 ? tr[t][i] > 0 : tr[t][i] < 0) {
                        sum += tr[t][i];
                        c++;
                    }
                }
                m[i] = c == 0 ? 0 : sum / c;
            }
            merged.put(name, m);
        }
        return merged;
    }

    @Test
    void tiesOnTheTestbedMatchesASortBasedComputation() throws Exception {
        Path tb = testbed();
        Path out = tmp.resolve("ties");
        CommandRun r = CommandRun.of("merge", tb.resolve("base").toString(), tb.resolve("ft-code").toString(),
                tb.resolve("ft-legal").toString(), "--method", "ties", "--density", "0.2", "--lambda", "0.9",
                "-o", out.toString(), "--json", "-q", "--threads", "3");
        assertThat(r.code()).as(r.toString()).isZero();
        Map<String, float[]> base = f32Tensors(tb.resolve("base/model.safetensors"));
        List<Map<String, float[]>> fts = List.of(f32Tensors(tb.resolve("ft-code/model.safetensors")),
                f32Tensors(tb.resolve("ft-legal/model.safetensors")));
        float[] thr = new float[2];
        Map<String, double[]> merged = tiesMerged(base, fts, 0.2, thr);
        Map<String, float[]> got = f32Tensors(out.resolve("model.safetensors"));
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            double[] exp = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                exp[i] = b[i] + 0.9 * merged.get(name)[i];
            }
            assertClose(name, got.get(name), exp, magnitudes(b, fts, name));
        }
        JsonObject params = r.json().getAsJsonObject("params");
        assertThat(params.getAsJsonArray("thresholds").get(0).getAsFloat()).isEqualTo(thr[0]);
        assertThat(params.getAsJsonArray("thresholds").get(1).getAsFloat()).isEqualTo(thr[1]);
        assertThat(params.get("keep_count").getAsLong()).isEqualTo((long) Math.floor(0.2 * params.get("elements").getAsLong()));
        assertThat(params.getAsJsonObject("sign_election").has("majority_sign")).isTrue();
        JsonObject t0 = r.json().getAsJsonArray("tensors").get(0).getAsJsonObject();
        assertThat(t0.getAsJsonArray("kept_fraction")).hasSize(2);
    }

    @Test
    void tiesWithLinesOnTheTestbedUsesTheL1AlphaAndTheBlockSchedule() throws Exception {
        Path tb = testbed();
        Path out = tmp.resolve("ties-lines");
        CommandRun r = CommandRun.of("merge", tb.resolve("base").toString(), tb.resolve("ft-code").toString(),
                tb.resolve("ft-legal").toString(), "--method", "ties", "--lines", "--beta", "0.4",
                "-o", out.toString(), "--json", "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        Map<String, float[]> base = f32Tensors(tb.resolve("base/model.safetensors"));
        List<Map<String, float[]>> fts = List.of(f32Tensors(tb.resolve("ft-code/model.safetensors")),
                f32Tensors(tb.resolve("ft-legal/model.safetensors")));
        Map<String, double[]> merged = tiesMerged(base, fts, 0.2, new float[2]);
        double l1Sum = 0;
        double l1M = 0;
        for (String name : base.keySet()) {
            float[] b = base.get(name);
            for (int i = 0; i < b.length; i++) {
                l1Sum += Math.abs(((double) fts.get(0).get(name)[i] - b[i]) + ((double) fts.get(1).get(name)[i] - b[i]));
                l1M += Math.abs(merged.get(name)[i]);
            }
        }
        double alpha = 0.5 * l1Sum / l1M;
        JsonObject params = r.json().getAsJsonObject("params");
        assertThat(params.get("alpha").getAsDouble()).isCloseTo(alpha, org.assertj.core.api.Assertions.within(1e-6 * alpha));
        assertThat(params.has("lambda")).isFalse();
        Map<String, float[]> got = f32Tensors(out.resolve("model.safetensors"));
        for (String name : base.keySet()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^model\\.layers\\.(\\d+)\\.").matcher(name);
            double lambda = m.find() ? alpha + 0.4 * Integer.parseInt(m.group(1)) / 5.0 : alpha;
            float[] b = base.get(name);
            double[] exp = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                exp[i] = b[i] + lambda * merged.get(name)[i];
            }
            assertClose(name, got.get(name), exp, magnitudes(b, fts, name));
        }
        JsonArray blocks = r.json().getAsJsonArray("blocks");
        assertThat(blocks.get(5).getAsJsonObject().get("lambda").getAsDouble())
                .isCloseTo(alpha + 0.4, org.assertj.core.api.Assertions.within(1e-6));
    }

    // ---------------------------------------------------------------- small models

    /** A two-block LLaMA-named F32 model plus an I64 buffer, values from the seed, optionally edited. */
    private Path tiny(String dir, long seed, java.util.function.UnaryOperator<List<PlannedTensor>> edit) throws Exception {
        List<PlannedTensor> ts = new ArrayList<>();
        ts.add(TestModels.f32("model.embed_tokens.weight", new long[] {16, 8}, TestModels.random(128, seed)));
        for (int b = 0; b < 2; b++) {
            String p = "model.layers." + b + ".";
            ts.add(TestModels.f32(p + "self_attn.q_proj.weight", new long[] {8, 8}, TestModels.random(64, seed + 10 + b)));
            ts.add(TestModels.f32(p + "mlp.up_proj.weight", new long[] {12, 8}, TestModels.random(96, seed + 20 + b)));
            ts.add(TestModels.f32(p + "input_layernorm.weight", new long[] {8}, TestModels.random(8, seed + 30 + b)));
        }
        ts.add(TestModels.f32("model.norm.weight", new long[] {8}, TestModels.ones(8)));
        ts.add(TestModels.f32("lm_head.weight", new long[] {16, 8}, TestModels.random(128, seed + 99)));
        ts.add(SmallModels.tensor("model.position_ids", DType.I64, new long[] {4}, seed, seed + 1, seed + 2, seed + 3));
        ts = edit.apply(ts);
        Path d = tmp.resolve(dir);
        SmallModels.write(d.resolve("model.safetensors"), ts.toArray(new PlannedTensor[0]));
        Files.writeString(d.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":8,\"intermediate_size\":12,\"num_hidden_layers\":2,\"num_attention_heads\":2,"
                + "\"vocab_size\":16,\"torch_dtype\":\"float32\"}\n");
        return d;
    }

    private Path tiny(String dir, long seed) throws Exception {
        return tiny(dir, seed, l -> l);
    }

    private static List<PlannedTensor> replace(List<PlannedTensor> ts, String name, PlannedTensor with) {
        List<PlannedTensor> out = new ArrayList<>();
        for (PlannedTensor t : ts) {
            if (!t.name().equals(name)) {
                out.add(t);
            } else if (with != null) {
                out.add(with);
            }
        }
        return out;
    }

    @Test
    void mismatchedModelsExitThreeNamingTheTensor() throws Exception {
        Path base = tiny("base", 1);
        Path shape = tiny("shape", 2, l -> replace(l, "model.layers.1.mlp.up_proj.weight",
                TestModels.f32("model.layers.1.mlp.up_proj.weight", new long[] {8, 12}, TestModels.random(96, 5))));
        Path missing = tiny("missing", 3, l -> replace(l, "model.layers.0.self_attn.q_proj.weight", null));
        Path dtype = tiny("dtype", 4, l -> replace(l, "model.norm.weight",
                SmallModels.tensor("model.norm.weight", DType.BF16, new long[] {8}, 1, 1, 1, 1, 1, 1, 1, 1)));
        Path extra = tiny("extra", 5, l -> {
            List<PlannedTensor> m = new ArrayList<>(l);
            m.add(TestModels.f32("model.layers.2.input_layernorm.weight", new long[] {8}, TestModels.ones(8)));
            return m;
        });
        Object[][] cases = {{shape, "model.layers.1.mlp.up_proj.weight"}, {missing, "model.layers.0.self_attn.q_proj.weight"},
                {dtype, "model.norm.weight"}, {extra, "model.layers.2.input_layernorm.weight"}};
        for (Object[] c : cases) {
            for (String method : new String[] {"task-arithmetic", "ties", "slerp"}) {
                Path out = tmp.resolve("out-" + method);
                CommandRun r = CommandRun.of("merge", base.toString(), c[0].toString(), "--method", method, "-o", out.toString());
                assertThat(r.code()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).contains("'" + c[1] + "'");
                assertThat(out).doesNotExist();
            }
        }
    }

    @Test
    void differentBlockCountsExitThree() throws Exception {
        Path base = tiny("base", 1);
        // block counts come from the names, so a missing block is reported as its first missing tensor
        Path fewer = tiny("fewer", 2, l -> {
            List<PlannedTensor> m = new ArrayList<>();
            for (PlannedTensor t : l) {
                if (!t.name().startsWith("model.layers.1.")) {
                    m.add(t);
                }
            }
            return m;
        });
        CommandRun r = CommandRun.of("merge", base.toString(), fewer.toString(), "--method", "task-arithmetic",
                "-o", tmp.resolve("o").toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("tensor 'model.layers.1.").contains("is missing");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path base = tiny("base", 1);
        Path a = tiny("a", 2);
        Path b = tiny("b", 3);
        String o = tmp.resolve("o").toString();
        String[][] cases = {
                {"--method", "ties", "--density", "1.5"},
                {"--method", "ties", "--density", "-0.01"},
                {"--method", "dare", "--drop-rate", "1.01"},
                {"--method", "task-arithmetic", "--weights", "1"},
                {"--method", "task-arithmetic", "--weights", "1,two"},
                {"--method", "task-arithmetic", "--lines", "--lambda", "0.5"},
                {"--method", "slerp"},
                {"--method", "merge-all"},
                {"--method", "ties", "--lambda", "abc"},
                {"--method", "dare", "--then", "slerp"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("merge", base.toString(), a.toString(), b.toString(), "-o", o));
            args.addAll(List.of(c));
            CommandRun r = CommandRun.of(args.toArray(new String[0]));
            assertThat(r.code()).as(String.join(" ", c) + "\n" + r).isEqualTo(2);
            assertThat(r.err()).contains("surgeon: ");
        }
        for (String[] c : new String[][] {{"--t", "0,1.5"}, {"--t", "0;1"}, {"--lines"}, {"--t", ""}}) {
            List<String> args = new ArrayList<>(List.of("merge", base.toString(), a.toString(), "--method", "slerp", "-o", o));
            args.addAll(List.of(c));
            CommandRun r = CommandRun.of(args.toArray(new String[0]));
            assertThat(r.code()).as(String.join(" ", c) + "\n" + r).isEqualTo(2);
        }
        CommandRun noMethod = CommandRun.of("merge", base.toString(), a.toString(), "-o", o);
        assertThat(noMethod.code()).isEqualTo(2);
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void integerTensorsAreCopiedFromBaseAndFloatsKeepTheirDtype() throws Exception {
        Path base = tiny("base", 1);
        Path a = tiny("a", 2);
        Path out = tmp.resolve("out");
        CommandRun r = CommandRun.of("merge", base.toString(), a.toString(), "--method", "ties", "-o", out.toString(), "--json", "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        try (Checkpoint in = Checkpoint.open(base.toString()); Checkpoint res = Checkpoint.open(out.toString())) {
            var ref = res.tensor("model.position_ids");
            assertThat(ref.info().dtype()).isEqualTo(DType.I64);
            ByteBuffer got = ref.file().readAll(ref.info());
            ByteBuffer exp = in.tensor("model.position_ids").file().readAll(in.tensor("model.position_ids").info());
            assertThat(got).isEqualTo(exp);
            assertThat(res.tensor("lm_head.weight").info().dtype()).isEqualTo(DType.F32);
        }
        boolean copiedReported = false;
        for (JsonElement e : r.json().getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            if (t.get("name").getAsString().equals("model.position_ids")) {
                copiedReported = t.get("copied").getAsBoolean();
            }
        }
        assertThat(copiedReported).isTrue();
    }

    @Test
    void dtypeOptionCastsEveryFloatTensor() throws Exception {
        Path base = tiny("base", 1);
        Path a = tiny("a", 2);
        Path out = tmp.resolve("out");
        CommandRun r = CommandRun.of("merge", base.toString(), a.toString(), "--method", "task-arithmetic", "--dtype", "bf16",
                "-o", out.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        try (Checkpoint res = Checkpoint.open(out.toString())) {
            res.tensors().values().forEach(t -> assertThat(t.info().dtype())
                    .isEqualTo(t.name().equals("model.position_ids") ? DType.I64 : DType.BF16));
        }
        assertThat(Files.readString(out.resolve("config.json"))).contains("bfloat16");
    }

    @Test
    void dareIsSeededDeterministicAndRecorded() throws Exception {
        Path base = tiny("base", 1);
        Path a = tiny("a", 2);
        Path b = tiny("b", 3);
        List<byte[]> outs = new ArrayList<>();
        for (String threads : new String[] {"1", "3"}) {
            Path out = tmp.resolve("dare-" + threads + ".safetensors");
            CommandRun r = CommandRun.of("merge", base.toString(), a.toString(), b.toString(), "--method", "dare",
                    "--drop-rate", "0.5", "--then", "ties", "--seed", "17", "--threads", threads, "-o", out.toString(), "--json", "-q");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.json().get("seed").getAsLong()).isEqualTo(17);
            assertThat(r.json().getAsJsonObject("params").get("drop_rate").getAsDouble()).isEqualTo(0.5);
            outs.add(Files.readAllBytes(out));
            try (Checkpoint c = Checkpoint.open(out.toString())) {
                assertThat(c.metadata().get("surgeon.recipe")).contains("\"seed\":17").contains("\"then\":\"ties\"")
                        .contains("\"drop_rate\":0.5");
            }
        }
        assertThat(outs.get(0)).isEqualTo(outs.get(1));
    }

    @Test
    void slerpReportsTPerBlockAndPerTensor() throws Exception {
        Path base = tiny("base", 1);
        Path a = tiny("a", 2);
        CommandRun r = CommandRun.of("merge", base.toString(), a.toString(), "--method", "slerp", "--t", "0.2,0.6",
                "-o", tmp.resolve("s").toString(), "--json", "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonArray blocks = r.json().getAsJsonArray("blocks");
        assertThat(blocks.get(0).getAsJsonObject().get("t").getAsDouble()).isEqualTo(0.2);
        assertThat(blocks.get(1).getAsJsonObject().get("t").getAsDouble()).isEqualTo(0.6);
        for (JsonElement e : r.json().getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            String name = t.get("name").getAsString();
            if (name.equals("model.embed_tokens.weight")) {
                assertThat(t.get("t").getAsDouble()).isEqualTo(0.2);
            } else if (name.equals("lm_head.weight") || name.equals("model.norm.weight")) {
                assertThat(t.get("t").getAsDouble()).isEqualTo(0.6);
            }
        }
    }

    @Test
    void linesWithTaskArithmeticHasAlphaOneOverT() throws Exception {
        Path base = tiny("base", 1);
        CommandRun r = CommandRun.of("merge", base.toString(), tiny("a", 2).toString(), tiny("b", 3).toString(),
                tiny("c", 4).toString(), "--method", "task-arithmetic", "--lines", "-o", tmp.resolve("l").toString(), "--json", "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject p = r.json().getAsJsonObject("params");
        assertThat(p.get("alpha").getAsDouble()).isEqualTo(1.0 / 3);
        assertThat(p.get("beta").getAsDouble()).isEqualTo(0.5);
        JsonArray blocks = r.json().getAsJsonArray("blocks");
        assertThat(blocks.get(0).getAsJsonObject().get("lambda").getAsDouble()).isEqualTo(1.0 / 3);
        assertThat(blocks.get(1).getAsJsonObject().get("lambda").getAsDouble()).isEqualTo(1.0 / 3 + 0.5);
    }
}
