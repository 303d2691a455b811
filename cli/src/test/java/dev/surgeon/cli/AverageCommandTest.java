package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code surgeon average} (AMA) on tiny synthetic models, checked against values computed here. */
class AverageCommandTest {
    @TempDir
    Path tmp;

    /** Runs average with --json, reads the output back and checks each tensor: POST weight from {@code weightOf}, NaN = copied from PRE. */
    private JsonObject runAndCheck(Path pre, Path post, ToDoubleFunction<String> weightOf, String... options) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        String[] args = new String[options.length + 6];
        args[0] = "average";
        args[1] = pre.toString();
        args[2] = post.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        args[options.length + 3] = "-o";
        args[options.length + 4] = out.toString();
        args[options.length + 5] = "--json";
        CommandRun run = CommandRun.of(args);
        assertThat(run.code()).as(run.toString()).isZero();
        Map<String, RawSafetensors.Tensor> a = RawSafetensors.read(pre);
        Map<String, RawSafetensors.Tensor> b = RawSafetensors.read(post);
        Map<String, RawSafetensors.Tensor> o = RawSafetensors.read(out);
        assertThat(o.keySet()).containsExactlyInAnyOrderElementsOf(a.keySet());
        for (String n : a.keySet()) {
            double w = weightOf.applyAsDouble(n);
            if (Double.isNaN(w)) {
                assertThat(o.get(n).bytes()).as(n + " copied from PRE").isEqualTo(a.get(n).bytes());
                continue;
            }
            double[] x = a.get(n).values();
            double[] y = b.get(n).values();
            double[] z = o.get(n).values();
            for (int i = 0; i < x.length; i++) {
                ScaleCommandTest.assertClose(n + "[" + i + "] w=" + w, z[i], (1 - w) * x[i] + w * y[i], x[i], y[i]);
            }
        }
        JsonObject json = run.json();
        for (var e : json.getAsJsonArray("tensors")) {
            JsonObject t = e.getAsJsonObject();
            double w = weightOf.applyAsDouble(t.get("name").getAsString());
            assertThat(t.get("ratio").getAsDouble()).as(t.toString()).isCloseTo(Double.isNaN(w) ? 0.0 : w, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(t.has("copied")).isEqualTo(Double.isNaN(w));
        }
        return json;
    }

    private Path model(String name, int blocks, long seed) throws Exception {
        return BlockModels.write(tmp.resolve(name), BlockModels.layout(blocks), seed);
    }

    private static double[] doubles(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsDouble();
        }
        return v;
    }

    @Test
    void plainAverageDefaultsToPostWeightPointEight() throws Exception {
        Path pre = model("pre", 2, 1);
        Path post = model("post", 2, 2);
        JsonObject r = runAndCheck(pre, post, n -> 0.8);
        JsonObject p = r.getAsJsonObject("params");
        assertThat(p.get("mode").getAsString()).isEqualTo("ma");
        assertThat(p.get("weight").getAsDouble()).isEqualTo(0.8);
        assertThat(p.get("r_authors").getAsDouble()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(p.get("parts").getAsInt()).isEqualTo(1);
        runAndCheck(pre, post, n -> 0.35, "--weight", "0.35");
    }

    @Test
    void weightZeroAndOneGiveTheInputsExactly() throws Exception {
        Path pre = model("pre", 2, 3);
        Path post = model("post", 2, 4);
        assertThat(Main.run("average", pre.toString(), post.toString(), "--weight", "0", "-o", tmp.resolve("w0").toString(), "-q")).isZero();
        assertThat(Main.run("average", pre.toString(), post.toString(), "--weight", "1", "-o", tmp.resolve("w1").toString(), "-q")).isZero();
        assertThat(TestModels.dataSection(tmp.resolve("w0/model.safetensors"))).isEqualTo(dataInOutputOrder(pre, tmp.resolve("w0")));
        assertThat(TestModels.dataSection(tmp.resolve("w1/model.safetensors"))).isEqualTo(dataInOutputOrder(post, tmp.resolve("w1")));
    }

    /** The input's tensor bytes concatenated in the order the output file stores them. */
    private static byte[] dataInOutputOrder(Path in, Path out) throws Exception {
        Map<String, RawSafetensors.Tensor> src = RawSafetensors.read(in);
        java.io.ByteArrayOutputStream s = new java.io.ByteArrayOutputStream();
        for (String n : RawSafetensors.read(out).keySet()) {
            s.write(src.get(n).bytes());
        }
        return s.toByteArray();
    }

    @Test
    void partwiseByPivotsIncludingTheEdgeBlockEqualToAPivot() throws Exception {
        Path pre = model("pre", 6, 5);
        Path post = model("post", 6, 6);
        // pivots 1,3: block N is in part (# pivots p with N > p): 0,1 → 0; 2,3 → 1; 4,5 → 2
        double[] parts = {0.9, 0.5, 0.1};
        int[] partOf = {0, 0, 1, 1, 2, 2};
        JsonObject r = runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            if (b >= 0) {
                return parts[partOf[b]];
            }
            return n.startsWith("model.embed_tokens") ? parts[0] : 0.7; // final norm and lm_head: global W
        }, "--weight", "0.7", "--ratios", "0.9,0.5,0.1", "--pivots", "1,3");
        JsonArray blocks = r.getAsJsonArray("blocks");
        for (int b = 0; b < 6; b++) {
            JsonObject o = blocks.get(b).getAsJsonObject();
            assertThat(o.get("index").getAsInt()).isEqualTo(b);
            assertThat(o.get("part").getAsInt()).isEqualTo(partOf[b]);
            assertThat(o.get("weight").getAsDouble()).isEqualTo(parts[partOf[b]]);
        }
        JsonObject p = r.getAsJsonObject("params");
        assertThat(p.get("mode").getAsString()).isEqualTo("partwise");
        assertThat(p.get("parts").getAsInt()).isEqualTo(3);
        assertThat(doubles(p.getAsJsonArray("pivots"))).containsExactly(1, 3);
        assertThat(doubles(p.getAsJsonArray("ratios"))).containsExactly(0.9, 0.5, 0.1);
        double[] rAuthors = doubles(p.getAsJsonArray("ratios_authors"));
        assertThat(rAuthors[0]).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rAuthors[2]).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void blocksOptionPutsTheRemainderInTheLastPart() throws Exception {
        Path pre = model("pre", 7, 7);
        Path post = model("post", 7, 8);
        // --blocks 3 on 7 blocks: floor(7/3) = 2 per part, the remainder in the last: [0,2) [2,4) [4,7)
        int[] partOf = {0, 0, 1, 1, 2, 2, 2};
        double[] parts = {0.2, 0.4, 0.6};
        JsonObject r = runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 ? parts[partOf[b]] : n.startsWith("model.embed_tokens") ? parts[0] : 0.8;
        }, "--ratios", "0.2,0.4,0.6", "--blocks", "3");
        assertThat(doubles(r.getAsJsonObject("params").getAsJsonArray("pivots"))).containsExactly(1, 3);
        assertThat(r.getAsJsonObject("params").get("split").getAsString()).contains("[4,7)");
    }

    @Test
    void defaultPartsFollowTheAuthorsPivotsWhenTheModelIsLargeEnough() throws Exception {
        Path pre = model("pre", 20, 9);
        Path post = model("post", 20, 10);
        // L = 20 <= 30: pivots 7,15 → [0,8) [8,16) [16,20)
        double[] parts = {0.3, 0.6, 0.9};
        JsonObject r = runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 ? parts[b <= 7 ? 0 : b <= 15 ? 1 : 2] : n.startsWith("model.embed_tokens") ? parts[0] : 0.8;
        }, "--ratios", "0.3,0.6,0.9");
        assertThat(doubles(r.getAsJsonObject("params").getAsJsonArray("pivots"))).containsExactly(7, 15);
        // L = 6 is too small for them: --blocks 3 instead, [0,2) [2,4) [4,6)
        Path pre6 = model("pre6", 6, 11);
        Path post6 = model("post6", 6, 12);
        JsonObject r6 = runAndCheck(pre6, post6, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 ? parts[b / 2] : n.startsWith("model.embed_tokens") ? parts[0] : 0.8;
        }, "--ratios", "0.3,0.6,0.9");
        assertThat(doubles(r6.getAsJsonObject("params").getAsJsonArray("pivots"))).containsExactly(1, 3);
    }

    /** r_k = r·K·(σ(s_k)+ε)/Σ_j(σ(s_j)+ε), computed here. */
    static double[] hmaPre(double[] s, double eps, double r) {
        double sum = 0;
        for (double x : s) {
            sum += 1 / (1 + Math.exp(-x)) + eps;
        }
        double[] out = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            out[k] = r * s.length * (1 / (1 + Math.exp(-s[k])) + eps) / sum;
        }
        return out;
    }

    @Test
    void hmaAveragesOnlyLinearWeightsAndLmHeadAndCopiesTheRestFromPre() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(6);
        layout.put("model.layers.2.self_attn.q_proj.bias", new long[] {BlockModels.H}); // Qwen2-style bias: from PRE
        Path pre = BlockModels.write(tmp.resolve("pre"), layout, 13);
        Path post = BlockModels.write(tmp.resolve("post"), layout, 14);
        Path file = tmp.resolve("hma.json");
        Files.writeString(file, "{\"logits\": [0.4, -1.2, 2.0], \"epsilon\": 0.1}");
        double[] r = hmaPre(new double[] {0.4, -1.2, 2.0}, 0.1, 1 - 0.75);
        JsonObject json = runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            boolean linear = b >= 0 && n.endsWith("_proj.weight");
            if (linear) {
                return 1 - r[b / 2];
            }
            return n.equals("lm_head.weight") ? 0.75 : Double.NaN;
        }, "--weight", "0.75", "--ratios-file", file.toString());
        JsonObject p = json.getAsJsonObject("params");
        assertThat(p.get("mode").getAsString()).isEqualTo("hma");
        assertThat(p.get("epsilon").getAsDouble()).isEqualTo(0.1);
        double[] ra = doubles(p.getAsJsonArray("ratios_authors"));
        for (int k = 0; k < 3; k++) {
            assertThat(ra[k]).isCloseTo(r[k], org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat((ra[0] + ra[1] + ra[2]) / 3).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(json.getAsJsonArray("warnings")).isEmpty();
    }

    @Test
    void hmaEpsilonDefaultsToPointTwoAndTheOptionOverridesTheFile() throws Exception {
        Path pre = model("pre", 3, 15);
        Path post = model("post", 3, 16);
        Path file = tmp.resolve("hma.json");
        Files.writeString(file, "{\"logits\": [1, 0, -1], \"pivots\": [0, 1]}");
        double[] r = hmaPre(new double[] {1, 0, -1}, 0.2, 0.2);
        ToDoubleFunction<String> w = n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 && n.endsWith("_proj.weight") ? 1 - r[b] : n.equals("lm_head.weight") ? 0.8 : Double.NaN;
        };
        JsonObject json = runAndCheck(pre, post, w, "--ratios-file", file.toString());
        assertThat(json.getAsJsonObject("params").get("epsilon").getAsDouble()).isEqualTo(0.2);
        assertThat(json.getAsJsonObject("params").get("split").getAsString()).contains("ratios-file");
        double[] r5 = hmaPre(new double[] {1, 0, -1}, 0.5, 0.2);
        runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 && n.endsWith("_proj.weight") ? 1 - r5[b] : n.equals("lm_head.weight") ? 0.8 : Double.NaN;
        }, "--ratios-file", file.toString(), "--epsilon", "0.5");
    }

    @Test
    void hmaPartWeightsOutsideTheUnitIntervalAreClampedWithAWarning() throws Exception {
        Path pre = model("pre", 3, 17);
        Path post = model("post", 3, 18);
        Path file = tmp.resolve("hma.json");
        // r = 0.9: part 0's r_k = 0.9·3·(σ(8)+0)/(σ(8)+2σ(−8)) > 1 → W_0 = 1 − r_0 < 0 → clamped to 0
        Files.writeString(file, "{\"logits\": [8, -8, -8], \"epsilon\": 0}");
        double[] r = hmaPre(new double[] {8, -8, -8}, 0, 0.9);
        assertThat(r[0]).isGreaterThan(1);
        JsonObject json = runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 && n.endsWith("_proj.weight") ? Math.max(0, 1 - r[b]) : n.equals("lm_head.weight") ? 0.1 : Double.NaN;
        }, "--weight", "0.1", "--ratios-file", file.toString(), "--pivots", "0,1");
        assertThat(json.getAsJsonArray("warnings").toString()).contains("clamped");
        assertThat(doubles(json.getAsJsonObject("params").getAsJsonArray("ratios"))[0]).isEqualTo(0.0);
    }

    @Test
    void partwiseRatiosFromAFile() throws Exception {
        Path pre = model("pre", 4, 19);
        Path post = model("post", 4, 20);
        Path file = tmp.resolve("r.json");
        Files.writeString(file, "{\"ratios\": [0.25, 0.75], \"pivots\": [2]}");
        runAndCheck(pre, post, n -> {
            int b = BlockModels.blockOf(n);
            return b >= 0 ? (b <= 2 ? 0.25 : 0.75) : n.startsWith("model.embed_tokens") ? 0.25 : 0.8;
        }, "--ratios-file", file.toString());
    }

    @Test
    void usageErrors() throws Exception {
        Path pre = model("pre", 6, 21);
        Path post = model("post", 6, 22);
        Path logits = tmp.resolve("l.json");
        Files.writeString(logits, "{\"logits\": [0, 0, 0]}");
        Path ratios = tmp.resolve("r.json");
        Files.writeString(ratios, "{\"ratios\": [0.5, 0.5, 0.5]}");
        String[][] bad = {
                {"--ratios", "0.5,0.5,0.5", "--ratios-file", ratios.toString()},
                {"--pivots", "1,3"},
                {"--blocks", "3"},
                {"--ratios", "0.5,0.5,0.5", "--pivots", "1,3", "--blocks", "3"},
                {"--ratios", "0.5,0.5"},
                {"--ratios", "0.5,0.5,0.5,0.5"},
                {"--ratios", "0.5,1.5,0.5"},
                {"--ratios", "-0.1,0.5,0.5"},
                {"--ratios", "0.5,,0.5"},
                {"--ratios", "a,b,c"},
                {"--ratios", "0.5,NaN,0.5"},
                {"--weight", "1.2"},
                {"--weight", "-0.5"},
                {"--weight", "x"},
                {"--epsilon", "0.2"},
                {"--ratios-file", ratios.toString(), "--epsilon", "0.1"},
                {"--ratios-file", logits.toString(), "--epsilon", "-1"},
                {"--ratios", "0.5,0.5,0.5", "--pivots", "3,1"},
                {"--ratios", "0.5,0.5,0.5", "--pivots", "1,5"},
                {"--ratios", "0.5,0.5,0.5", "--pivots", "-1,2"},
                {"--ratios", "0.5,0.5,0.5", "--pivots", "1,x"},
                {"--ratios", "0.5,0.5", "--pivots", "1,3"},
                {"--ratios", "0.5,0.5,0.5", "--blocks", "0"},
                {"--ratios", "0.5,0.5,0.5", "--blocks", "7"},
                {"--ratios-file", logits.toString(), "--blocks", "2"},
        };
        for (String[] options : bad) {
            String[] args = new String[options.length + 5];
            args[0] = "average";
            args[1] = pre.toString();
            args[2] = post.toString();
            System.arraycopy(options, 0, args, 3, options.length);
            args[options.length + 3] = "-o";
            args[options.length + 4] = tmp.resolve("o").toString();
            CommandRun run = CommandRun.of(args);
            assertThat(run.code()).as(String.join(" ", options) + "\n" + run).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).startsWith("surgeon: ");
        }
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void badRatiosFiles() throws Exception {
        Path pre = model("pre", 6, 23);
        Path post = model("post", 6, 24);
        String[] contents = {
                "not json", "[1, 2, 3]", "{}", "{\"logits\": [1, 2, 3], \"ratios\": [0.1, 0.2, 0.3]}",
                "{\"logits\": []}", "{\"logits\": [1, \"a\", 3]}", "{\"ratios\": [0.1, 2, 0.3]}",
                "{\"ratios\": [0.1, 0.2, 0.3], \"epsilon\": 0.2}", "{\"logits\": [1, 2, 3], \"pivots\": [1.5, 3]}",
                "{\"logits\": [1, 2, 3], \"epsilon\": -0.1}", "{\"logits\": [1, 2, 3]} trailing",
                "{\"logits\": [1, 2, NaN]}",
        };
        for (int i = 0; i < contents.length; i++) {
            Path f = tmp.resolve("bad" + i + ".json");
            Files.writeString(f, contents[i]);
            CommandRun run = CommandRun.of("average", pre.toString(), post.toString(), "--ratios-file", f.toString(), "-o", tmp.resolve("o").toString());
            assertThat(run.code()).as(contents[i] + "\n" + run).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).contains(f.toString());
        }
        CommandRun missing = CommandRun.of("average", pre.toString(), post.toString(), "--ratios-file", tmp.resolve("none.json").toString(),
                "-o", tmp.resolve("o").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.IO_FAILURE);
        Path unknown = tmp.resolve("unknown.json");
        Files.writeString(unknown, "{\"ratios\": [0.5, 0.5, 0.5], \"comment\": \"x\"}");
        CommandRun warned = CommandRun.of("average", pre.toString(), post.toString(), "--ratios-file", unknown.toString(),
                "-o", tmp.resolve("o").toString(), "--json");
        assertThat(warned.code()).as(warned.toString()).isZero();
        assertThat(warned.json().getAsJsonArray("warnings").toString()).contains("comment");
    }

    @Test
    void defaultOutputNameAndConfigCopied() throws Exception {
        Path pre = model("pre", 2, 25);
        Path post = model("post", 2, 26);
        assertThat(Main.run("average", pre.toString(), post.toString(), "-q")).isZero();
        assertThat(tmp.resolve("pre-averaged/model.safetensors")).exists();
        assertThat(Files.readString(tmp.resolve("pre-averaged/config.json"))).isEqualTo(Files.readString(pre.resolve("config.json")));
        assertThat(RawSafetensors.metadata(tmp.resolve("pre-averaged")).get("surgeon.recipe").getAsString())
                .contains("\"command\":\"average\"").contains("\"weight\":0.8").contains("\"mode\":\"ma\"");
    }

    @Test
    void dtypeOptionAppliesToCopiedTensorsToo() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(3);
        Path pre = BlockModels.write(tmp.resolve("pre"), layout, 27);
        Path post = BlockModels.write(tmp.resolve("post"), layout, 28);
        Path file = tmp.resolve("hma.json");
        Files.writeString(file, "{\"logits\": [0, 0, 0]}");
        assertThat(Main.run("average", pre.toString(), post.toString(), "--ratios-file", file.toString(), "--pivots", "0,1",
                "--dtype", "bf16", "-o", tmp.resolve("o").toString(), "-q")).isZero();
        Map<String, RawSafetensors.Tensor> in = RawSafetensors.read(pre);
        Map<String, RawSafetensors.Tensor> o = RawSafetensors.read(tmp.resolve("o"));
        for (String n : o.keySet()) {
            assertThat(o.get(n).dtype()).as(n).isEqualTo("BF16");
        }
        // a norm is copied from PRE and cast: BlockModels values are BF16-exact, so the cast is exact
        double[] x = in.get("model.norm.weight").values();
        assertThat(o.get("model.norm.weight").values()).containsExactly(x);
    }

    @Test
    void sameOutputForAnyThreadCount() throws Exception {
        Map<String, long[]> layout = BlockModels.layout(2);
        layout.put("model.embed_tokens.weight", new long[] {300_000, 2}); // several chunks of 256 Ki elements
        layout.put("lm_head.weight", new long[] {300_000, 2});
        Path pre = BlockModels.write(tmp.resolve("pre"), layout, 29);
        Path post = BlockModels.write(tmp.resolve("post"), layout, 30);
        for (String cmd : new String[] {"average", "scale"}) {
            String[] extra = cmd.equals("scale") ? new String[] {"--alpha", "0.3"} : new String[] {"--weight", "0.6"};
            byte[] first = null;
            for (String t : new String[] {"1", "2", "3", "8"}) {
                Path o = tmp.resolve(cmd + "-t" + t);
                String[] args = {cmd, pre.toString(), post.toString(), extra[0], extra[1], "--threads", t, "-o", o.toString(), "-q"};
                assertThat(Main.run(args)).isZero();
                byte[] bytes = Files.readAllBytes(o.resolve("model.safetensors"));
                if (first == null) {
                    first = bytes;
                    double w = cmd.equals("scale") ? 0.3 : 0.6; // outside blocks: alpha, or the global W
                    double[] x = RawSafetensors.read(pre).get("lm_head.weight").values();
                    double[] y = RawSafetensors.read(post).get("lm_head.weight").values();
                    double[] z = RawSafetensors.read(o).get("lm_head.weight").values();
                    for (int i = 0; i < z.length; i++) {
                        ScaleCommandTest.assertClose("lm_head.weight[" + i + "]", z[i], (1 - w) * x[i] + w * y[i], x[i], y[i]);
                    }
                } else {
                    assertThat(bytes).as(cmd + " --threads " + t).isEqualTo(first);
                }
            }
        }
    }
}
