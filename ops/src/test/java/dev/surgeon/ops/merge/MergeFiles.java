package dev.surgeon.ops.merge;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.TensorGroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small F32 models written as real files, merged through {@link MergePlan}, and read back. */
final class MergeFiles {
    private MergeFiles() {
    }

    /** The options of a merge as a test sets them; null = not given. */
    static final class Opts {
        String method;
        Double lambda;
        String weights;
        boolean normalize;
        Double density;
        Double dropRate;
        boolean noRescale;
        String then;
        String t;
        Long seed;
        boolean lines;
        Double beta;

        Opts(String method) {
            this.method = method;
        }

        MergeSpec spec(int tasks) {
            return MergeSpec.resolve(new MergeSpec.Given(method, lambda, weights, normalize, density, dropRate, noRescale,
                    then, t, seed, lines, beta), tasks);
        }
    }

    /** A model of 1-D F32 tensors, in the order given. */
    static Path model(Path file, Map<String, float[]> tensors) throws IOException {
        List<PlannedTensor> ts = new ArrayList<>();
        tensors.forEach((name, v) -> ts.add(f32(name, v)));
        SafetensorsWriter.write(file, Map.of("format", "pt"), ts);
        return file;
    }

    static Path model(Path file, String name, float... values) throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put(name, values);
        return model(file, m);
    }

    static PlannedTensor f32(String name, float[] v) {
        return new PlannedTensor(name, DType.F32, new long[] {v.length}, sink -> {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                b.putFloat(x);
            }
            b.flip();
            sink.write(b);
        });
    }

    /** Open checkpoints (base first), aligned as {@code surgeon merge} aligns them, closed together. */
    static final class Opened implements AutoCloseable {
        private final List<Checkpoint> checkpoints = new ArrayList<>();
        final AlignedModels aligned;

        Opened(List<Path> models) {
            try {
                for (Path p : models) {
                    checkpoints.add(Checkpoint.open(p.toString()));
                }
                aligned = AlignedModels.of(checkpoints.get(0), checkpoints.subList(1, checkpoints.size()), false);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** The floating-point groups: the tensors a merge merges. */
        List<TensorGroup> floatGroups() {
            return aligned.groups().stream().filter(TensorGroup::isFloat).toList();
        }

        @Override
        public void close() {
            checkpoints.forEach(Checkpoint::close);
        }
    }

    /** Merges {@code models} (base first) into {@code out} and returns the plan, after writing. */
    static MergePlan merge(Path out, Opts opts, int threads, Path... models) throws IOException {
        try (Opened m = new Opened(List.of(models))) {
            MergePlan plan = MergePlan.build(m.aligned, opts.spec(models.length - 1), null, threads);
            SafetensorsWriter.write(out, Map.of("format", "pt"), plan.tensors());
            return plan;
        }
    }

    /** Every tensor of a file decoded as F32, by name. */
    static Map<String, float[]> read(Path file) {
        Map<String, float[]> m = new LinkedHashMap<>();
        try (Checkpoint c = Checkpoint.open(file.toString())) {
            for (TensorRef r : c.tensors().values()) {
                ByteBuffer b = r.file().readAll(r.info()).order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[(int) r.info().numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = b.getFloat();
                }
                m.put(r.name(), v);
            }
        }
        return m;
    }

    static float[] read(Path file, String name) {
        return read(file).get(name);
    }
}
