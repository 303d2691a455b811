package dev.surgeon.io.write;

import static dev.surgeon.io.safetensors.StBytes.patterned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.StBytes;
import dev.surgeon.io.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's bytes (header layout, padding, determinism, escaping), shard planning and sharded output. */
class WriterTest {
    @TempDir
    Path tmp;

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- header bytes

    @Test
    void headerIsCompactMetadataFirstEntriesInGivenOrderPaddedWithSpaces() throws IOException {
        List<PlannedTensor> plan = List.of(
                StBytes.planned("b", DType.F32, new long[] {2}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                StBytes.planned("a", DType.U8, new long[] {}, new byte[] {9}));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[8,9]}}";
        int padded = (json.length() + 7) / 8 * 8;
        String expected = json + " ".repeat(padded - json.length());
        byte[] header = HeaderWriter.header(Map.of("format", "pt"), plan);
        assertThat(ascii(header)).isEqualTo(expected);

        Path f = tmp.resolve("x.safetensors");
        long len = SafetensorsWriter.write(f, Map.of("format", "pt"), plan);
        byte[] want = StBytes.concat(StBytes.prefix(padded), expected.getBytes(StandardCharsets.UTF_8),
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThat(Files.readAllBytes(f)).isEqualTo(want);
        assertThat(len).isEqualTo(want.length);
    }

    @Test
    void headerLengthIsAlwaysAMultipleOfEightPaddedOnlyWithSpaces() {
        for (int nameLength = 1; nameLength <= 24; nameLength++) {
            for (Map<String, String> meta : Arrays.<Map<String, String>>asList(null, Map.of(), Map.of("format", "pt"))) {
                String name = "t".repeat(nameLength);
                byte[] h = HeaderWriter.header(meta, List.of(patterned(name, DType.F16, 3)));
                assertThat(h.length % 8).isZero();
                String s = ascii(h);
                String json = s.stripTrailing();
                assertThat(json).endsWith("}");
                assertThat(h.length - json.length()).isBetween(0, 7);
                assertThat(s.substring(json.length())).matches(" *");
                JsonObject o = JsonParser.parseString(json).getAsJsonObject();
                assertThat(o.has("__metadata__")).isEqualTo(meta != null);
                assertThat(o.getAsJsonObject(name).get("dtype").getAsString()).isEqualTo("F16");
            }
        }
        assertThat(ascii(HeaderWriter.header(null, List.of()))).isEqualTo("{}      ");
    }

    @Test
    void metadataKeysAreSortedSoInsertionOrderDoesNotMatter() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("z", "1");
        a.put("format", "pt");
        a.put("a", "2");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("a", "2");
        b.put("format", "pt");
        b.put("z", "1");
        List<PlannedTensor> plan = List.of(patterned("w", DType.F32, 2));
        byte[] ha = HeaderWriter.header(a, plan);
        assertThat(ha).isEqualTo(HeaderWriter.header(b, plan)).isEqualTo(HeaderWriter.header(new HashMap<>(a), plan));
        assertThat(ascii(ha)).startsWith("{\"__metadata__\":{\"a\":\"2\",\"format\":\"pt\",\"z\":\"1\"},\"w\":");
    }

    @Test
    void entriesFollowTheGivenOrderWithContiguousOffsets() throws IOException {
        List<PlannedTensor> plan = List.of(patterned("c", DType.I64, 2), patterned("a", DType.BOOL, 3),
                patterned("zero", DType.F32, 0, 4), patterned("b", DType.BF16, 2, 2), patterned("s", DType.F64));
        String h = ascii(HeaderWriter.header(null, plan)).stripTrailing();
        JsonObject o = JsonParser.parseString(h).getAsJsonObject();
        assertThat(new ArrayList<>(o.keySet())).containsExactly("c", "a", "zero", "b", "s");
        assertThat(h).doesNotContain(" ").doesNotContain("\n");
        long expect = 0;
        for (PlannedTensor t : plan) {
            var off = o.getAsJsonObject(t.name()).getAsJsonArray("data_offsets");
            assertThat(off.get(0).getAsLong()).isEqualTo(expect);
            expect += t.byteSize();
            assertThat(off.get(1).getAsLong()).isEqualTo(expect);
        }
        Path f = StBytes.writeFile(tmp.resolve("order.safetensors"), null, plan);
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertThat(r.tensors()).extracting(TensorInfo::name).containsExactly("c", "a", "zero", "b", "s");
            assertThat(r.metadata()).isNull();
        }
    }

    @Test
    void writingTwiceGivesIdenticalBytes() throws IOException {
        Map<String, String> meta1 = new HashMap<>();
        Map<String, String> meta2 = new TreeMap<>((x, y) -> y.compareTo(x));
        for (int i = 0; i < 20; i++) {
            meta1.put("k" + i, "v" + i);
            meta2.put("k" + i, "v" + i);
        }
        List<PlannedTensor> plan = new ArrayList<>();
        for (DType d : DType.values()) {
            plan.add(patterned("t." + d, d, 2, 4));
        }
        Path f1 = StBytes.writeFile(tmp.resolve("one.safetensors"), meta1, plan);
        Path f2 = StBytes.writeFile(tmp.resolve("two.safetensors"), meta2, plan);
        assertThat(Files.readAllBytes(f1)).isEqualTo(Files.readAllBytes(f2));
    }

    static final List<String> ODD_NAMES = List.of("quote\"d", "back\\slash", "\\\"", "ctrl\u0001\u001f", "bell\u0007",
            "tab\tnl\nret\r", "form\ffeed\bback", "del\u007f", "é", "名前.weight", "emoji 😀", "/a/b/", "", " ",
            "u2028\u2028", "nul\u0000nul", "</script>", "a'b", "{}[]:,");

    private List<PlannedTensor> oddNamePlan() {
        List<PlannedTensor> plan = new ArrayList<>();
        for (String n : ODD_NAMES) {
            plan.add(patterned(n, DType.F32, 2));
        }
        return plan;
    }

    private Path writeOddNames(Path dir) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"key\n", "välue\\\u0001😀");
        return StBytes.writeFile(dir.resolve("odd.safetensors"), meta, oddNamePlan());
    }

    @Test
    void namesWithQuotesBackslashesControlCharsAndNonAsciiRoundTrip() {
        Path f = writeOddNames(tmp);
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertThat(r.tensors()).extracting(TensorInfo::name).containsExactlyElementsOf(ODD_NAMES);
            assertThat(r.metadata()).containsEntry("quote\"key\n", "välue\\\u0001😀");
            for (String n : ODD_NAMES) {
                assertThat(StBytes.tensorBytes(r, r.tensor(n))).hasSize(8);
            }
        }
        String h = ascii(StBytes.headerSection(f));
        // serde_json escapes: short forms, \\u00XX lowercase for the rest of the controls; non-ASCII raw
        assertThat(h).contains("\"ctrl\\u0001\\u001f\"").contains("\"tab\\tnl\\nret\\r\"").contains("\"form\\ffeed\\bback\"")
                .contains("\"quote\\\"d\"").contains("\"back\\\\slash\"").contains("\"nul\\u0000nul\"")
                .contains("\"名前.weight\"").contains("\"emoji 😀\"").contains("\"</script>\"").contains("\"del\u007f\"");
    }

    @Test
    void writerRefusesAnExistingFile() throws IOException {
        Path f = tmp.resolve("exists.safetensors");
        Files.writeString(f, "keep me");
        assertThatThrownBy(() -> SafetensorsWriter.write(f, null, List.of(patterned("w", DType.U8, 1))))
                .isInstanceOf(IoFailureException.class).hasMessageContaining(f.toString());
        assertThat(Files.readString(f)).isEqualTo("keep me");
    }

    @Test
    void contentOfTheWrongSizeIsAnError() {
        PlannedTensor shortOne = new PlannedTensor("w", DType.F32, new long[] {2}, sink -> sink.write(ByteBuffer.allocate(4)));
        assertThatThrownBy(() -> SafetensorsWriter.write(tmp.resolve("short.safetensors"), null, List.of(shortOne)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'w'");
    }

    @Test
    void contentMayArriveInManySmallAndLargeWrites() throws IOException {
        int n = 3 << 20; // crosses the writer's buffer several ways
        byte[] data = new byte[n * 4];
        new java.util.Random(7).nextBytes(data);
        PlannedTensor t = new PlannedTensor("big", DType.F32, new long[] {n}, sink -> {
            int pos = 0;
            int step = 1;
            while (pos < data.length) {
                int len = Math.min(step, data.length - pos);
                sink.write(ByteBuffer.wrap(data, pos, len));
                pos += len;
                step = step * 3 + 1;
            }
        });
        Path f = StBytes.writeFile(tmp.resolve("big.safetensors"), null, List.of(patterned("a", DType.U8, 3), t, patterned("z", DType.U8, 5)));
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertThat(StBytes.tensorBytes(r, r.tensor("big"))).isEqualTo(data);
        }
    }

    // ---------------------------------------------------------------- shard planning

    private static List<List<String>> names(List<List<PlannedTensor>> shards) {
        return shards.stream().map(s -> s.stream().map(PlannedTensor::name).collect(Collectors.toList())).collect(Collectors.toList());
    }

    @Test
    void shardPlannerFillsShardsUpToTheLimit() {
        List<PlannedTensor> plan = List.of(patterned("a", DType.U8, 4), patterned("b", DType.U8, 4),
                patterned("c", DType.U8, 4), patterned("d", DType.U8, 3), patterned("e", DType.U8, 1));
        assertThat(names(ShardPlanner.split(plan, 8))).containsExactly(List.of("a", "b"), List.of("c", "d", "e"));
        assertThat(names(ShardPlanner.split(plan, 7))).containsExactly(List.of("a"), List.of("b"), List.of("c", "d"), List.of("e"));
        assertThat(names(ShardPlanner.split(plan, 1000))).containsExactly(List.of("a", "b", "c", "d", "e"));
    }

    @Test
    void aTensorLargerThanTheLimitSitsAlone() {
        List<PlannedTensor> plan = List.of(patterned("a", DType.U8, 2), patterned("big", DType.F32, 5),
                patterned("c", DType.U8, 2), patterned("d", DType.U8, 2), patterned("huge", DType.F64, 3));
        assertThat(names(ShardPlanner.split(plan, 8)))
                .containsExactly(List.of("a"), List.of("big"), List.of("c", "d"), List.of("huge"));
        for (List<PlannedTensor> shard : ShardPlanner.split(plan, 8)) {
            long sum = shard.stream().mapToLong(PlannedTensor::byteSize).sum();
            assertThat(sum <= 8 || shard.size() == 1).isTrue();
        }
    }

    @Test
    void shardPlannerEdgeCases() {
        assertThat(ShardPlanner.split(List.of(), 10)).containsExactly(List.of());
        List<PlannedTensor> zeros = List.of(patterned("z1", DType.F32, 0), patterned("a", DType.U8, 10), patterned("z2", DType.F32, 0, 3));
        assertThat(names(ShardPlanner.split(zeros, 10))).containsExactly(List.of("z1", "a", "z2"));
        assertThat(ShardPlanner.shardName(1, 3)).isEqualTo("model-00001-of-00003.safetensors");
        assertThat(ShardPlanner.shardName(12, 345)).isEqualTo("model-00012-of-00345.safetensors");
    }

    // ---------------------------------------------------------------- checkpoint output

    private List<PlannedTensor> modelPlan() {
        return List.of(patterned("model.embed_tokens.weight", DType.F32, 10, 4), patterned("model.layers.0.w", DType.BF16, 8, 3),
                patterned("model.layers.0.b", DType.F16, 3), patterned("model.layers.1.w", DType.BF16, 8, 3),
                patterned("model.layers.1.b", DType.F16, 3), patterned("model.norm.weight", DType.F32, 4),
                patterned("lm_head.weight", DType.F32, 10, 4), patterned("empty", DType.I8, 0));
    }

    private Path writeSharded(Path target, long maxShard) throws IOException {
        Path src = tmp.resolve("side-src");
        Files.createDirectories(src);
        Path cfg = Files.writeString(src.resolve("config.json"), "{\"model_type\":\"llama\"}");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            List<WrittenFile> files = CheckpointWriter.write(out, modelPlan(),
                    new CheckpointWriter.Options(Map.of("format", "pt"), maxShard, List.of(cfg)));
            assertThat(files).extracting(WrittenFile::relativePath).contains("config.json");
            for (WrittenFile w : files) {
                assertThat(Files.size(w.under(out.staging()))).isEqualTo(w.bytes());
            }
            out.commit();
        }
        return target;
    }

    @Test
    void shardedCheckpointHasNumberedShardsAndAnIndex() throws IOException {
        Path target = writeSharded(tmp.resolve("out"), 200);
        List<PlannedTensor> plan = modelPlan();
        List<List<PlannedTensor>> shards = ShardPlanner.split(plan, 200);
        int n = shards.size();
        assertThat(n).isGreaterThan(1);
        List<String> expectedFiles = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            expectedFiles.add(String.format("model-%05d-of-%05d.safetensors", k, n));
        }
        expectedFiles.add("model.safetensors.index.json");
        expectedFiles.add("config.json");
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expectedFiles);
        }
        JsonObject index = JsonParser.parseString(Files.readString(target.resolve("model.safetensors.index.json"))).getAsJsonObject();
        long total = plan.stream().mapToLong(PlannedTensor::byteSize).sum();
        assertThat(index.getAsJsonObject("metadata").get("total_size").getAsLong()).isEqualTo(total);
        JsonObject wm = index.getAsJsonObject("weight_map");
        assertThat(wm.keySet()).containsExactlyInAnyOrderElementsOf(plan.stream().map(PlannedTensor::name).toList());
        for (int k = 0; k < n; k++) {
            String shardName = expectedFiles.get(k);
            try (SafetensorsFile f = SafetensorsFile.open(target.resolve(shardName))) {
                assertThat(f.tensors()).extracting(TensorInfo::name)
                        .containsExactlyElementsOf(shards.get(k).stream().map(PlannedTensor::name).toList());
                assertThat(f.metadata()).containsEntry("format", "pt");
                for (TensorInfo t : f.tensors()) {
                    assertThat(wm.get(t.name()).getAsString()).isEqualTo(shardName);
                }
            }
        }
        try (Checkpoint c = Checkpoint.open(target.toString())) {
            assertThat(c.tensors()).hasSize(plan.size());
            assertThat(c.totalBytes()).isEqualTo(total);
            assertThat(c.warnings()).isEmpty();
            assertThat(c.config().get("model_type").getAsString()).isEqualTo("llama");
            for (PlannedTensor t : plan) {
                TensorRef r = c.tensor(t.name());
                assertThat(r.info().dtype()).isEqualTo(t.dtype());
                assertThat(r.info().shape()).isEqualTo(t.shape());
                assertThat(StBytes.tensorBytes(r.file(), r.info())).isEqualTo(bytesOf(t));
            }
        }
    }

    private static byte[] bytesOf(PlannedTensor t) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        t.content().writeTo(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.writeBytes(a);
        });
        return out.toByteArray();
    }

    @Test
    void folderOutputWithoutShardingIsOneModelSafetensors() throws IOException {
        Path target = writeSharded(tmp.resolve("plain"), 0);
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.safetensors", "config.json");
        }
        Path big = writeSharded(tmp.resolve("fits"), 1L << 30);
        assertThat(big.resolve("model.safetensors")).isRegularFile();
        assertThat(big.resolve("model.safetensors.index.json")).doesNotExist();
    }

    @Test
    void singleFileOutputRefusesSharding() {
        try (AtomicOutput out = AtomicOutput.begin(tmp.resolve("one.safetensors"), false)) {
            assertThatThrownBy(() -> CheckpointWriter.write(out, modelPlan(), new CheckpointWriter.Options(null, 100, List.of())))
                    .isInstanceOf(UsageException.class);
        }
        assertThat(tmp.resolve("one.safetensors")).doesNotExist();
    }

    @Test
    void singleFileOutputIsTheGivenPath() throws IOException {
        Path target = tmp.resolve("sub/one.safetensors");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            List<WrittenFile> w = CheckpointWriter.write(out, modelPlan(), new CheckpointWriter.Options(Map.of("format", "pt"), 0, List.of()));
            assertThat(w).extracting(WrittenFile::relativePath).containsExactly("one.safetensors");
            out.commit();
        }
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            assertThat(f.tensors()).hasSize(modelPlan().size());
        }
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("one.safetensors");
        }
    }

    // ---------------------------------------------------------------- the python checker

    @Test
    void pythonCheckerAcceptsEverythingWrittenHere() throws IOException, InterruptedException {
        PyChecker.tool(); // skip early when unavailable
        List<Path> files = new ArrayList<>();
        files.add(writeOddNames(Files.createDirectories(tmp.resolve("odd"))));
        List<PlannedTensor> all = new ArrayList<>();
        for (DType d : DType.values()) {
            all.add(patterned("t." + d, d, 2, 4));
            all.add(patterned("zero." + d, d, 0));
        }
        all.add(patterned("scalar", DType.F32));
        files.add(StBytes.writeFile(tmp.resolve("alldtypes.safetensors"), Map.of("format", "pt"), all));
        List<PlannedTensor> sorted = new ArrayList<>(all);
        sorted.sort(TensorOrder.REFERENCE);
        files.add(StBytes.writeFile(tmp.resolve("alldtypes-sorted.safetensors"), null, sorted));
        files.add(StBytes.writeFile(tmp.resolve("empty.safetensors"), Map.of(), List.of()));
        Path sharded = writeSharded(tmp.resolve("sharded"), 200);
        try (Stream<Path> s = Files.list(sharded)) {
            s.filter(p -> p.getFileName().toString().contains(".safetensors")).sorted().forEach(files::add);
        }
        files.add(writeSharded(tmp.resolve("plain"), 0).resolve("model.safetensors"));
        PyChecker.assertAccepts(files);
    }
}
