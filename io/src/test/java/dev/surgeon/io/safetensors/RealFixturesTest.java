package dev.surgeon.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.write.HeaderWriter;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import dev.surgeon.io.write.TensorOrder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real files in {@code shared/fixtures/real}: every one parses; the sharded set opens through
 * its index; a rewrite with no edit reproduces each data section byte for byte; and the writer
 * orders and serializes as the reference writer did for the files it wrote.
 */
class RealFixturesTest {
    /** Small odd chunk so the copy goes through many mapped chunks. */
    private static final int CHUNK = 1000;

    @TempDir
    Path tmp;

    private static List<Path> realFiles() throws IOException {
        SharedFixtures.assumePresent();
        Path real = SharedFixtures.root().resolve("fixtures/real");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(real), "no " + real);
        try (Stream<Path> s = Files.walk(real)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
            assertThat(files).isNotEmpty();
            return files;
        }
    }

    private static String label(Path p) {
        return SharedFixtures.root().resolve("fixtures/real").relativize(p).toString();
    }

    @TestFactory
    Stream<DynamicTest> everyRealFileParses() throws IOException {
        return realFiles().stream().map(p -> DynamicTest.dynamicTest("parse " + label(p), () -> {
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertThat(f.tensors()).isNotEmpty();
                assertThat(f.header().warnings()).isEmpty();
                assertThat(f.header().dataStart() + f.header().dataLength()).isEqualTo(Files.size(p));
                long sum = 0;
                for (TensorInfo t : f.tensors()) {
                    assertThat(t.begin()).isEqualTo(sum);
                    sum = t.end();
                }
                assertThat(sum).isEqualTo(f.header().dataLength());
            }
        }));
    }

    @Test
    void knownFacts() {
        Path lora = SharedFixtures.real("lora-peft-tinyllama-bf16").resolve("adapter_model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(lora)) {
            assertThat(f.metadata()).isNull();
            assertThat(f.tensors()).extracting(TensorInfo::dtype).containsExactly(DType.F32, DType.F32, DType.BF16, DType.BF16);
            assertThat(f.tensor("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").shape()).containsExactly(8, 64);
        }
        Path mlx = SharedFixtures.real("lora-mlx-qwen2").resolve("adapters.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(mlx)) {
            assertThat(f.metadata()).isNull();
            assertThat(f.header().dataStart()).isEqualTo(858);
            assertThat(f.tensors()).hasSize(8);
        }
        Path numpy = SharedFixtures.real("alldtypes-numpy-2022-unaligned").resolve("overall.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(numpy)) {
            assertThat(f.header().dataStart()).isEqualTo(534);
            assertThat(f.metadata()).containsExactly(Map.entry("test", "a"));
            assertThat(f.tensors()).hasSize(9);
        }
        Path gpt2 = SharedFixtures.real("gpt2-tiny-random-lmhead").resolve("model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(gpt2)) {
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(f.tensor("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(32, 96);
        }
    }

    @Test
    void shardedFixtureOpensThroughItsIndex() throws IOException {
        Path dir = SharedFixtures.real("sharded-dtypes-hfhub");
        int sumOverShards = 0;
        long bytesOverShards = 0;
        List<Path> shards;
        try (Stream<Path> s = Files.list(dir)) {
            shards = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
        }
        assertThat(shards).hasSize(6);
        for (Path p : shards) {
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                sumOverShards += f.tensors().size();
                bytesOverShards += f.header().dataLength();
            }
        }
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            assertThat(c.index()).isNotNull();
            assertThat(c.files()).hasSize(6);
            assertThat(c.tensors()).hasSize(sumOverShards);
            assertThat(c.index().weightMap()).hasSize(sumOverShards);
            assertThat(c.totalBytes()).isEqualTo(bytesOverShards).isEqualTo(4305);
            assertThat(c.index().totalSize()).isEqualTo(4305L);
            assertThat(c.warnings()).isEmpty();
            for (TensorRef r : c.tensors().values()) {
                assertThat(r.file().path().getFileName().toString()).isEqualTo(c.index().weightMap().get(r.name()));
                assertThat(StBytes.tensorBytes(r.file(), r.info())).hasSize((int) r.info().byteSize());
            }
        }
        try (Checkpoint c = Checkpoint.open(dir.resolve("model.safetensors.index.json").toString())) {
            assertThat(c.kind()).isEqualTo(Checkpoint.Kind.INDEX);
            assertThat(c.tensors()).hasSize(sumOverShards);
        }
    }

    /** The input's tensors in data order, each copying its bytes out of {@code in} chunk by chunk. */
    static List<PlannedTensor> copyPlan(SafetensorsFile in) {
        List<PlannedTensor> plan = new ArrayList<>();
        for (TensorInfo t : in.tensors()) {
            plan.add(new PlannedTensor(t.name(), t.dtype(), t.shape(),
                    sink -> in.forEachChunk(t, CHUNK, (chunk, off) -> sink.write(chunk))));
        }
        return plan;
    }

    @TestFactory
    Stream<DynamicTest> rewriteWithNoEditReproducesTheDataSection() throws IOException {
        return realFiles().stream().map(p -> DynamicTest.dynamicTest("rewrite " + label(p), () -> {
            Path out = tmp.resolve(label(p).replace('/', '_'));
            try (SafetensorsFile in = SafetensorsFile.open(p)) {
                SafetensorsWriter.write(out, in.metadata(), copyPlan(in));
                try (SafetensorsFile back = SafetensorsFile.open(out)) {
                    assertThat(StBytes.layout(back)).isEqualTo(StBytes.layout(in));
                    assertThat(back.metadata()).isEqualTo(in.metadata());
                    assertThat(back.header().headerLength() % 8).isZero();
                }
            }
            assertThat(Arrays.equals(StBytes.dataSection(out), StBytes.dataSection(p)))
                    .as("data section of %s reproduced byte for byte", label(p)).isTrue();
            // only __metadata__ may differ: everything else of the header is equal as JSON, in order
            JsonObject a = headerJson(p);
            JsonObject b = headerJson(out);
            a.remove("__metadata__");
            b.remove("__metadata__");
            assertThat(new ArrayList<>(b.keySet())).isEqualTo(new ArrayList<>(a.keySet()).stream()
                    .sorted((x, y) -> Long.compare(a.getAsJsonObject(x).getAsJsonArray("data_offsets").get(0).getAsLong(),
                            a.getAsJsonObject(y).getAsJsonArray("data_offsets").get(0).getAsLong()))
                    .collect(Collectors.toList()));
            assertThat(b).isEqualTo(a);
        }));
    }

    /**
     * Files the Rust safetensors writer produced (not the 2022 numpy file, not MLX): re-sorting their
     * tensors with {@link TensorOrder#REFERENCE} gives their own data order, and writing them with
     * the same metadata reproduces the whole file byte for byte.
     */
    @TestFactory
    Stream<DynamicTest> referenceWrittenFilesAreReproducedExactly() throws IOException {
        return realFiles().stream()
                .filter(p -> !label(p).startsWith("alldtypes-numpy-2022-unaligned") && !label(p).startsWith("lora-mlx-qwen2"))
                .map(p -> DynamicTest.dynamicTest("reference order " + label(p), () -> checkReferenceOrder(p)));
    }

    @Test
    void alldtypesTorchMetadataFollowsTheReferenceWriter() throws IOException {
        Path p = SharedFixtures.real("alldtypes-torch-metadata").resolve("model.with_metadata.safetensors");
        checkReferenceOrder(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensors()).hasSize(36);
            assertThat(f.metadata()).containsExactly(Map.entry("test", "metadata"), Map.entry("version", "2.2"));
        }
    }

    private void checkReferenceOrder(Path p) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(p)) {
            List<PlannedTensor> plan = copyPlan(in);
            List<String> dataOrder = plan.stream().map(PlannedTensor::name).collect(Collectors.toList());
            List<PlannedTensor> resorted = new ArrayList<>(plan);
            java.util.Collections.reverse(resorted);
            resorted.sort(TensorOrder.REFERENCE);
            assertThat(resorted).extracting(PlannedTensor::name).isEqualTo(dataOrder);

            Path out = tmp.resolve("ref-" + label(p).replace('/', '_'));
            SafetensorsWriter.write(out, in.metadata(), resorted);
            assertThat(Arrays.equals(StBytes.dataSection(out), StBytes.dataSection(p))).as("data section").isTrue();

            byte[] fileHeader = StBytes.headerSection(p);
            byte[] ours = HeaderWriter.header(in.metadata(), resorted);
            assertThat(ours).isEqualTo(StBytes.headerSection(out));
            if (!Arrays.equals(ours, fileHeader)) {
                // the only allowed difference is the order of __metadata__ keys
                assertThat(ours.length).isEqualTo(fileHeader.length);
                assertThat(normaliseMetadata(ours)).isEqualTo(normaliseMetadata(fileHeader));
            }
            assertThat(Files.readAllBytes(out).length).isEqualTo(Files.size(p));
        }
    }

    /** Header text with the __metadata__ object's keys sorted, so key order does not matter. */
    private static String normaliseMetadata(byte[] header) {
        JsonObject o = JsonParser.parseString(new String(header, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject out = new JsonObject();
        JsonElement meta = o.remove("__metadata__");
        if (meta != null && meta.isJsonObject()) {
            JsonObject sorted = new JsonObject();
            meta.getAsJsonObject().keySet().stream().sorted().forEach(k -> sorted.add(k, meta.getAsJsonObject().get(k)));
            out.add("__metadata__", sorted);
        }
        o.entrySet().forEach(e -> out.add(e.getKey(), e.getValue()));
        return out.toString();
    }

    private static JsonObject headerJson(Path p) {
        return JsonParser.parseString(new String(StBytes.headerSection(p), StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
