package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cuts made in the write pass, on values the pass has already decoded: one-shot Wanda
 * ({@link Wanda.InWritePass}) zeroes exactly what the mask pass's masks zero, and magnitude by a
 * rule ranks a tensor stored [out, in] in place as a logical copy would rank it; for every rule, on
 * LLaMA weights (stored [out, in]) and GPT-2's Conv1D weights (stored [in, out]), in a decode array
 * longer than the tensor, and in a tensor's own bytes.
 */
class WritePassCutTest {
    /** Slab sizes: one row at a time, a few rows with a shorter last slab, and the default. */
    private static final int[] SLABS = {1, 300, RowSlabs.SLAB};

    private static final List<MaskRule> RULES = List.of(MaskRule.perRow(0.5), MaskRule.perRow(0.37),
            MaskRule.perMatrix(0.3), MaskRule.nm(2, 4), MaskRule.nm(1, 8));

    @ParameterizedTest
    @ValueSource(strings = {"testbed:base", "real:gpt2-tiny-random-lmhead"})
    void theWritePassCutEqualsTheWholeTensorCut(String model) {
        try (Checkpoint c = TinyLlama.openShared(model)) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            assertThat(targets).isNotEmpty();
            Random random = new Random(7);
            for (PrunableTensor t : targets) {
                assertThat(t.transposed()).isEqualTo(model.startsWith("real:"));
                double[] sq = sqSums(t, random);
                float[] stored = ElementReader.readAll(t.ref());
                for (MaskRule rule : RULES) {
                    PruneMask wanda = Wanda.mask(t, sq, rule);
                    for (int slab : SLABS) {
                        assertCut(t, stored, new Wanda.InWritePass(name -> sq, x -> rule, slab), wanda, "wanda slab " + slab);
                    }
                    PruneMask magnitude = rule.select(t, t.toLogical(stored.clone()));
                    assertCut(t, stored, TensorPruner.magnitude(rule), magnitude, "magnitude");
                }
            }
        }
    }

    /** {@code pruner} cuts {@code stored}, held in a longer array, as {@code mask} says, and leaves the rest alone. */
    private static void assertCut(PrunableTensor t, float[] stored, TensorPruner pruner, PruneMask mask, String what) {
        int n = stored.length;
        float[] expected = stored.clone();
        TensorPruner.applyMask(t, mask, expected);
        float[] cut = Arrays.copyOf(stored, n + 7); // the write pass's arrays may be longer
        Arrays.fill(cut, n, n + 7, 1e-30f); // beyond the tensor: never ranked, never cut
        long pruned = pruner.prune(t, cut, n);
        assertThat(pruned).as(t.name() + " " + what).isEqualTo(mask.count());
        assertThat(Arrays.copyOf(cut, n)).as(t.name() + " " + what).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(cut, n, n + 7)).as(t.name() + " " + what).containsOnly(1e-30f);
    }

    /**
     * A tensor kept in its dtype is cut in its bytes, by Wanda and by magnitude per row or N:M: the
     * same zeros as the mask of the values those bytes hold, ±0 written +0, and the zeros counted.
     */
    @ParameterizedTest
    @ValueSource(strings = {"BF16", "F16", "F32"})
    void aTensorKeptInItsDtypeIsCutInItsBytes(String dtypeName) {
        DType dtype = DType.valueOf(dtypeName);
        try (Checkpoint c = TinyLlama.openShared("testbed:base")) {
            Random random = new Random(11);
            for (PrunableTensor t : TinyLlama.targets(c)) {
                double[] sq = sqSums(t, random);
                int n = (int) t.numel();
                int w = dtype.byteWidth();
                float[] values = ElementReader.readAll(t.ref());
                values[0] = -0f; // a negative zero the cut must write as +0 whether or not it is pruned
                values[n - 1] = 0f;
                ByteBuffer bytes = ByteBuffer.allocate(3 + n * w).order(ByteOrder.LITTLE_ENDIAN);
                bytes.position(3); // at an offset inside the array, as in a reused buffer
                ElementCodec.encode(dtype, values, 0, n, bytes);
                float[] held = new float[n]; // the values as the dtype holds them
                ElementCodec.decode(dtype, ByteBuffer.wrap(bytes.array(), 3, n * w).order(ByteOrder.LITTLE_ENDIAN), held, 0, n);
                for (MaskRule rule : List.of(MaskRule.perRow(0.5), MaskRule.nm(2, 4))) {
                    // LLaMA: stored = logical; Wanda ranks |w|·‖X‖, magnitude |w|
                    PruneMask wanda = rule.select(t, Wanda.scores(t, held, sq));
                    for (int slab : SLABS) {
                        assertCutInBytes(t, dtype, bytes.array(), held, new Wanda.InWritePass(name -> sq, x -> rule, slab),
                                wanda, "wanda slab " + slab);
                    }
                    assertCutInBytes(t, dtype, bytes.array(), held, (TensorPruner.BytesCut) TensorPruner.magnitude(rule),
                            rule.select(t, held.clone()), "magnitude");
                }
            }
        }
    }

    /** {@code pruner} cuts the tensor in {@code stored} (from offset 3) as {@code mask} says, writing -0 as +0. */
    private static void assertCutInBytes(PrunableTensor t, DType dtype, byte[] stored, float[] held,
                                         TensorPruner.BytesCut pruner, PruneMask mask, String what) {
        int n = held.length;
        int w = dtype.byteWidth();
        float[] expected = held.clone();
        TensorPruner.applyMask(t, mask, expected);
        long expectedZeros = 0;
        for (int i = 0; i < n; i++) {
            expected[i] = expected[i] == 0 ? 0f : expected[i]; // -0 → +0
            expectedZeros += expected[i] == 0 ? 1 : 0;
        }
        assertThat(pruner.cutsBytes(t)).isTrue();
        byte[] a = stored.clone();
        long[] r = pruner.cutBytes(t, dtype, a, 3);
        float[] got = new float[n];
        ElementCodec.decode(dtype, ByteBuffer.wrap(a, 3, n * w).order(ByteOrder.LITTLE_ENDIAN), got, 0, n);
        String as = t.name() + " " + dtype + " " + what;
        assertThat(r[0]).as(as).isEqualTo(mask.count());
        assertThat(r[1]).as(as).isEqualTo(expectedZeros);
        assertThat(bits(got)).as(as).isEqualTo(bits(expected));
        assertThat(a[0] == stored[0] && a[1] == stored[1] && a[2] == stored[2]).as("bytes before the tensor untouched").isTrue();
    }

    /** Raw bits, so +0 and -0 differ. */
    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static double[] sqSums(PrunableTensor t, Random random) {
        double[] sq = new double[(int) t.cols()];
        for (int j = 0; j < sq.length; j++) {
            sq[j] = random.nextDouble() * 4;
        }
        return sq;
    }
}
