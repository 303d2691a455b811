package dev.surgeon.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.util.TempFiles;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random damage to valid files (truncation, byte flips in the length prefix and the header, edits
 * of the header text): opening either succeeds or throws the format's own exception, never another
 * type, never hangs, never allocates much more than the file. And random tensors of every
 * whole-byte dtype survive a write and a read unchanged.
 */
class MutationProperties {
    private static Path dir;
    private static List<byte[]> bases;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Bytes one open may allocate beyond a few times the file's size. */
    private static final long ALLOCATION_ALLOWANCE = 32L << 20;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("surgeon-mutation-");
        bases = new ArrayList<>();
        bases.addAll(generatedBases());
        Path shared = SharedFixtures.root();
        if (shared != null) {
            for (String rel : new String[] {
                    "fixtures/real/alldtypes-torch-metadata/model.with_metadata.safetensors",
                    "fixtures/real/alldtypes-numpy-2022-unaligned/overall.safetensors",
                    "fixtures/real/lora-peft-tinyllama-bf16/adapter_model.safetensors",
                    "fixtures/real/sharded-dtypes-hfhub/model-00002-of-00006.safetensors",
                    "fixtures/real/sharded-dtypes-hfhub/model-00005-of-00006.safetensors",
                    "fixtures/malformed/accept/zero_sized_tensor.safetensors",
                    "fixtures/malformed/authored/accept/metadata_null_like_mlx.safetensors"}) {
                Path p = shared.resolve(rel);
                if (Files.isRegularFile(p)) {
                    bases.add(Files.readAllBytes(p));
                }
            }
        }
        for (byte[] b : bases) {
            assertThat(outcome(b)).as("every base file is valid").isEqualTo("ok");
        }
    }

    @AfterContainer
    static void tearDown() {
        TempFiles.deleteQuietly(dir);
    }

    private static List<byte[]> generatedBases() throws IOException {
        List<byte[]> out = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "mutation base");
        out.add(written(meta, List.of(
                StBytes.patterned("model.layers.0.mlp.up_proj.weight", DType.F32, 4, 3),
                StBytes.patterned("model.layers.0.mlp.up_proj.bias", DType.BF16, 3),
                StBytes.patterned("model.embed_tokens.weight", DType.F16, 5, 2),
                StBytes.patterned("ids", DType.I64, 2))));
        out.add(written(null, List.of(
                StBytes.patterned("scalar", DType.F64),
                StBytes.patterned("empty", DType.F32, 2, 0),
                StBytes.patterned("nibbles", DType.F4, 6),
                StBytes.patterned("six", DType.F6_E3M2, 4),
                StBytes.patterned("flags", DType.BOOL, 3))));
        out.add(written(Map.of(), List.of()));
        // hand-made, unpadded, unaligned data start
        out.add(StBytes.file("{\"a\":{\"dtype\":\"U16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11]}}", 11));
        return out;
    }

    private static byte[] written(Map<String, String> meta, List<PlannedTensor> tensors) throws IOException {
        Path p = dir.resolve("base" + COUNTER.incrementAndGet() + ".safetensors");
        SafetensorsWriter.write(p, meta, tensors);
        byte[] b = Files.readAllBytes(p);
        Files.delete(p);
        return b;
    }

    // ---------------------------------------------------------------- mutations

    enum Kind { TRUNCATE, FLIP_PREFIX, SET_PREFIX, FLIP_HEADER, REPLACE_DIGIT, DELETE_CHAR, INSERT_CHAR, SEVERAL }

    private static final byte[] INSERTABLE = "{}[]\":, 0123456789-.eE\\u\n\t".getBytes(StandardCharsets.US_ASCII);

    static byte[] mutate(byte[] base, Kind kind, Random r) {
        long n = ByteBuffer.wrap(base, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int headerEnd = (int) (8 + n);
        switch (kind) {
            case TRUNCATE:
                return Arrays.copyOf(base, r.nextInt(base.length));
            case FLIP_PREFIX: {
                byte[] b = base.clone();
                b[r.nextInt(8)] ^= (byte) (1 << r.nextInt(8));
                return b;
            }
            case SET_PREFIX: {
                byte[] b = base.clone();
                long[] choices = {0, 1, n - 1, n + 1, n + 8, base.length - 8, base.length - 7, 100_000_000L,
                        100_000_001L, -1L, Long.MIN_VALUE, r.nextLong(), r.nextInt(1 << 20)};
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(choices[r.nextInt(choices.length)]);
                return b;
            }
            case FLIP_HEADER: {
                byte[] b = base.clone();
                if (n > 0) {
                    b[8 + r.nextInt((int) n)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case REPLACE_DIGIT: {
                byte[] b = base.clone();
                List<Integer> digits = new ArrayList<>();
                for (int i = 8; i < headerEnd; i++) {
                    if (b[i] >= '0' && b[i] <= '9') {
                        digits.add(i);
                    }
                }
                if (!digits.isEmpty()) {
                    b[digits.get(r.nextInt(digits.size()))] = (byte) ('0' + r.nextInt(10));
                }
                return b;
            }
            case DELETE_CHAR: {
                if (n == 0) {
                    return base;
                }
                int at = 8 + r.nextInt((int) n);
                byte[] b = new byte[base.length - 1];
                System.arraycopy(base, 0, b, 0, at);
                System.arraycopy(base, at + 1, b, at, base.length - at - 1);
                if (r.nextBoolean()) { // keep the prefix consistent half the time
                    ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n - 1);
                }
                return b;
            }
            case INSERT_CHAR: {
                int at = 8 + r.nextInt((int) n + 1);
                byte c = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : INSERTABLE[r.nextInt(INSERTABLE.length)];
                byte[] b = new byte[base.length + 1];
                System.arraycopy(base, 0, b, 0, at);
                b[at] = c;
                System.arraycopy(base, at, b, at + 1, base.length - at);
                if (r.nextBoolean()) {
                    ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n + 1);
                }
                return b;
            }
            case SEVERAL: {
                byte[] b = base;
                int times = 2 + r.nextInt(4);
                for (int i = 0; i < times && b.length >= 8; i++) {
                    Kind k = Kind.values()[r.nextInt(Kind.SEVERAL.ordinal())];
                    if (k == Kind.TRUNCATE && b.length > 0) {
                        continue; // truncation last, or the header edits have nothing left
                    }
                    long bn = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    if (bn < 0 || 8 + bn > b.length) {
                        break;
                    }
                    b = mutate(b, k, r);
                }
                return b;
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /**
     * Opens the bytes as a file and reads every tensor: "ok", or "reject:" + the format error, or
     * "invalid" for another InvalidInputException. Anything else fails the try.
     */
    static String outcome(byte[] bytes) throws IOException {
        Path p = dir.resolve("m" + COUNTER.incrementAndGet() + ".safetensors");
        Files.write(p, bytes);
        try {
            Object[] result = new Object[2];
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = mx.getCurrentThreadAllocatedBytes();
                try {
                    result[0] = FuzzOracle.openAndReadAll(p);
                } catch (Throwable t) {
                    result[0] = t;
                }
                result[1] = mx.getCurrentThreadAllocatedBytes() - before;
            }, () -> "opening a mutated file did not finish in 5 s: " + hex(bytes));
            long allocated = (Long) result[1];
            assertThat(allocated).as("bytes allocated to open a %d-byte file", bytes.length)
                    .isLessThan(ALLOCATION_ALLOWANCE + 4L * bytes.length);
            if (result[0] instanceof String s) {
                return s;
            }
            Throwable t = (Throwable) result[0];
            if (t instanceof SafetensorsFormatException e) {
                assertThat(e.getMessage()).contains(p.toString());
                return "reject:" + e.error();
            }
            if (t instanceof InvalidInputException) {
                return "invalid";
            }
            throw new AssertionError("opening a mutated file threw " + t + "; bytes: " + hex(bytes), t);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 400); i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb + (b.length > 400 ? "... (" + b.length + " bytes)" : "");
    }

    @Property(tries = 300)
    void mutatedFilesOpenOrFailWithTheFormatsError(@ForAll @IntRange(min = 0, max = 1000) int baseIndex,
                                                    @ForAll Kind kind, @ForAll long seed) throws IOException {
        byte[] base = bases.get(baseIndex % bases.size());
        byte[] mutated = mutate(base, kind, new Random(seed));
        String o = outcome(mutated);
        Statistics.label("outcome").collect(o);
        Statistics.label("kind").collect(kind);
    }

    @Example
    void hugeDeclaredHeaderIsRefusedBeforeAllocation() throws IOException {
        // 99,999,992 bytes of header claimed by a 40-byte file: refused from the length alone
        byte[] b = StBytes.concat(StBytes.prefix(99_999_992L), "{}                              ".getBytes(StandardCharsets.US_ASCII));
        assertThat(outcome(b)).isEqualTo("reject:" + FormatError.INVALID_HEADER_LENGTH);
        byte[] c = StBytes.concat(StBytes.prefix(-8L), "{}".getBytes(StandardCharsets.US_ASCII));
        assertThat(outcome(c)).isEqualTo("reject:" + FormatError.HEADER_TOO_LARGE);
    }

    @Example
    void everyTruncationOfAFileIsRejected() throws IOException {
        byte[] base = bases.get(0);
        for (int len = 0; len < base.length; len++) {
            assertThat(outcome(Arrays.copyOf(base, len))).as("truncated to %d of %d", len, base.length).startsWith("reject:");
        }
    }

    // ---------------------------------------------------------------- round trip

    record Spec(String name, DType dtype, long[] shape, long seed) {
        byte[] data() {
            byte[] b = new byte[(int) Shapes.byteSize(dtype, shape)];
            new Random(seed).nextBytes(b);
            return b;
        }

        PlannedTensor planned() {
            return StBytes.planned(name, dtype, shape, data());
        }
    }

    @Provide
    Arbitrary<List<Spec>> tensorSets() {
        List<DType> wholeByte = Arrays.stream(DType.values()).filter(d -> d.bits() % 8 == 0).toList();
        Arbitrary<String> names = Arbitraries.strings()
                .withCharRange('a', 'z').withChars("._-0123456789 \"\\/é中\n\t\u0001\u007f")
                .ofMinLength(1).ofMaxLength(24);
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 6).array(long[].class).ofMaxSize(4);
        Arbitrary<Spec> spec = Combinators.combine(names, Arbitraries.of(wholeByte), shapes, Arbitraries.longs())
                .as(Spec::new);
        return spec.list().ofMaxSize(16).uniqueElements(Spec::name);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> s = Arbitraries.strings().withCharRange(' ', '~').withChars("é\n").ofMaxLength(12);
        return Arbitraries.maps(s, s).ofMaxSize(4).injectNull(0.25);
    }

    @Property(tries = 150)
    void writtenTensorsReadBackIdentically(@ForAll("tensorSets") List<Spec> specs,
                                           @ForAll("metadata") Map<String, String> meta) throws IOException {
        Path p = dir.resolve("rt" + COUNTER.incrementAndGet() + ".safetensors");
        try {
            List<PlannedTensor> plan = specs.stream().map(Spec::planned).toList();
            long length = SafetensorsWriter.write(p, meta, plan);
            assertThat(Files.size(p)).isEqualTo(length);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertThat(f.header().headerLength() % 8).isZero();
                assertThat(f.metadata()).isEqualTo(meta);
                assertThat(f.tensors()).hasSize(specs.size());
                // zero-sized tensors may trade places with their neighbours at the same offset;
                // everything else keeps the given order
                List<TensorInfo> got = f.tensors();
                for (Spec s : specs) {
                    TensorInfo t = f.tensor(s.name());
                    assertThat(t).as(s.name()).isNotNull();
                    assertThat(t.dtype()).isEqualTo(s.dtype());
                    assertThat(t.shape()).isEqualTo(s.shape());
                    assertThat(StBytes.tensorBytes(f, t)).isEqualTo(s.data());
                }
                List<String> given = specs.stream().filter(s -> Shapes.byteSize(s.dtype(), s.shape()) > 0).map(Spec::name).toList();
                List<String> read = got.stream().filter(t -> t.byteSize() > 0).map(TensorInfo::name).toList();
                assertThat(read).isEqualTo(given);
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
