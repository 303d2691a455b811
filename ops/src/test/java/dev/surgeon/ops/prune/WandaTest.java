package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.Calibrator;
import dev.surgeon.ops.runner.LlamaRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Wanda's masks on a tiny model: brute-force reference, exact counts, sequential vs one-shot, --stats. */
class WandaTest {
    @TempDir
    Path tmp;

    private Path model;

    @BeforeEach
    void setUp() throws Exception {
        model = TinyLlama.write(tmp.resolve("m"), 7);
    }

    private static CalibratedPruning.Request wanda(double ratio, boolean oneShot) {
        return new CalibratedPruning.Request(CalibratedPruning.Method.WANDA, ratio, 0, 0, false, oneShot, null, 3, 0);
    }

    private static CalibratedPruning.Result run(Checkpoint c, List<PrunableTensor> targets, int[][] windows,
                                                CalibratedPruning.Request req) {
        try (LlamaRunner r = LlamaRunner.open(c)) {
            return CalibratedPruning.run(r, c, targets, windows, null, req, m -> { });
        }
    }

    /** Lowest scores (|W|·√Σx², in double) first, the lower flat index first among equals. */
    private static List<Integer> order(float[] logical, double[] sq, int cols, int from, int len) {
        List<Integer> idx = new ArrayList<>();
        for (int i = from; i < from + len; i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingDouble(i -> Math.abs(logical[i]) * Math.sqrt(sq[i % cols]))
                .thenComparingInt(i -> i));
        return idx;
    }

    @Test
    void masksEqualBruteForceReference() throws Exception {
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            PrunableTensor t = TinyLlama.targets(c).stream()
                    .filter(x -> x.name().equals("model.layers.0.mlp.down_proj.weight")).findFirst().orElseThrow();
            int rows = (int) t.rows();
            int cols = (int) t.cols();
            float[] w = TestWeights.f32(model.resolve("model.safetensors"), t.name());
            Random rnd = new Random(3);
            double[] sq = new double[cols];
            for (int j = 0; j < cols; j++) {
                sq[j] = rnd.nextDouble() * rnd.nextDouble() * 100; // a spread like real channel norms
            }
            // per row at 0.4: ⌊24·0.4⌋ = 9 per row
            PruneMask row = Wanda.mask(t, sq, MaskRule.perRow(0.4));
            PruneMask expected = new PruneMask(rows, cols);
            for (int r = 0; r < rows; r++) {
                order(w, sq, cols, r * cols, cols).subList(0, 9).forEach(expected::prune);
            }
            assertThat(row).isEqualTo(expected);
            // per matrix: ⌊384·0.4⌋ = 153
            PruneMask matrix = Wanda.mask(t, sq, MaskRule.perMatrix(0.4));
            PruneMask em = new PruneMask(rows, cols);
            order(w, sq, cols, 0, rows * cols).subList(0, 153).forEach(em::prune);
            assertThat(matrix).isEqualTo(em);
            // 2:4: the two lowest of every aligned group of four
            PruneMask nm = Wanda.mask(t, sq, MaskRule.nm(2, 4));
            PruneMask en = new PruneMask(rows, cols);
            for (int g = 0; g < rows * cols; g += 4) {
                order(w, sq, cols, g, 4).subList(0, 2).forEach(en::prune);
            }
            assertThat(nm).isEqualTo(en);
            // the activation norms matter: with equal norms Wanda is magnitude, which differs here
            double[] flat = new double[cols];
            java.util.Arrays.fill(flat, 1);
            assertThat(Wanda.mask(t, flat, MaskRule.perRow(0.4))).isNotEqualTo(row);
        }
    }

    @Test
    void everyRowPrunesExactlyItsCount() throws Exception {
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            assertThat(targets).hasSize(7 * TinyLlama.L);
            CalibratedPruning.Result res = run(c, targets, TinyLlama.windows(1, 5, 8), wanda(0.6, false));
            for (PrunableTensor t : targets) {
                PruneMask m = res.masks().get(t.name());
                long k = (long) Math.floor(t.cols() * 0.6);
                for (long r = 0; r < t.rows(); r++) {
                    assertThat(m.countRow(r)).as(t.name() + " row " + r).isEqualTo(k);
                }
            }
            assertThat(res.blocks()).hasSize(TinyLlama.L);
            for (CalibratedPruning.BlockResult b : res.blocks()) {
                assertThat(b.score()).isNaN();
                assertThat(b.sparsity()).isEqualTo(0.6);
                assertThat(b.weights()).isEqualTo(256 + 128 + 128 + 256 + 3 * 384); // q k v o gate up down
            }
        }
    }

    @Test
    void sequentialStatisticsComeFromThePrunedEarlierBlocks() throws Exception {
        int[][] w = TinyLlama.windows(2, 6, 8);
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            Map<String, PruneMask> seq = run(c, targets, w, wanda(0.5, false)).masks();
            Map<String, PruneMask> one = run(c, targets, w, wanda(0.5, true)).masks();
            // block 0 sees the embeddings either way
            for (PrunableTensor t : targets) {
                if (t.block() == 0) {
                    assertThat(seq.get(t.name())).as(t.name()).isEqualTo(one.get(t.name()));
                }
            }
            // block 1 independently: prune block 0 with the sequential masks, calibrate, mask block 1
            Map<String, PruneMask> expected = new HashMap<>();
            try (LlamaRunner r = LlamaRunner.open(c)) {
                for (PrunableTensor t : targets) {
                    if (t.block() == 0) {
                        float[] v = TestWeights.f32(model.resolve("model.safetensors"), t.name());
                        seq.get(t.name()).apply(v);
                        r.override(t.name(), v);
                    }
                }
                ActivationStats s = Calibrator.run(r, w, 3, null, Map.of(), d -> { });
                for (PrunableTensor t : targets) {
                    if (t.block() == 1) {
                        expected.put(t.name(), Wanda.mask(t, s.linear(t.linear()).sqSum(), MaskRule.perRow(0.5)));
                    }
                }
            }
            int differ = 0;
            for (Map.Entry<String, PruneMask> e : expected.entrySet()) {
                assertThat(seq.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                if (!one.get(e.getKey()).equals(e.getValue())) {
                    differ++;
                }
            }
            assertThat(differ).as("one-shot masks of block 1 differ from sequential ones").isPositive();
        }
    }

    @Test
    void fromStatsMatchesOneShotAndChecksTheStatistics() throws Exception {
        int[][] w = TinyLlama.windows(5, 4, 6);
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            ActivationStats stats;
            try (LlamaRunner r = LlamaRunner.open(c)) {
                stats = Calibrator.run(r, w, 3, null, Map.of(), d -> { });
            }
            CalibratedPruning.Result got = CalibratedPruning.fromStats(c, targets, stats, wanda(0.5, false));
            assertThat(got.masks()).isEqualTo(run(c, targets, w, wanda(0.5, true)).masks());

            Map<String, ActivationStats.Linear> missing = new HashMap<>(stats.linears());
            missing.remove("model.layers.2.mlp.up_proj");
            assertThatThrownBy(() -> CalibratedPruning.fromStats(c, targets,
                    new ActivationStats(missing, stats.blockCosine(), Map.of()), wanda(0.5, false)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("model.layers.2.mlp.up_proj");
            Map<String, ActivationStats.Linear> narrow = new HashMap<>(stats.linears());
            narrow.put("model.layers.1.mlp.down_proj", new ActivationStats.Linear(new double[20], 24, null));
            assertThatThrownBy(() -> CalibratedPruning.fromStats(c, targets,
                    new ActivationStats(narrow, stats.blockCosine(), Map.of()), wanda(0.5, false)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("model.layers.1.mlp.down_proj")
                    .hasMessageContaining("20").hasMessageContaining("24");
            CalibratedPruning.Request eco = new CalibratedPruning.Request(CalibratedPruning.Method.ECOFLAP, 0.5, 0, 0,
                    false, true, null, 3, 0);
            assertThatThrownBy(() -> CalibratedPruning.fromStats(c, targets, stats, eco))
                    .isInstanceOf(UsageException.class).hasMessageContaining("stage 1");
        }
    }

    @Test
    void oneShotInTheWritePassCutsWhatTheMaskPassMasks() throws Exception {
        int[][] w = TinyLlama.windows(5, 4, 6);
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            Map<String, PruneMask> masks = run(c, targets, w, wanda(0.5, true)).masks();
            CalibratedPruning.Streamed streamed;
            try (LlamaRunner r = LlamaRunner.open(c)) {
                streamed = CalibratedPruning.wandaInWritePass(r, targets, w, wanda(0.5, true), m -> { });
                assertThatThrownBy(() -> CalibratedPruning.wandaInWritePass(r, targets, w, wanda(0.5, false), m -> { }))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            long total = 0;
            for (PrunableTensor t : targets) {
                float[] expected = dev.surgeon.ops.exec.ElementReader.readAll(t.ref());
                float[] cut = expected.clone();
                TensorPruner.applyMask(t, masks.get(t.name()), expected);
                total += streamed.pruner().prune(t, cut, cut.length);
                assertThat(cut).as(t.name()).isEqualTo(expected);
            }
            assertThat(streamed.blocks().stream().mapToLong(CalibratedPruning.BlockResult::pruned).sum()).isEqualTo(total)
                    .isEqualTo(masks.values().stream().mapToLong(PruneMask::count).sum());
        }
    }

    @Test
    void badOptions() throws Exception {
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            List<PrunableTensor> targets = TinyLlama.targets(c);
            int[][] w = TinyLlama.windows(5, 2, 4);
            assertThatThrownBy(() -> run(c, targets, w, wanda(1.0, false))).isInstanceOf(UsageException.class);
            assertThatThrownBy(() -> run(c, targets, w, new CalibratedPruning.Request(CalibratedPruning.Method.ECOFLAP,
                    0.5, 2, 4, false, false, null, 2, 0))).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--nm fixes it");
            // 16 and 24 input features: 5 divides neither
            assertThatThrownBy(() -> run(c, targets, w, new CalibratedPruning.Request(CalibratedPruning.Method.WANDA,
                    0.5, 2, 5, false, false, null, 2, 0))).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("multiple of M = 5");
            CalibratedPruning.Result nm = run(c, targets, w, new CalibratedPruning.Request(CalibratedPruning.Method.WANDA,
                    0.5, 2, 4, false, false, null, 2, 0));
            for (PrunableTensor t : targets) {
                PruneMask m = nm.masks().get(t.name());
                for (long g = 0; g < t.numel(); g += 4) {
                    int z = 0;
                    for (int k = 0; k < 4; k++) {
                        z += m.pruned(g + k) ? 1 : 0;
                    }
                    assertThat(z).isEqualTo(2);
                }
            }
        }
    }
}
