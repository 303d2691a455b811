package dev.surgeon.ops.prune;

import dev.surgeon.ops.exec.Futures;
import dev.surgeon.ops.exec.MemoryBudget;
import dev.surgeon.ops.exec.Workers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;

/**
 * Computes the pruned tensors of a plan ahead of the writer, on {@code threads} shared workers: when
 * the writer reaches pruned tensor i, tensors i .. i + threads − 1 are computing or done, so a
 * whole-tensor cut (which cannot be streamed) overlaps the writes and copies around it. Results are
 * taken in plan order, so the output does not depend on the thread count. At most {@code threads}
 * results exist at a time, each one output buffer, recycled; and only as many as the
 * {@link MemoryBudget} holds: a tensor is started ahead only when its working memory fits beside
 * those in flight, and the one the writer needs next waits for room.
 */
final class PruneAhead {
    private final int threads;
    private final List<MaskedTensor> order = new ArrayList<>();
    private final Map<MaskedTensor, Integer> index = new IdentityHashMap<>();
    private final Map<Integer, Future<MaskedTensor.Computed>> running = new HashMap<>();
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final Map<Integer, MemoryBudget.Lease> leases = new java.util.concurrent.ConcurrentHashMap<>();
    private final Runnable onDone;
    private int submitted;

    PruneAhead(int threads, Runnable onDone) {
        this.threads = Math.max(1, threads);
        this.onDone = onDone == null ? () -> { } : onDone;
    }

    /** Fixes the write order (the plan's order of its pruned tensors). */
    void order(List<MaskedTensor> tensors) {
        order.clear();
        index.clear();
        for (MaskedTensor t : tensors) {
            index.put(t, order.size());
            order.add(t);
        }
    }

    /** The computed tensor, waiting for it if needed; the writer calls this in plan order, and {@link #written} after. */
    synchronized MaskedTensor.Computed take(MaskedTensor t) throws IOException {
        Integer i = index.get(t);
        if (i == null) {
            throw new IllegalStateException("tensor '" + t.tensor().name() + "' is not in this plan");
        }
        if (threads == 1 || i < submitted && !running.containsKey(i)) {
            // one thread, or written out of order (not the plan's own order): compute it here
            lease(i, t, true);
            MaskedTensor.Computed c = t.compute(buffer(t));
            onDone.run();
            return c;
        }
        if (i >= submitted) {
            submitted = i;
            submit(i, true);
        }
        submitAhead(i + threads);
        MaskedTensor.Computed c = Futures.await(running.remove(i), "pruning a tensor");
        onDone.run();
        return c;
    }

    /** The writer has written tensor {@code t}: its buffer and its share of the budget come back. */
    void written(MaskedTensor t, ByteBuffer b) {
        free.add(b);
        Integer i = index.get(t);
        MemoryBudget.Lease lease = i == null ? null : leases.remove(i);
        if (lease != null) {
            lease.close();
        }
    }

    /**
     * Starts the first pruned tensors while the writer is still copying the tensors before them
     * (embeddings and lm_head come first in the reference order, and are the largest).
     */
    synchronized void start() {
        if (threads > 1 && submitted == 0) {
            submitAhead(threads);
        }
    }

    /** Submits, in order, the pruned tensors before index {@code end} not yet submitted, while the budget has room. */
    private void submitAhead(int end) {
        int until = Math.min(order.size(), end);
        while (submitted < until && submit(submitted, false)) {
            // submitted advanced
        }
    }

    /** Submits tensor {@code j} (the next in order) if its memory fits, or after waiting for room when {@code wait}. */
    private boolean submit(int j, boolean wait) {
        MaskedTensor m = order.get(j);
        if (!lease(j, m, wait)) {
            return false;
        }
        running.put(j, Workers.shared(threads).submit(() -> m.compute(buffer(m))));
        submitted = j + 1;
        return true;
    }

    private boolean lease(int j, MaskedTensor m, boolean wait) {
        try {
            MemoryBudget.Lease lease = wait ? MemoryBudget.acquire(m.workingBytes()) : MemoryBudget.tryAcquire(m.workingBytes());
            if (lease == null) {
                return false;
            }
            leases.put(j, lease);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for memory");
        }
    }

    /** After a failure: lets the tensors computing finish and drops the rest, without interrupting reads. */
    synchronized void cancel() {
        for (Future<MaskedTensor.Computed> f : running.values()) {
            f.cancel(false);
        }
        running.clear();
        leases.values().forEach(MemoryBudget.Lease::close);
        leases.clear();
    }

    private ByteBuffer buffer(MaskedTensor t) {
        int need = t.bufferBytes();
        ByteBuffer b;
        while ((b = free.poll()) != null) {
            if (b.capacity() >= need) {
                b.clear();
                return b;
            }
        }
        return ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
    }
}
