package dev.surgeon.ops.select;

/**
 * The exact k-th largest magnitude |x| of a stream of floats, found in two passes over the data with
 * 65536 counters per pass, whatever the stream's length (a whole model's worth of elements).
 *
 * <p>A non-negative float orders like its bit pattern read as an int, so |x| is ranked by the key
 * {@code floatToRawIntBits(x) & 0x7fffffff}. Pass 1 counts the high 16 bits of every key; the bin that
 * holds the k-th largest is found by scanning from the top. Pass 2 counts the low 16 bits of the keys
 * inside that bin, which pins the exact key. NaN ranks above +Infinity (its key is larger).
 *
 * <p>Use: for each pass, workers call {@link #count} into their own {@link #newCounts()} array and hand
 * it to {@link #merge} (thread-safe; counts are integers, so the result does not depend on the order);
 * then one thread calls {@link #endPass()}. Repeat while {@link #done()} is false (at most twice).
 * {@code k = 0} needs no pass: nothing is kept. For the k-th smallest of n values ask for the
 * (n − k + 1)-th largest.
 */
public final class RadixSelect {
    public static final int BINS = 1 << 16;
    /** A key above every float's: the threshold of {@code k = 0}, which keeps nothing. */
    public static final long NONE = 1L << 31;

    private final long k;
    private final long[] merged = new long[BINS];
    private int phase;            // 0: counting high halves, 1: low halves inside bin, 2: done
    private int bin = -1;          // high 16 bits of the answer
    private long rankInBin;        // the answer is the rankInBin-th largest key inside bin (1-based)
    private long total = -1;       // elements seen in pass 1
    private long answer = NONE;

    /** Selects the k-th largest magnitude (1-based; 0 keeps nothing). */
    public RadixSelect(long k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, not " + k);
        }
        this.k = k;
        this.phase = k == 0 ? 2 : 0;
    }

    /** The ranking key of |x|: its bit pattern, which orders like the value. */
    public static int key(float x) {
        return Float.floatToRawIntBits(x) & 0x7fffffff;
    }

    /** A zeroed counter array for one worker and one pass. */
    public static long[] newCounts() {
        return new long[BINS];
    }

    public long k() {
        return k;
    }

    public boolean done() {
        return phase == 2;
    }

    /** 1 or 2 while counting: which pass {@link #count} feeds. */
    public int pass() {
        return phase + 1;
    }

    /** Adds {@code values[from .. from+n)} to {@code counts} for the current pass. */
    public void count(long[] counts, float[] values, int from, int n) {
        int end = from + n;
        if (phase == 0) {
            for (int i = from; i < end; i++) {
                counts[(Float.floatToRawIntBits(values[i]) & 0x7fffffff) >>> 16]++;
            }
        } else if (phase == 1) {
            int b = bin;
            for (int i = from; i < end; i++) {
                int key = Float.floatToRawIntBits(values[i]) & 0x7fffffff;
                if (key >>> 16 == b) {
                    counts[key & 0xffff]++;
                }
            }
        } else {
            throw new IllegalStateException("selection already done");
        }
    }

    /** Adds a worker's counts of the current pass and zeroes them, so the array can be reused. */
    public synchronized void merge(long[] counts) {
        for (int i = 0; i < BINS; i++) {
            merged[i] += counts[i];
            counts[i] = 0;
        }
    }

    /** Closes the current pass after every worker merged: picks the bin (pass 1) or the key (pass 2). */
    public synchronized void endPass() {
        if (phase == 0) {
            total = 0;
            for (long c : merged) {
                total += c;
            }
            if (k > total) {
                throw new IllegalStateException("k = " + k + " but only " + total + " values were counted");
            }
            long above = 0;
            for (int b = BINS - 1; b >= 0; b--) {
                if (above + merged[b] >= k) {
                    bin = b;
                    rankInBin = k - above;
                    break;
                }
                above += merged[b];
            }
            java.util.Arrays.fill(merged, 0);
            phase = 1;
        } else if (phase == 1) {
            long above = 0;
            for (int j = BINS - 1; j >= 0; j--) {
                if (above + merged[j] >= rankInBin) {
                    answer = ((long) bin << 16) | j;
                    break;
                }
                above += merged[j];
            }
            if (answer == NONE) {
                throw new IllegalStateException("pass 2 counted fewer values in bin " + bin + " than pass 1");
            }
            phase = 2;
        } else {
            throw new IllegalStateException("selection already done");
        }
    }

    /** The k-th largest key; {@link #NONE} for k = 0. */
    public long thresholdKey() {
        requireDone();
        return answer;
    }

    /** The k-th largest magnitude; +Infinity for k = 0 (nothing is kept). */
    public float threshold() {
        requireDone();
        return answer == NONE ? Float.POSITIVE_INFINITY : Float.intBitsToFloat((int) answer);
    }

    /** True when |x| is at least the threshold: exactly the k largest, plus any ties at the threshold. */
    public boolean keeps(float x) {
        return key(x) >= answer;
    }

    private void requireDone() {
        if (phase != 2) {
            throw new IllegalStateException("selection not finished (pass " + pass() + " pending)");
        }
    }

    /** The k-th largest |x| of an array, by the same two passes (for tests and in-memory callers). */
    public static float kthLargest(float[] values, long k) {
        RadixSelect s = new RadixSelect(k);
        long[] counts = newCounts();
        while (!s.done()) {
            s.count(counts, values, 0, values.length);
            s.merge(counts);
            s.endPass();
        }
        return s.threshold();
    }
}
