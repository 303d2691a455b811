package dev.surgeon.ops.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.exec.ElementReader;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class ModelDiffTest {
    @TempDir
    Path dir;

    @Test
    void handComputedNormsRelativeAndCosine() throws Exception {
        // A = [1, 2, 3, 4], B = [1, 0, 3, 8] (B in BF16: the values are exact there)
        // delta = [0, 2, 0, -4]: ||d||^2 = 20, ||A||^2 = 30, ||B||^2 = 74, A.B = 42, max|d| = 4
        Path a = StatsFiles.write(dir.resolve("a.safetensors"),
                StatsFiles.tensor("model.layers.0.mlp.up_proj.weight", DType.F32, new long[] {2, 2}, 1, 2, 3, 4),
                StatsFiles.tensor("model.layers.1.mlp.up_proj.weight", DType.F32, new long[] {2}, 0, 0),
                StatsFiles.tensor("model.norm.weight", DType.F32, new long[] {2}, 0, 0),
                StatsFiles.tensor("only.a", DType.F32, new long[] {1}, 1),
                StatsFiles.tensor("shape.differs", DType.F32, new long[] {2}, 1, 1));
        Path b = StatsFiles.write(dir.resolve("b.safetensors"),
                StatsFiles.tensor("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {2, 2}, 1, 0, 3, 8),
                StatsFiles.tensor("model.layers.1.mlp.up_proj.weight", DType.F32, new long[] {2}, 0, 0),
                StatsFiles.tensor("model.norm.weight", DType.F32, new long[] {2}, 1, 0),
                StatsFiles.tensor("only.b", DType.F32, new long[] {1}, 1),
                StatsFiles.tensor("shape.differs", DType.F32, new long[] {1, 2}, 1, 1));
        try (Checkpoint ca = Checkpoint.open(a.toString()); Checkpoint cb = Checkpoint.open(b.toString())) {
            ModelDiff d = ModelDiff.compare(ca, cb);
            assertThat(d.onlyInA()).containsExactly("only.a");
            assertThat(d.onlyInB()).containsExactly("only.b");
            assertThat(d.mismatches()).extracting(Mismatch::name, Mismatch::kind).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("model.layers.0.mlp.up_proj.weight", Mismatch.Kind.DTYPE),
                    org.assertj.core.groups.Tuple.tuple("shape.differs", Mismatch.Kind.SHAPE));
            assertThat(d.deltas()).extracting(TensorDelta::name).containsExactly(
                    "model.layers.0.mlp.up_proj.weight", "model.layers.1.mlp.up_proj.weight", "model.norm.weight");

            TensorDelta t = d.deltas().get(0);
            assertThat(t.block()).isEqualTo(0);
            assertThat(t.normDelta()).isCloseTo(Math.sqrt(20), within(1e-12));
            assertThat(t.relative()).isCloseTo(Math.sqrt(20.0 / 30), within(1e-12));
            assertThat(t.cosine()).isCloseTo(42 / Math.sqrt(30 * 74.0), within(1e-12));
            assertThat(t.maxAbsDelta()).isEqualTo(4);

            TensorDelta zeros = d.deltas().get(1); // both zero: relative 0, cosine 1
            assertThat(zeros.relative()).isZero();
            assertThat(zeros.cosine()).isEqualTo(1);
            assertThat(zeros.identical()).isTrue();

            TensorDelta fromZero = d.deltas().get(2); // A zero, B not: relative Infinity, cosine 0
            assertThat(fromZero.block()).isEqualTo(-1);
            assertThat(fromZero.relative()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(fromZero.cosine()).isZero();

            assertThat(d.blocks()).extracting(BlockDelta::index).containsExactly(0, 1);
            BlockDelta b0 = d.blocks().get(0);
            assertThat(b0.normDelta()).isCloseTo(Math.sqrt(20), within(1e-12));
            assertThat(b0.normA()).isCloseTo(Math.sqrt(30), within(1e-12));
            assertThat(b0.relative()).isCloseTo(Math.sqrt(20.0 / 30), within(1e-12));
            assertThat(d.total().sumSqDelta()).isCloseTo(21, within(1e-12));
            assertThat(d.identical()).isFalse();
        }
    }

    @Test
    void lockstepAcrossBlocksWithDifferentDtypes() throws Exception {
        int n = ElementReader.BLOCK + 1000;
        double[] va = new double[n];
        double[] vb = new double[n];
        double sd = 0;
        double sa = 0;
        for (int i = 0; i < n; i++) {
            va[i] = (i % 13) - 6;
            vb[i] = (i % 11) - 5;
            sd += (va[i] - vb[i]) * (va[i] - vb[i]);
            sa += va[i] * va[i];
        }
        Path a = StatsFiles.write(dir.resolve("la.safetensors"), StatsFiles.tensor("x", DType.F16, new long[] {n}, va));
        Path b = StatsFiles.write(dir.resolve("lb.safetensors"), StatsFiles.tensor("x", DType.I32, new long[] {n}, vb));
        try (Checkpoint ca = Checkpoint.open(a.toString()); Checkpoint cb = Checkpoint.open(b.toString())) {
            TensorDelta t = ModelDiff.compare(ca, cb).deltas().get(0);
            assertThat(t.sumSqDelta()).isEqualTo(sd);
            assertThat(t.sumSqA()).isEqualTo(sa);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() throws Exception {
        dev.surgeon.io.write.PlannedTensor[] ta = new dev.surgeon.io.write.PlannedTensor[12];
        dev.surgeon.io.write.PlannedTensor[] tb = new dev.surgeon.io.write.PlannedTensor[12];
        for (int i = 0; i < 12; i++) {
            String name = "model.layers." + (i % 3) + ".mlp.up_proj." + i + ".weight";
            ta[i] = StatsFiles.tensor(name, DType.F32, new long[] {3}, i, 0.1 * i, -i);
            tb[i] = StatsFiles.tensor(name, DType.F32, new long[] {3}, i + 0.5, 0.1 * i, i);
        }
        Path a = StatsFiles.write(dir.resolve("pa.safetensors"), ta);
        Path b = StatsFiles.write(dir.resolve("pb.safetensors"), tb);
        try (Checkpoint ca = Checkpoint.open(a.toString()); Checkpoint cb = Checkpoint.open(b.toString())) {
            ModelDiff one = ModelDiff.compare(ca, cb, 1);
            ModelDiff four = ModelDiff.compare(ca, cb, 4);
            assertThat(four.deltas()).extracting(TensorDelta::name).isEqualTo(one.deltas().stream().map(TensorDelta::name).toList());
            assertThat(four.blocks()).isEqualTo(one.blocks());
            assertThat(four.total()).isEqualTo(one.total());
        }
    }

    @Test
    void identicalModelsAreIdentical() throws Exception {
        Path a = StatsFiles.write(dir.resolve("s.safetensors"), StatsFiles.tensor("x", DType.F32, new long[] {3}, 1, -2, 3));
        try (Checkpoint ca = Checkpoint.open(a.toString()); Checkpoint cb = Checkpoint.open(a.toString())) {
            ModelDiff d = ModelDiff.compare(ca, cb);
            assertThat(d.identical()).isTrue();
            assertThat(d.deltas().get(0).cosine()).isCloseTo(1, within(1e-15));
        }
    }
}
