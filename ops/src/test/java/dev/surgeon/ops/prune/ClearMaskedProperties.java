package dev.surgeon.ops.prune;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Clearing a mask in the stored bytes gives the bytes and zero count of the decode-cut-clear path. */
class ClearMaskedProperties {
    @Property(tries = 80)
    void sameBytesAndZerosAsTheDecodedPath(@ForAll long seed, @ForAll @IntRange(min = 1, max = 700) int n,
                                           @ForAll boolean wide) {
        Random r = new Random(seed);
        int w = wide ? 4 : 2;
        byte[] a = new byte[3 + n * w];
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[n + 5]; // reused arrays may be longer
        PruneMask m = new PruneMask(1, n);
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(6);
            // ±0 inputs, subnormals and ordinary values, in both widths
            int bits32 = pick == 0 ? 0 : pick == 1 ? 0x80000000 : pick == 2 ? r.nextInt(0x7fffff) : r.nextInt();
            if (w == 2) {
                short h = (short) (bits32 >>> 16);
                b.putShort(3 + 2 * i, h);
                v[i] = Float.intBitsToFloat(h << 16);
            } else {
                b.putInt(3 + 4 * i, bits32);
                v[i] = Float.intBitsToFloat(bits32);
            }
            if (r.nextBoolean()) {
                m.prune(i);
            }
        }
        byte[] expected = a.clone();
        m.zeroPruned(v);
        long zerosExpected = MaskedTensor.clearZeros(expected, 3, v, n, w);
        long zeros = MaskedTensor.clearMasked(a, 3, m, n, w);
        assertThat(a).isEqualTo(expected);
        assertThat(zeros).isEqualTo(zerosExpected);
    }
}
