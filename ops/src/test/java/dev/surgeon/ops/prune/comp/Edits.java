package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.exec.ElementReader;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/** Small helpers for the structured-pruning tests: seeded neuron choices and tensor reads. */
final class Edits {
    private Edits() {
    }

    /** {@code k} of {@code width} neurons, ascending, chosen from {@code seed}. */
    static int[] pick(int width, int k, long seed) {
        Random rnd = new Random(seed);
        TreeSet<Integer> s = new TreeSet<>();
        while (s.size() < k) {
            s.add(rnd.nextInt(width));
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Scales in [0.5, 1.5), far enough from 1 that a missing or misplaced scale shows. */
    static float[] scales(int k, long seed) {
        Random rnd = new Random(seed);
        float[] s = new float[k];
        for (int i = 0; i < k; i++) {
            s[i] = 0.5f + rnd.nextFloat();
        }
        return s;
    }

    static BlockNeurons scaled(int width, int k, long seed) {
        return new BlockNeurons(pick(width, k, seed), scales(k, seed + 1));
    }

    static StructuredEdit edit(int blocks, int[] removed, Map<Integer, BlockNeurons> neurons) {
        TreeSet<Integer> r = new TreeSet<>();
        for (int b : removed) {
            r.add(b);
        }
        return new StructuredEdit(blocks, r, new TreeMap<>(neurons));
    }

    /** A tensor of a checkpoint decoded to F32. */
    static float[] read(Checkpoint c, String name) {
        return ElementReader.readAll(c.tensor(name));
    }
}
