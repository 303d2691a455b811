package dev.surgeon.ops.calib;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import dev.surgeon.io.write.WrittenFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The activation-statistics file that {@code surgeon calibrate} writes and {@code --stats} reads:
 * one safetensors file (little-endian, tensors in name order) holding
 * <ul>
 *   <li>{@code <linear>.input_sq_sum} F64 [in]: per input channel j, Σ over calibration tokens of
 *       x_j² of the Linear's input ({@code <linear>} is its weight name without {@code .weight},
 *       e.g. {@code model.layers.0.self_attn.q_proj}); ‖X_j‖₂ is its square root;</li>
 *   <li>{@code <linear>.input_tokens} I64 [] (a scalar): the number of tokens summed;</li>
 *   <li>optionally {@code <linear>.input_gram} F64 [in, in]: XᵀX of the input (with {@code --gram},
 *       for the MLP down projections);</li>
 *   <li>{@code blocks.cosine} F64 [L]: per block, the mean over tokens of the cosine similarity
 *       between the block's input and output hidden vectors.</li>
 * </ul>
 * {@code __metadata__} holds {@code format: surgeon-stats}, {@code version: 1}, and what produced the
 * statistics ({@code model}: the model's file or folder name, not its path; {@code data}: the data
 * file's name or {@code self}; {@code samples}, {@code seq_len}, {@code seed}, {@code tokens},
 * {@code gram}). No times or absolute paths: the same inputs give the same bytes.
 */
public final class StatsFormat {
    public static final String FORMAT = "surgeon-stats";
    public static final String VERSION = "1";
    public static final String SQ_SUM = ".input_sq_sum";
    public static final String TOKENS = ".input_tokens";
    public static final String GRAM = ".input_gram";
    public static final String COSINE = "blocks.cosine";

    private StatsFormat() {
    }

    /** The header metadata: the stats' metadata with {@code format} and {@code version} set. */
    public static Map<String, String> metadata(ActivationStats stats) {
        Map<String, String> meta = new TreeMap<>(stats.metadata());
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        return meta;
    }

    /** The tensors of the file, in name order. */
    public static List<PlannedTensor> plan(ActivationStats stats) {
        Map<String, PlannedTensor> ts = new TreeMap<>();
        stats.linears().forEach((name, l) -> {
            ts.put(name + SQ_SUM, f64(name + SQ_SUM, new long[] {l.inFeatures()}, l.sqSum()));
            ts.put(name + TOKENS, new PlannedTensor(name + TOKENS, DType.I64, new long[0], sink -> {
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(l.tokens());
                b.flip();
                sink.write(b);
            }));
            if (l.gram() != null) {
                ts.put(name + GRAM, f64(name + GRAM, new long[] {l.inFeatures(), l.inFeatures()}, l.gram()));
            }
        });
        double[] cos = stats.blockCosine();
        ts.put(COSINE, f64(COSINE, new long[] {cos.length}, cos));
        return new ArrayList<>(ts.values());
    }

    /** Writes {@code stats} to {@code target} (a path ending in .safetensors) atomically; returns the file written (length, SHA-256). */
    public static WrittenFile write(Path target, boolean force, ActivationStats stats) {
        return SafetensorsWriter.writeAtomically(target, force, metadata(stats), plan(stats));
    }

    /** Reads and validates a statistics file; any deviation from the format is an invalid-input error. */
    public static ActivationStats read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata() == null ? Map.of() : f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw bad(file, "not a surgeon statistics file (__metadata__ format is " + quote(meta.get("format"))
                        + ", expected \"" + FORMAT + "\"; write one with surgeon calibrate)");
            }
            if (!VERSION.equals(meta.get("version"))) {
                throw bad(file, "unsupported statistics version " + quote(meta.get("version")) + " (this surgeon reads "
                        + VERSION + ")");
            }
            Map<String, double[]> sq = new TreeMap<>();
            Map<String, Long> tokens = new HashMap<>();
            Map<String, double[]> grams = new HashMap<>();
            Map<String, long[]> gramShapes = new HashMap<>();
            double[] cosine = null;
            for (TensorInfo t : f.tensors()) {
                String n = t.name();
                if (n.equals(COSINE)) {
                    check(file, t, DType.F64, 1);
                    cosine = doubles(f, t);
                } else if (n.endsWith(SQ_SUM)) {
                    check(file, t, DType.F64, 1);
                    sq.put(strip(n, SQ_SUM), doubles(f, t));
                } else if (n.endsWith(TOKENS)) {
                    check(file, t, DType.I64, 0);
                    long v = f.readAll(t).getLong();
                    if (v < 0) {
                        throw bad(file, "tensor '" + n + "' is negative");
                    }
                    tokens.put(strip(n, TOKENS), v);
                } else if (n.endsWith(GRAM)) {
                    check(file, t, DType.F64, 2);
                    grams.put(strip(n, GRAM), doubles(f, t));
                    gramShapes.put(strip(n, GRAM), t.shape());
                } else {
                    throw bad(file, "unexpected tensor '" + n + "'");
                }
            }
            if (cosine == null) {
                throw bad(file, "tensor '" + COSINE + "' is missing");
            }
            Map<String, ActivationStats.Linear> linears = new TreeMap<>();
            for (Map.Entry<String, double[]> e : sq.entrySet()) {
                String name = e.getKey();
                Long tok = tokens.remove(name);
                if (tok == null) {
                    throw bad(file, "tensor '" + name + TOKENS + "' is missing");
                }
                double[] g = grams.remove(name);
                int in = e.getValue().length;
                if (g != null) {
                    long[] s = gramShapes.get(name);
                    if (s[0] != in || s[1] != in) {
                        throw bad(file, "tensor '" + name + GRAM + "' is " + java.util.Arrays.toString(s) + ", expected ["
                                + in + ", " + in + "]");
                    }
                }
                linears.put(name, new ActivationStats.Linear(e.getValue(), tok, g));
            }
            if (!tokens.isEmpty()) {
                throw bad(file, "tensor '" + tokens.keySet().iterator().next() + SQ_SUM + "' is missing");
            }
            if (!grams.isEmpty()) {
                throw bad(file, "tensor '" + grams.keySet().iterator().next() + SQ_SUM + "' is missing");
            }
            return new ActivationStats(linears, cosine, meta);
        }
    }

    private static PlannedTensor f64(String name, long[] shape, double[] values) {
        return new PlannedTensor(name, DType.F64, shape, sink -> {
            int chunk = 1 << 16;
            ByteBuffer b = ByteBuffer.allocate(chunk * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i += chunk) {
                b.clear();
                int n = Math.min(chunk, values.length - i);
                b.asDoubleBuffer().put(values, i, n);
                b.limit(n * 8);
                sink.write(b);
            }
        });
    }

    private static double[] doubles(SafetensorsFile f, TensorInfo t) {
        ByteBuffer b = f.readAll(t);
        double[] v = new double[(int) t.numel()];
        b.asDoubleBuffer().get(v);
        return v;
    }

    private static void check(Path file, TensorInfo t, DType dtype, int rank) {
        if (t.dtype() != dtype || t.rank() != rank) {
            throw bad(file, "tensor '" + t.name() + "' is " + t.dtype() + " " + java.util.Arrays.toString(t.shape())
                    + ", expected " + dtype + " of rank " + rank);
        }
    }

    private static String strip(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    private static String quote(String s) {
        return s == null ? "missing" : "\"" + s + "\"";
    }

    private static InvalidInputException bad(Path file, String message) {
        return new InvalidInputException(file + ": " + message);
    }
}
