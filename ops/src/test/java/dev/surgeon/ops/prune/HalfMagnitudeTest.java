package dev.surgeon.ops.prune;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The 16-bit in-place cut gives the bytes of the decode → select → encode path, ties and zeros included. */
class HalfMagnitudeTest {
    @Test
    void sameBytesAsTheDecodedCut() {
        Random rnd = new Random(11);
        for (DType dt : new DType[] {DType.BF16, DType.F16}) {
            for (int trial = 0; trial < 40; trial++) {
                int n = 1 + rnd.nextInt(3000);
                int keys = 1 + rnd.nextInt(trial % 2 == 0 ? 8 : 20000); // few keys: many ties
                byte[] a = new byte[2 * n + 6];
                ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    int key = rnd.nextInt(keys);
                    if (dt == DType.F16 && key >= 0x7c00) {
                        key = key % 0x7c00; // finite values only: NaN orders alike but decodes to one NaN
                    }
                    b.putShort(6 + 2 * i, (short) (key | (rnd.nextBoolean() ? 0x8000 : 0)));
                }
                long k = rnd.nextInt(n + 1);

                float[] v = new float[n];
                ElementCodec.decode(dt, ByteBuffer.wrap(a, 6, 2 * n).order(ByteOrder.LITTLE_ENDIAN), v, 0, n);
                long pruned = KeyThreshold.lowest(v, n, k).apply(v, n);
                ByteBuffer expected = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    v[i] = v[i] == 0f ? 0f : v[i]; // ±0 is written +0
                }
                ElementCodec.encode(dt, v, 0, n, expected);
                long zeros = 0;
                for (float x : v) {
                    zeros += x == 0f ? 1 : 0;
                }

                long[] r = HalfMagnitude.cut(a, 6, n, k);
                assertThat(r[0]).isEqualTo(pruned).isEqualTo(k);
                assertThat(r[1]).as("zeros").isEqualTo(zeros);
                byte[] got = java.util.Arrays.copyOfRange(a, 6, 6 + 2 * n);
                assertThat(got).as("%s n=%d k=%d keys=%d", dt, n, k, keys).containsExactly(expected.array());
            }
        }
    }
}
