package dev.surgeon.ops.prune;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ECoFLaP's per-block budgets turned into per-tensor mask rules for stage 2: each block prunes
 * exactly its allocation, each row ⌊in·s_g⌋ or one more ({@link BlockRowCounts}). The budgets come
 * from stage-1 scores ({@link Allocation}) or from a {@link SparsityFile}.
 */
final class Ecoflap {
    private Ecoflap() {
    }

    /**
     * One block's budget.
     *
     * @param weights n_g
     * @param prune   weights the block prunes, n_g − k_g
     * @param score   S_g (NaN without stage 1)
     */
    record Budget(int block, long weights, long prune, double score) {
        /** s_g = 1 − k_g/n_g. */
        double sparsity() {
            return Allocation.sparsity(weights - prune, weights);
        }
    }

    /** The rules by tensor name and the budgets by block. */
    record Plan(Map<String, MaskRule> rules, List<Budget> budgets, List<String> warnings) {
    }

    /** Stage 1's tensor scores summed per block, the allocation at {@code ratio}, and the rules. */
    static Plan fromScores(List<PrunableTensor> targets, double[] tensorScores, double ratio) {
        TreeMap<Integer, List<PrunableTensor>> groups = byBlock(targets);
        int g = groups.size();
        long[] sizes = new long[g];
        double[] scores = new double[g];
        Map<Integer, Integer> index = new java.util.HashMap<>();
        for (int b : groups.keySet()) {
            index.put(b, index.size());
        }
        for (int t = 0; t < targets.size(); t++) {
            int i = index.get(targets.get(t).block());
            sizes[i] += targets.get(t).numel();
            scores[i] += tensorScores[t];
        }
        long[] keep = Allocation.keep(sizes, scores, ratio);
        List<String> warnings = new ArrayList<>();
        long total = 0;
        long kept = 0;
        for (int i = 0; i < g; i++) {
            total += sizes[i];
            kept += keep[i];
        }
        long budget = Allocation.times(total, BigDecimal.ONE.subtract(BigDecimal.valueOf(ratio)), RoundingMode.FLOOR);
        if (kept != budget) {
            warnings.add("ecoflap: the blocks' floors keep " + kept + " weights, more than the budget of " + budget
                    + " (blocks under 10 weights); the total sparsity is below the ratio");
        }
        Map<String, MaskRule> rules = new LinkedHashMap<>();
        List<Budget> budgets = new ArrayList<>();
        int at = 0;
        for (Map.Entry<Integer, List<PrunableTensor>> e : groups.entrySet()) {
            long prune = sizes[at] - keep[at];
            rules.putAll(BlockRowCounts.rules(e.getValue(), prune));
            budgets.add(new Budget(e.getKey(), sizes[at], prune, scores[at]));
            at++;
        }
        return new Plan(rules, budgets, warnings);
    }

    /** Budgets of a sparsity file: tensor entries exact per tensor, the rest of each block exact per block. */
    static Plan fromFile(List<PrunableTensor> targets, SparsityFile file, double ratio) {
        Map<String, MaskRule> rules = new LinkedHashMap<>();
        List<Budget> budgets = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        TreeMap<Integer, List<PrunableTensor>> groups = byBlock(targets);
        for (int b : file.blocks().keySet()) {
            if (!groups.containsKey(b)) {
                warnings.add("sparsity file: block " + b + " has no tensors being pruned; its entry is ignored");
            }
        }
        for (Map.Entry<Integer, List<PrunableTensor>> e : groups.entrySet()) {
            double s = file.blocks().getOrDefault(e.getKey(), ratio);
            List<PrunableTensor> rest = new ArrayList<>();
            long weights = 0;
            long prune = 0;
            for (PrunableTensor t : e.getValue()) {
                weights += t.numel();
                Double own = file.tensors().get(t.name());
                if (own == null) {
                    rest.add(t);
                    continue;
                }
                long p = Allocation.times(t.numel(), BigDecimal.valueOf(own), RoundingMode.FLOOR);
                rules.putAll(BlockRowCounts.rules(List.of(t), p));
                prune += p;
            }
            long restSize = rest.stream().mapToLong(PrunableTensor::numel).sum();
            long p = Allocation.times(restSize, BigDecimal.valueOf(s), RoundingMode.FLOOR);
            rules.putAll(BlockRowCounts.rules(rest, p));
            prune += p;
            budgets.add(new Budget(e.getKey(), weights, prune, Double.NaN));
        }
        return new Plan(rules, budgets, warnings);
    }

    static TreeMap<Integer, List<PrunableTensor>> byBlock(List<PrunableTensor> targets) {
        TreeMap<Integer, List<PrunableTensor>> groups = new TreeMap<>();
        for (PrunableTensor t : targets) {
            groups.computeIfAbsent(t.block(), k -> new ArrayList<>()).add(t);
        }
        return groups;
    }
}
