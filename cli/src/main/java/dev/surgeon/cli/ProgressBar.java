package dev.surgeon.cli;

import dev.surgeon.io.write.PlannedTensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A progress bar on stderr, redrawn in place at most 10 times a second and ended with a newline;
 * an inert object when not shown (not a terminal, -q, --json), so callers never test. The write
 * path drives it with {@link #start}, {@link #tensorWritten} and {@link #finish} (the methods of
 * the writer's progress hook); step counters (sampling, calibration) with {@link #steps}.
 * Console messages erase the bar first ({@link #suspendActive}) so that they get whole lines.
 */
public final class ProgressBar implements AutoCloseable, dev.surgeon.io.write.WriteProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static volatile ProgressBar active;

    private final String label;
    private final boolean show;
    private final boolean color;
    private final int width;
    private String unit = "tensors";
    private long total;
    private long totalBytes;
    private long done;
    private long bytes;
    private long startNanos;
    private long firstDone; // a step counter's first report may come late: rates count from it
    private long lastDraw;
    private int drawnLength; // printable columns on screen now; 0 when no bar is drawn
    private boolean finished;

    ProgressBar(String label, boolean show, boolean color, int width) {
        this.label = label;
        this.show = show;
        this.color = color;
        this.width = width;
    }

    /** A bar for {@code label} that shows only when stderr is a terminal and not -q / --json. */
    public static ProgressBar create(String label, ReportOptions report) {
        return create(label, Progress.wanted(report));
    }

    public static ProgressBar create(String label, boolean show) {
        return new ProgressBar(label, show, show && Terminal.color(), Terminal.columns());
    }

    String label() {
        return label;
    }

    public boolean shown() {
        return show;
    }

    /** The write begins: {@code tensors} tensors of {@code bytes} bytes in all. */
    @Override
    public synchronized void start(long tensors, long bytes) {
        this.total = tensors;
        this.totalBytes = bytes;
        this.unit = "tensors";
        begin();
        draw(true);
    }

    /** One tensor's bytes are out (called from the writer's thread). */
    @Override
    public synchronized void tensorWritten(String name, long bytes) {
        this.done++;
        this.bytes += bytes;
        draw(false);
    }

    /** A step counter: {@code done} of {@code of} {@code unit}. */
    public synchronized void steps(long done, long of, String unit) {
        if (startNanos == 0) {
            begin();
            firstDone = done;
        }
        this.unit = unit;
        this.done = done;
        this.total = of;
        draw(done >= of);
    }

    /** The last state, drawn once more, and a newline; nothing more is drawn after. */
    @Override
    public synchronized void finish() {
        if (!show || finished || startNanos == 0) {
            finished = true;
            return;
        }
        finished = true;
        draw(true);
        err().println();
        err().flush();
        drawnLength = 0;
        if (active == this) {
            active = null;
        }
    }

    @Override
    public void close() {
        finish();
    }

    /** Erases the active bar's line (a message is about to be printed); the next update redraws it. */
    static void suspendActive() {
        ProgressBar b = active;
        if (b != null) {
            b.erase();
        }
    }

    private void begin() {
        startNanos = System.nanoTime();
        if (show) {
            active = this;
        }
    }

    private synchronized void erase() {
        if (drawnLength > 0) {
            err().print("\r" + " ".repeat(drawnLength) + "\r");
            err().flush();
            drawnLength = 0;
        }
    }

    private void draw(boolean force) {
        if (!show || finished && !force) {
            return;
        }
        long now = System.nanoTime();
        if (!force && drawnLength > 0 && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        // Seconds scaled so that done / seconds is the rate since the first report (firstDone is 0 for a write).
        double elapsed = (now - startNanos) / 1e9;
        double seconds = done > firstDone ? elapsed * done / (done - firstDone) : 0;
        String line = ProgressLine.render(label, done, total, unit, bytes, totalBytes, seconds, width, color);
        int visible = ProgressLine.visibleLength(line);
        String pad = visible < drawnLength ? " ".repeat(drawnLength - visible) : "";
        err().print("\r" + line + pad);
        err().flush();
        drawnLength = visible;
    }

    private static PrintStream err() {
        return System.err;
    }
}
