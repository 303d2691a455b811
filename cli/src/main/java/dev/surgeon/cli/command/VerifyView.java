package dev.surgeon.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.util.ByteSize;
import dev.surgeon.ops.verify.VerifyResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How {@code verify} shows a {@link VerifyResult}: one line per file, then a summary; or report fields. */
final class VerifyView {
    private VerifyView() {
    }

    static void addTo(Report report, VerifyResult r, boolean allowNonFinite) {
        JsonArray files = new JsonArray();
        for (VerifyResult.FileCheck f : r.files()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", f.path().toString());
            o.addProperty("bytes", f.bytes());
            o.addProperty("tensors", f.tensors());
            if (f.sha256() != null) {
                o.addProperty("sha256", f.sha256());
            }
            o.addProperty("status", problemsOf(r, f.path()).isEmpty() ? "ok" : "failed");
            if (f.error() != null) {
                o.addProperty("error", f.error());
            }
            files.add(o);
        }
        report.put("files", files);
        JsonArray sums = new JsonArray();
        for (VerifyResult.SumCheck s : r.sums()) {
            JsonObject o = new JsonObject();
            o.addProperty("listed_in", s.listedIn().toString());
            o.addProperty("path", s.file().toString());
            o.addProperty("expected", s.expected());
            if (s.actual() != null) {
                o.addProperty("actual", s.actual());
            }
            o.addProperty("status", s.status().name().toLowerCase(Locale.ROOT));
            sums.add(o);
        }
        report.put("checksums", sums);
        JsonArray nf = new JsonArray();
        for (VerifyResult.NonFinite n : r.nonFinite()) {
            JsonObject o = new JsonObject();
            o.addProperty("file", n.file().toString());
            o.addProperty("tensor", n.tensor());
            o.addProperty("dtype", n.dtype().name());
            o.addProperty("nan", n.nans());
            o.addProperty("inf", n.infs());
            nf.add(o);
        }
        report.put("nonfinite", nf);
        JsonArray problems = new JsonArray();
        for (VerifyResult.Problem p : r.problems()) {
            JsonObject o = new JsonObject();
            o.addProperty("file", p.file().toString());
            o.addProperty("message", p.message());
            problems.add(o);
        }
        report.put("problems", problems);
        JsonObject s = report.summary();
        s.addProperty("files", r.files().size());
        s.addProperty("tensors", r.tensors());
        s.addProperty("bytes", r.bytes());
        s.addProperty("checksums_checked", r.sums().size());
        s.addProperty("ok", r.ok() && (allowNonFinite || r.nonFinite().isEmpty()));
    }

    static void print(PrintStream out, VerifyResult r, boolean allowNonFinite) {
        Set<Path> shown = new HashSet<>();
        for (VerifyResult.FileCheck f : r.files()) {
            Path key = f.path().toAbsolutePath().normalize();
            shown.add(key);
            List<VerifyResult.Problem> ps = problemsOf(r, f.path());
            if (ps.isEmpty()) {
                boolean summed = r.sums().stream().anyMatch(s -> s.file().equals(key));
                out.println("OK      " + f.path() + "  (" + Fmt.plural(f.tensors(), "tensor") + ", " + Fmt.plural(f.bytes(), "byte")
                        + (summed ? ", sha256 matches" : "") + ")");
            } else {
                ps.forEach(p -> out.println("FAILED  " + p.message()));
            }
        }
        for (VerifyResult.SumCheck s : r.sums()) {
            if (shown.add(s.file())) {
                if (s.status() == VerifyResult.Status.OK) {
                    out.println("OK      " + s.file() + "  (sha256 matches)");
                } else {
                    problemsOf(r, s.file()).forEach(p -> out.println("FAILED  " + p.message()));
                }
            }
        }
        for (VerifyResult.NonFinite n : r.nonFinite()) {
            out.println((allowNonFinite ? "NONFINITE " : "FAILED  ") + n.file() + ": tensor '" + n.tensor() + "' ("
                    + n.dtype() + ") holds " + n.nans() + " NaN and " + n.infs() + " Inf");
        }
        int bad = r.problems().size() + (allowNonFinite ? 0 : r.nonFinite().size());
        out.println("verify: " + Fmt.plural(r.files().size(), "safetensors file") + ", " + Fmt.plural(r.tensors(), "tensor")
                + ", " + ByteSize.format(r.bytes()) + " read, " + Fmt.plural(r.sums().size(), "checksum") + " checked: "
                + (bad == 0 ? "OK" : bad + (bad == 1 ? " problem" : " problems")));
    }

    static List<VerifyResult.Problem> problemsOf(VerifyResult r, Path file) {
        Path key = file.toAbsolutePath().normalize();
        return r.problems().stream().filter(p -> p.file().toAbsolutePath().normalize().equals(key)).toList();
    }
}
