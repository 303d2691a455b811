package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.util.ByteSize;
import dev.surgeon.ops.inspect.ModelSummary;
import dev.surgeon.ops.inspect.Tally;
import dev.surgeon.ops.inspect.TensorEntry;
import dev.surgeon.ops.inspect.TensorStats;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeSet;

/** How {@code inspect} shows a {@link ModelSummary}: the report's "model" object, and aligned text tables. */
final class InspectView {
    private InspectView() {
    }

    /**
     * The report's {@code model} object.
     *
     * @param stats per-tensor statistics by name (null without --stats)
     * @param withTensors include the {@code tensors} list
     */
    static JsonObject model(ModelSummary s, Map<String, TensorStats> stats, boolean withTensors) {
        JsonObject m = new JsonObject();
        m.addProperty("architecture", s.architecture());
        m.addProperty("architecture_source", s.architectureFromConfig() ? "config.json" : "tensor names");
        m.addProperty("blocks", s.blocks());
        if (s.configBlocks() == null) {
            m.add("config_blocks", com.google.gson.JsonNull.INSTANCE);
        } else {
            m.addProperty("config_blocks", s.configBlocks());
        }
        m.addProperty("params", s.params());
        m.addProperty("bytes", s.bytes());
        m.addProperty("tensor_count", s.tensors().size());
        JsonArray files = new JsonArray();
        for (ModelSummary.FileEntry f : s.files()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", f.path().toString());
            o.addProperty("bytes", f.bytes());
            o.addProperty("tensors", f.tensors());
            files.add(o);
        }
        m.add("files", files);
        if (s.index() != null) {
            m.addProperty("index", s.index().toString());
        }
        JsonObject dtypes = new JsonObject();
        s.dtypes().forEach((d, t) -> dtypes.add(d.name(), tally(t)));
        m.add("dtypes", dtypes);
        JsonObject roles = new JsonObject();
        s.roles().forEach((r, t) -> roles.add(r.jsonName(), tally(t)));
        m.add("roles", roles);
        m.add("outside_blocks", tally(s.outsideBlocks()));
        JsonObject meta = new JsonObject();
        s.metadata().forEach(meta::addProperty);
        m.add("metadata", meta);
        if (withTensors || stats != null) {
            JsonArray ts = new JsonArray();
            for (TensorEntry t : s.tensors()) {
                ts.add(tensor(t, stats));
            }
            m.add("tensors", ts);
        }
        return m;
    }

    /**
     * The report's top-level {@code blocks} array: {index, tensors, params, bytes} per block present;
     * with --stats ({@code sparsity} not null) also the block's prunable weights and their zero fraction.
     */
    static JsonArray blocks(ModelSummary s, BlockSparsity sparsity) {
        JsonArray a = new JsonArray();
        s.blockTallies().forEach((i, t) -> {
            JsonObject o = tally(t);
            JsonObject b = new JsonObject();
            b.addProperty("index", i);
            o.entrySet().forEach(e -> b.add(e.getKey(), e.getValue()));
            if (sparsity != null) {
                long[] c = sparsity.blocks().get(i);
                b.addProperty("prunable", c == null ? 0 : c[0]);
                b.addProperty("sparsity", sparsity.of(i));
            }
            a.add(b);
        });
        return a;
    }

    private static JsonObject tally(Tally t) {
        JsonObject o = new JsonObject();
        o.addProperty("tensors", t.tensors());
        o.addProperty("params", t.params());
        o.addProperty("bytes", t.bytes());
        return o;
    }

    private static JsonObject tensor(TensorEntry t, Map<String, TensorStats> stats) {
        JsonObject o = new JsonObject();
        o.addProperty("name", t.name());
        o.addProperty("dtype", t.dtype().name());
        o.add("shape", Fmt.shape(t.shape()));
        o.addProperty("params", t.params());
        o.addProperty("bytes", t.bytes());
        if (t.inBlock()) {
            o.addProperty("block", t.block());
        } else {
            o.add("block", com.google.gson.JsonNull.INSTANCE);
        }
        o.addProperty("role", t.role().jsonName());
        o.addProperty("file", t.file().getFileName().toString());
        if (stats != null) {
            TensorStats st = stats.get(t.name());
            if (st == null) {
                o.add("stats", com.google.gson.JsonNull.INSTANCE);
                o.addProperty("stats_note", t.dtype().name() + " is not decodable; no statistics");
            } else {
                JsonObject j = new JsonObject();
                Fmt.put(j, "min", st.min());
                Fmt.put(j, "max", st.max());
                Fmt.put(j, "mean", st.mean());
                Fmt.put(j, "std", st.std());
                j.addProperty("zero_fraction", st.zeroFraction());
                j.addProperty("zeros", st.zeros());
                j.addProperty("nan", st.nans());
                j.addProperty("inf", st.infs());
                j.addProperty("finite", st.finite());
                o.add("stats", j);
            }
        }
        return o;
    }

    /** The human summary on stdout. */
    static void print(PrintStream out, ModelSummary s, Map<String, TensorStats> stats, boolean withTensors,
                      BlockSparsity sparsity) {
        TextTable head = new TextTable("ll", "", "");
        head.row("model", s.reference() + " (" + s.kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
        for (ModelSummary.FileEntry f : s.files()) {
            head.row("file", f.path() + "  " + Fmt.count(f.bytes()) + " bytes, " + f.tensors() + " tensors");
        }
        if (s.index() != null) {
            head.row("index", s.index().toString());
        }
        head.row("architecture", s.architecture() + (s.architectureFromConfig() ? " (from config.json)" : " (from tensor names)"));
        head.row("blocks", s.blocks() + (s.configBlocks() == null ? "" : " (config.json: " + s.configBlocks() + ")"));
        head.row("parameters", Fmt.count(s.params()));
        head.row("tensor bytes", Fmt.count(s.bytes()) + " (" + ByteSize.format(s.bytes()) + ")");
        head.row("tensors", Fmt.count(s.tensors().size()));
        head.print(out, "", false);

        out.println();
        TextTable dt = new TextTable("lrrr", "dtype", "tensors", "parameters", "bytes");
        for (Map.Entry<DType, Tally> e : s.dtypes().entrySet()) {
            dt.row(e.getKey().name(), Fmt.count(e.getValue().tensors()), Fmt.count(e.getValue().params()),
                    Fmt.count(e.getValue().bytes()));
        }
        dt.print(out, "");

        out.println();
        TextTable rt = new TextTable("lrrr", "role", "tensors", "parameters", "share");
        for (Map.Entry<Role, Tally> e : s.roles().entrySet()) {
            rt.row(e.getKey().jsonName(), Fmt.count(e.getValue().tensors()), Fmt.count(e.getValue().params()),
                    Fmt.percent(s.params() == 0 ? 0 : (double) e.getValue().params() / s.params()));
        }
        rt.print(out, "");

        if (!s.blockTallies().isEmpty()) {
            out.println();
            TextTable bt = sparsity == null ? new TextTable("lrrr", "block", "tensors", "parameters", "bytes")
                    : new TextTable("lrrrr", "block", "tensors", "parameters", "bytes", "sparsity");
            s.blockTallies().forEach((i, t) -> {
                Object[] row = {i, Fmt.count(t.tensors()), Fmt.count(t.params()), Fmt.count(t.bytes())};
                bt.row(sparsity == null ? row : new Object[] {row[0], row[1], row[2], row[3], Fmt.percent(sparsity.of(i))});
            });
            Tally o = s.outsideBlocks();
            if (o.tensors() > 0) {
                Object[] row = {"outside", Fmt.count(o.tensors()), Fmt.count(o.params()), Fmt.count(o.bytes())};
                bt.row(sparsity == null ? row : new Object[] {row[0], row[1], row[2], row[3], "-"});
            }
            bt.print(out, "");
            if (sparsity != null) {
                out.println("sparsity: zeros of the prunable weights (2-D attention/MLP weights in blocks): "
                        + Fmt.percent(sparsity.sparsity()) + " of " + Fmt.count(sparsity.prunable()) + ", "
                        + Fmt.percent(sparsity.sparsityTotal()) + " of all parameters");
            }
        }

        if (!s.metadata().isEmpty()) {
            out.println();
            out.println("metadata");
            TextTable mt = new TextTable("ll", "", "");
            s.metadata().forEach((k, v) -> mt.row(k, v.length() > 200 ? v.substring(0, 197) + "..." : v));
            mt.print(out, "  ", false);
        }

        if (withTensors || stats != null) {
            out.println();
            printTensors(out, s, stats);
        }
    }

    private static void printTensors(PrintStream out, ModelSummary s, Map<String, TensorStats> stats) {
        TextTable t = stats == null
                ? new TextTable("lllrrrl", "tensor", "dtype", "shape", "params", "bytes", "block", "role")
                : new TextTable("lllrrrlrrrrrrr", "tensor", "dtype", "shape", "params", "bytes", "block", "role",
                        "min", "max", "mean", "std", "zeros", "nan", "inf");
        TreeSet<String> opaque = new TreeSet<>();
        for (TensorEntry e : s.tensors()) {
            Object[] base = {e.name(), e.dtype().name(), java.util.Arrays.toString(e.shape()), Fmt.count(e.params()),
                    Fmt.count(e.bytes()), e.inBlock() ? Integer.toString(e.block()) : "-", e.role().jsonName()};
            if (stats == null) {
                t.row(base);
                continue;
            }
            TensorStats st = stats.get(e.name());
            Object[] row = java.util.Arrays.copyOf(base, 14);
            if (st == null) {
                opaque.add(e.dtype().name());
                for (int i = 7; i < 14; i++) {
                    row[i] = "-";
                }
            } else {
                row[7] = Fmt.num(st.min());
                row[8] = Fmt.num(st.max());
                row[9] = Fmt.num(st.mean());
                row[10] = Fmt.num(st.std());
                row[11] = Fmt.percent(st.zeroFraction());
                row[12] = Fmt.count(st.nans());
                row[13] = Fmt.count(st.infs());
            }
            t.row(row);
        }
        t.print(out, "");
        if (!opaque.isEmpty()) {
            out.println("note: no statistics for " + String.join(", ", opaque)
                    + " tensors (opaque dtypes are not decoded)");
        }
        if (stats != null) {
            out.println("note: min, max, mean and std are over finite values; std divides by n");
        }
    }
}
