package dev.surgeon.ops.verify;

import dev.surgeon.io.digest.Sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class VerifierTest {
    @TempDir
    Path dir;

    @Test
    void digestCoversTheWholeFileAndNonFiniteIsCountedPerTensor() throws Exception {
        int n = (1 << 20) / 2 + 3; // an F16 tensor longer than one 1 MiB read
        double[] big = new double[n];
        big[n - 1] = Double.POSITIVE_INFINITY;
        big[7] = Double.NaN;
        big[8] = Double.NaN;
        Path f = StatsFiles.write(dir.resolve("m.safetensors"),
                StatsFiles.tensor("ints", DType.I32, new long[] {2}, 1, 2),
                StatsFiles.tensor("big", DType.F16, new long[] {n}, big),
                StatsFiles.tensor("fine", DType.F64, new long[] {2}, 1e300, -1e300));
        try (Checkpoint c = Checkpoint.open(f.toString())) {
            VerifyResult r = Verifier.verify(c);
            assertThat(r.ok()).isTrue();
            assertThat(r.files()).hasSize(1);
            assertThat(r.files().get(0).sha256()).isEqualTo(Sha256.ofFile(f));
            assertThat(r.nonFinite()).hasSize(1);
            VerifyResult.NonFinite nf = r.nonFinite().get(0);
            assertThat(nf.tensor()).isEqualTo("big");
            assertThat(nf.nans()).isEqualTo(2);
            assertThat(nf.infs()).isEqualTo(1);
            assertThat(r.sums()).isEmpty();

            Path side = Verifier.writeSums(c, r);
            assertThat(side).isEqualTo(f.toAbsolutePath().resolveSibling("m.safetensors.sha256"));
            assertThat(Files.readString(side)).isEqualTo(Sha256.ofFile(f) + "  m.safetensors\n");
        }
        try (Checkpoint c = Checkpoint.open(f.toString())) {
            VerifyResult r = Verifier.verify(c);
            assertThat(r.sums()).singleElement().extracting(VerifyResult.SumCheck::status).isEqualTo(VerifyResult.Status.OK);
        }
    }

    @Test
    void listedPathOutsideTheFolderIsRefused() throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        StatsFiles.write(m.resolve("model.safetensors"), StatsFiles.tensor("w", DType.F32, new long[] {1}, 1));
        Files.writeString(m.resolve("SHA256SUMS"), "0".repeat(64) + "  ../escape\n");
        try (Checkpoint c = Checkpoint.open(m.toString())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Verifier.verify(c))
                    .isInstanceOf(dev.surgeon.io.error.InvalidInputException.class)
                    .hasMessageContaining("outside the model folder");
        }
    }
}
