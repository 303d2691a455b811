package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.TensorGroup;
import dev.surgeon.ops.inspect.StatsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Elementwise content: chunking and threads do not change the bytes; failures in workers surface as thrown. */
class ElementwiseTest {
    @TempDir
    Path tmp;

    /** 3.5 chunks of elements, so the last chunk is partial. */
    private static final int N = Elementwise.CHUNK * 3 + Elementwise.CHUNK / 2;

    private Path model(String name, double offset) throws IOException {
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            v[i] = Math.sin(i * 0.001) + offset;
        }
        return StatsFiles.write(tmp.resolve(name), StatsFiles.tensor("w", DType.BF16, new long[] {N}, v));
    }

    private static byte[] bytes(Elementwise e) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TensorSink sink = b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a);
        };
        e.writeTo(sink);
        return out.toByteArray();
    }

    /** Uses {@code first} so that a chunk written at the wrong place would show. */
    private static final Elementwise.Kernel KERNEL = (in, out, n, first) -> {
        for (int i = 0; i < n; i++) {
            out[i] = in[0][i] * 0.25f + in[1][i] * 0.75f + (float) ((first + i) % 7);
        }
    };

    @Test
    void sameBytesForEveryThreadCountAndEveryElementWhereItBelongs() throws Exception {
        try (Checkpoint a = Checkpoint.open(model("a.safetensors", 0).toString());
             Checkpoint b = Checkpoint.open(model("b.safetensors", 1).toString())) {
            TensorGroup g = AlignedModels.of(a, List.of(b), false).groups().get(0);
            byte[] one = bytes(new Elementwise(g, DType.F32, KERNEL, 1));
            for (int t : new int[] {2, 3, 8}) {
                assertThat(bytes(new Elementwise(g, DType.F32, KERNEL, t))).as("threads " + t).isEqualTo(one);
            }
            ByteBuffer f = ByteBuffer.wrap(one).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer x = a.tensor("w").file().readAll(a.tensor("w").info());
            ByteBuffer y = b.tensor("w").file().readAll(b.tensor("w").info());
            for (int i = 0; i < N; i++) {
                float xi = Float.intBitsToFloat((x.getShort(2 * i) & 0xFFFF) << 16);
                float yi = Float.intBitsToFloat((y.getShort(2 * i) & 0xFFFF) << 16);
                assertThat(f.getFloat(4 * i)).isEqualTo(xi * 0.25f + yi * 0.75f + (float) (i % 7));
            }
        }
    }

    @Test
    void aFailureInAWorkerIsRethrownAsItWasThrown() throws Exception {
        try (Checkpoint a = Checkpoint.open(model("a.safetensors", 0).toString());
             Checkpoint b = Checkpoint.open(model("b.safetensors", 1).toString())) {
            TensorGroup g = AlignedModels.of(a, List.of(b), false).groups().get(0);
            Elementwise.Kernel failing = (in, out, n, first) -> {
                if (first >= 2L * Elementwise.CHUNK) {
                    throw new UsageException("boom at " + first);
                }
            };
            for (int t : new int[] {1, 2, 4}) {
                assertThatThrownBy(() -> bytes(new Elementwise(g, DType.BF16, failing, t)))
                        .isInstanceOf(UsageException.class).hasMessageContaining("boom");
            }
        }
    }

    @Test
    void anInputTruncatedAfterOpeningIsAnIoFailureNamingIt() throws Exception {
        // valid when opened, cut short by someone else during the run: exit 4, as any input that cannot be read
        Path bad = model("b.safetensors", 1);
        try (Checkpoint a = Checkpoint.open(model("a.safetensors", 0).toString());
             Checkpoint b = Checkpoint.open(bad.toString())) {
            TensorGroup g = AlignedModels.of(a, List.of(b), false).groups().get(0);
            try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
                f.setLength(f.length() - 1000);
            }
            for (int t : new int[] {1, 2}) {
                assertThatThrownBy(() -> bytes(new Elementwise(g, DType.BF16, KERNEL, t)))
                        .isInstanceOf(dev.surgeon.io.error.IoFailureException.class).hasMessageContaining("b.safetensors")
                        .hasMessageContaining("changed while it was read");
            }
        }
    }
}
