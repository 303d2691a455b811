package dev.surgeon.ops.mask;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import dev.surgeon.io.write.WrittenFile;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GTSP mask file that {@code surgeon mask compute} writes and {@code surgeon mask apply} reads:
 * one safetensors file of U8 (or BOOL) tensors holding 0 (mask) or 1 (keep):
 * <ul>
 *   <li>{@code <tensor>.mask}, the model tensor's shape: a weight mask
 *       (e.g. {@code model.layers.0.mlp.up_proj.weight.mask});</li>
 *   <li>{@code heads.<block>} [H]: the block's query heads (a KV group is one KV head and its
 *       H/KV query heads; only whole groups can be masked);</li>
 *   <li>{@code layers} [L]: the blocks.</li>
 * </ul>
 * {@code __metadata__}: {@code format: surgeon-masks}, {@code version: 1}, {@code model} (the
 * model's file or folder name), {@code method}. Any other entry, dtype, rank or value is rejected.
 */
public final class MaskFile {
    public static final String FORMAT = "surgeon-masks";
    public static final String VERSION = "1";
    public static final String WEIGHT_SUFFIX = ".mask";
    public static final String HEADS_PREFIX = "heads.";
    public static final String LAYERS = "layers";
    private static final Pattern HEADS = Pattern.compile("heads\\.(0|[1-9]\\d{0,8})");

    private MaskFile() {
    }

    /** Header metadata: the masks' metadata with {@code format} and {@code version} set. */
    public static Map<String, String> metadata(Masks masks) {
        Map<String, String> meta = new TreeMap<>(masks.metadata());
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        return meta;
    }

    /** The tensors of the file (U8), in name order. */
    public static List<PlannedTensor> plan(Masks masks) {
        Map<String, PlannedTensor> ts = new TreeMap<>();
        masks.weights().forEach((name, m) -> ts.put(name + WEIGHT_SUFFIX, u8(name + WEIGHT_SUFFIX, m.shape(), m.keep())));
        masks.heads().forEach((b, h) -> ts.put(HEADS_PREFIX + b, u8(HEADS_PREFIX + b, new long[] {h.length}, bytes(h))));
        if (masks.layers() != null) {
            boolean[] l = masks.layers();
            ts.put(LAYERS, u8(LAYERS, new long[] {l.length}, bytes(l)));
        }
        return new ArrayList<>(ts.values());
    }

    /** Writes {@code masks} to {@code target} (a path ending in .safetensors) atomically; returns the file written (length, SHA-256). */
    public static WrittenFile write(Path target, boolean force, Masks masks) {
        return write(target, force, masks, List.of());
    }

    /**
     * As above, with weight masks that are computed while they are written ({@code streamed}, U8
     * {@code <tensor>.mask} entries) beside those {@code masks} holds; entries go in name order.
     */
    public static WrittenFile write(Path target, boolean force, Masks masks, List<PlannedTensor> streamed) {
        List<PlannedTensor> all = new ArrayList<>(plan(masks));
        all.addAll(streamed);
        all.sort(java.util.Comparator.comparing(PlannedTensor::name));
        return SafetensorsWriter.writeAtomically(target, force, metadata(masks), all);
    }

    /** Reads and validates a mask file; any deviation from the format is an invalid-input error. */
    public static Masks read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata() == null ? Map.of() : f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw bad(file, "not a surgeon mask file (__metadata__ format is " + quote(meta.get("format"))
                        + ", expected \"" + FORMAT + "\")");
            }
            if (!VERSION.equals(meta.get("version"))) {
                throw bad(file, "unsupported mask file version " + quote(meta.get("version")) + " (this surgeon reads "
                        + VERSION + ")");
            }
            Map<String, WeightMask> weights = new TreeMap<>();
            Map<Integer, boolean[]> heads = new TreeMap<>();
            boolean[] layers = null;
            for (TensorInfo t : f.tensors()) {
                String n = t.name();
                Matcher h = HEADS.matcher(n);
                if (n.equals(LAYERS)) {
                    layers = bools(file, f, t);
                } else if (h.matches()) {
                    heads.put(Integer.parseInt(h.group(1)), bools(file, f, t));
                } else if (n.endsWith(WEIGHT_SUFFIX) && n.length() > WEIGHT_SUFFIX.length()) {
                    byte[] v = values(file, f, t);
                    weights.put(n.substring(0, n.length() - WEIGHT_SUFFIX.length()), new WeightMask(t.shape(), v));
                } else {
                    throw bad(file, "unexpected entry '" + n + "' (a mask file holds <tensor>.mask, heads.<block> and layers)");
                }
            }
            return new Masks(new TreeMap<>(weights), new TreeMap<>(heads), layers, meta);
        }
    }

    /** A rank-1 mask as booleans. */
    private static boolean[] bools(Path file, SafetensorsFile f, TensorInfo t) {
        if (t.rank() != 1) {
            throw bad(file, "entry '" + t.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected one dimension");
        }
        byte[] v = values(file, f, t);
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i] == 1;
        }
        return b;
    }

    /** The entry's bytes, checked to be U8/BOOL and 0 or 1 each. */
    private static byte[] values(Path file, SafetensorsFile f, TensorInfo t) {
        if (t.dtype() != DType.U8 && t.dtype() != DType.BOOL) {
            throw bad(file, "entry '" + t.name() + "' is " + t.dtype() + ", expected U8 or BOOL");
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw bad(file, "entry '" + t.name() + "' has " + t.numel() + " elements; masks of less than 2^31 elements are supported");
        }
        ByteBuffer buf = f.readAll(t);
        byte[] v = new byte[(int) t.numel()];
        buf.get(v);
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw bad(file, "entry '" + t.name() + "' holds " + (v[i] & 0xff) + " at element " + i + "; masks hold 0 or 1");
            }
        }
        return v;
    }

    private static PlannedTensor u8(String name, long[] shape, byte[] values) {
        return new PlannedTensor(name, DType.U8, shape, sink -> sink.write(ByteBuffer.wrap(values)));
    }

    private static byte[] bytes(boolean[] b) {
        byte[] v = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = (byte) (b[i] ? 1 : 0);
        }
        return v;
    }

    private static String quote(String s) {
        return s == null ? "missing" : "\"" + s + "\"";
    }

    private static InvalidInputException bad(Path file, String message) {
        return new InvalidInputException(file + ": " + message);
    }
}
