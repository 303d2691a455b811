package dev.surgeon.ops.data;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How token data is cut into windows (DESIGN "Calibration and the transformer runner").
 * Evaluation: consecutive, non-overlapping windows of T+1 tokens (T inputs and their T next-token
 * targets), the remainder dropped. Calibration: N windows of T tokens at seeded random offsets;
 * when the data holds fewer than N·T tokens, as many consecutive windows as fit, with a warning;
 * only data shorter than one window is an error.
 */
public final class Windows {
    private Windows() {
    }

    /** Calibration windows and the warning to print, or null when there is none. */
    public record Result(int[][] windows, String warning) {
    }

    /** Consecutive non-overlapping windows of {@code t + 1} tokens; the tail that does not fill one is dropped. */
    public static int[][] evaluation(int[] ids, int t) {
        checkLength(t);
        int w = t + 1;
        if (w <= 0 || ids.length < w) {
            throw new InvalidInputException("token data holds " + ids.length + " tokens, fewer than one evaluation window of "
                    + ((long) t + 1) + " (seq-len " + t + " + 1)");
        }
        int n = ids.length / w;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(ids, i * w, i * w + w);
        }
        return out;
    }

    /**
     * {@code samples} windows of {@code t} tokens, each starting at an offset drawn uniformly from
     * every whole-window position by {@code SplittableRandom(seed)}, in draw order; windows may
     * overlap. With fewer than samples·t tokens: the first ⌊len/t⌋ consecutive windows and a warning.
     */
    public static Result calibration(int[] ids, int samples, int t, long seed) {
        checkLength(t);
        if (samples < 1) {
            throw new UsageException("--samples must be at least 1, not " + samples);
        }
        if (ids.length < t) {
            throw new InvalidInputException("calibration data holds " + ids.length
                    + " tokens, fewer than one window of seq-len " + t);
        }
        long needed = (long) samples * t;
        if (ids.length < needed) {
            int n = ids.length / t;
            int[][] out = new int[n][];
            for (int i = 0; i < n; i++) {
                out[i] = Arrays.copyOfRange(ids, i * t, i * t + t);
            }
            String warning = "calibration data holds " + ids.length + " tokens, fewer than " + samples + " samples × "
                    + t + " = " + needed + "; using " + n + " consecutive window" + (n == 1 ? "" : "s") + " of " + t
                    + " tokens instead of " + samples + " random ones";
            return new Result(out, warning);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int positions = ids.length - t + 1;
        int[][] out = new int[samples][];
        for (int i = 0; i < samples; i++) {
            int off = random.nextInt(positions);
            out[i] = Arrays.copyOfRange(ids, off, off + t);
        }
        return new Result(out, null);
    }

    private static void checkLength(int t) {
        if (t < 1) {
            throw new UsageException("--seq-len must be at least 1, not " + t);
        }
    }
}
