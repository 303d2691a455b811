package dev.surgeon.io.safetensors;

import dev.surgeon.io.error.InvalidInputException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Judges one fuzz input: written to a file, opened and every tensor read. Acceptable outcomes are
 * "ok", "reject:KIND" (a {@link SafetensorsFormatException} naming the file) and "invalid" (another
 * {@link InvalidInputException}); anything else is a crash: another exception, more than the time
 * allowed per input, or more heap allocated than a small allowance plus a few times the file size.
 */
final class FuzzOracle implements AutoCloseable {
    /** What happened: a label, and for a crash the reason (null when the outcome is acceptable). */
    record Outcome(String label, String crash, Throwable cause) {
        boolean crashed() {
            return crash != null;
        }
    }

    /** Bytes one open may allocate beyond a few times the file's size. */
    static final long ALLOCATION_ALLOWANCE = 32L << 20;

    private final Path dir;
    private final Duration perInput;
    private final AtomicLong counter = new AtomicLong();
    private ExecutorService worker = newWorker();

    FuzzOracle(Path dir, Duration perInput) {
        this.dir = dir;
        this.perInput = perInput;
    }

    Outcome judge(byte[] bytes) throws IOException {
        Path p = dir.resolve("f" + counter.incrementAndGet() + ".safetensors");
        Files.write(p, bytes);
        try {
            Future<Object[]> f = worker.submit(() -> {
                com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = mx.getCurrentThreadAllocatedBytes();
                Object result;
                try {
                    result = openAndReadAll(p);
                } catch (Throwable t) {
                    result = t;
                }
                return new Object[] {result, mx.getCurrentThreadAllocatedBytes() - before};
            });
            Object[] r;
            try {
                r = f.get(perInput.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                worker.shutdownNow();
                worker = newWorker(); // the stuck thread is abandoned; the campaign stops soon after
                return new Outcome("hang", "did not finish in " + perInput.toMillis() + " ms", null);
            } catch (Exception e) {
                return new Outcome("crash", "the judge failed: " + e, e);
            }
            long allocated = (Long) r[1];
            if (allocated > ALLOCATION_ALLOWANCE + 4L * bytes.length) {
                return new Outcome("allocation", "allocated " + allocated + " bytes to open a " + bytes.length + "-byte file", null);
            }
            if (r[0] instanceof String s) {
                return new Outcome(s, null, null);
            }
            Throwable t = (Throwable) r[0];
            if (t instanceof SafetensorsFormatException e) {
                if (!e.getMessage().contains(p.toString())) {
                    return new Outcome("unnamed", "the message does not name the file: " + e.getMessage(), e);
                }
                return new Outcome("reject:" + e.error(), null, null);
            }
            if (t instanceof InvalidInputException) {
                return new Outcome("invalid", null, null);
            }
            return new Outcome("crash", "threw " + t, t);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /** Opens {@code p} and reads every tensor whole and in chunks; "ok" or the format's exception. */
    static String openAndReadAll(Path p) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            long sum = 0;
            for (TensorInfo t : f.tensors()) {
                sum += f.readAll(t).remaining();
                long[] seen = {0};
                f.forEachChunk(t, 5, (chunk, off) -> seen[0] += chunk.remaining());
                if (seen[0] != t.byteSize()) {
                    throw new IllegalStateException("streamed " + seen[0] + " bytes of tensor '" + t.name() + "', expected " + t.byteSize());
                }
                t.numel();
            }
            if (sum != f.header().dataLength()) {
                throw new IllegalStateException("read " + sum + " data bytes, the header says " + f.header().dataLength());
            }
            return "ok";
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-judge");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
