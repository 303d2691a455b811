package dev.surgeon.ops.runner;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * F32 scratch arrays reused from block to block and batch to batch. ND4J zero-fills every new
 * buffer, and fresh memory is slow to touch: profiles put a fifth of a forward pass in allocation.
 * A runner's intermediates come back in the same few sizes, so a free list per element count
 * serves them. Single-threaded, like the runner; an array given back must not be used again.
 */
final class ArrayPool {
    private final Map<List<Long>, ArrayDeque<INDArray>> free = new HashMap<>();

    /**
     * A contiguous 'c' array of exactly {@code shape}, contents undefined. Arrays are kept per shape
     * (not reshaped from another): ND4J computes a product into a view through a temporary.
     */
    INDArray take(long... shape) {
        ArrayDeque<INDArray> q = free.get(key(shape));
        INDArray a = q == null ? null : q.poll();
        return a != null ? a : Nd4j.createUninitialized(DataType.FLOAT, shape);
    }

    /** Returns {@code a} (taken from this pool, in its taken shape) for reuse. */
    void give(INDArray a) {
        if (a != null) {
            free.computeIfAbsent(key(a.shape()), k -> new ArrayDeque<>()).push(a);
        }
    }

    private static List<Long> key(long[] shape) {
        List<Long> k = new ArrayList<>(shape.length);
        for (long s : shape) {
            k.add(s);
        }
        return k;
    }

    /** Frees every pooled array now: the pool can hold large ones (eval's logits) that the garbage collector would keep long. */
    void clear() {
        free.values().forEach(q -> q.forEach(RunnerBase::free));
        free.clear();
    }
}
