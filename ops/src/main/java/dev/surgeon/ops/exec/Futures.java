package dev.surgeon.ops.exec;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for a worker's result: its failure is rethrown as it was thrown. */
public final class Futures {
    private Futures() {
    }

    /**
     * The task's result; its exception rethrown unwrapped (a SurgeonException keeps its exit code,
     * an UncheckedIOException becomes its IOException), an interrupt as an InterruptedIOException.
     */
    public static <T> T await(Future<T> f, String what) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw unchecked(c);
        }
    }

    /**
     * The result of compute work (no I/O inside a write): its RuntimeException or Error rethrown
     * as thrown, anything else wrapped; an interrupt as an IllegalStateException.
     */
    public static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
    }

    private static RuntimeException unchecked(Throwable c) {
        if (c instanceof RuntimeException re) {
            return re;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(c);
    }
}
