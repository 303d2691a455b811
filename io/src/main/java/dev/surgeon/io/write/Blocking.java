package dev.surgeon.io.write;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;

/**
 * The blocking steps of the writer pipelines ({@link PipelinedSink}, {@link DirectFileWriter}): an
 * interrupt while waiting is a failed write (InterruptedIOException, the interrupt flag kept), so
 * the run stops the way any write failure stops it.
 */
final class Blocking {
    private Blocking() {
    }

    static <T> T take(BlockingQueue<T> q) throws IOException {
        try {
            return q.take();
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    static <T> void put(BlockingQueue<T> q, T item) throws IOException {
        try {
            q.put(item);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    static void join(Thread t) throws IOException {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    static InterruptedIOException interrupted() {
        Thread.currentThread().interrupt();
        return new InterruptedIOException("interrupted while writing");
    }
}
