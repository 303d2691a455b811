package dev.surgeon.ops.prune;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Magnitude per matrix straight on the stored bytes of a 16-bit float tensor (BF16, F16) kept in its
 * own dtype: both are sign-magnitude, so |w| ranks exactly like the 15 low bits of each element, and
 * one 32768-bin histogram of those bits gives the exact threshold of the ⌊n·S⌋ lowest — no decode,
 * no second selection pass. The same cut as {@link TensorPruner#magnitudeMatrix} (ties to the lower
 * flat index, ±0 written +0), for tensors stored in their logical [out, in] layout.
 */
final class HalfMagnitude {
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private HalfMagnitude() {
    }

    /**
     * Prunes the {@code k} lowest of the {@code n} elements of {@code a} from {@code base}; returns
     * {pruned, zeros of the result}.
     */
    static long[] cut(byte[] a, int base, int n, long k) {
        int[] hist = new int[1 << 15];
        for (int i = 0; i < n; i++) {
            hist[(short) SHORTS.get(a, base + 2 * i) & 0x7fff]++;
        }
        // t: the key of the k-th lowest; every key below t goes, then the first `ties` keys equal to t
        int t = 0;
        long below = 0;
        if (k > 0) {
            while (below + hist[t] < k) {
                below += hist[t];
                t++;
            }
        }
        long ties = k - below;
        int cut = k > 0 ? t : 0; // keys < cut are pruned unconditionally (none when k = 0)
        long zeros = 0;
        for (int i = 0; i < n; i++) {
            int at = base + 2 * i;
            short s = (short) SHORTS.get(a, at);
            int key = s & 0x7fff;
            // keep = 0 when key < cut or key = 0 (±0 is written +0), else −1
            int keep = ~(((key - cut) >> 31) | ((key - 1) >> 31));
            zeros += 1 + keep;
            SHORTS.set(a, at, (short) (s & keep));
        }
        if (k > 0 && ties > 0) {
            for (int i = 0; i < n && ties > 0; i++) {
                int at = base + 2 * i;
                if (((short) SHORTS.get(a, at) & 0x7fff) == t) {
                    SHORTS.set(a, at, (short) 0);
                    ties--;
                    if (t != 0) {
                        zeros++;
                    }
                }
            }
        }
        return new long[] {k, zeros};
    }
}
