package dev.surgeon.cli.command;

import dev.surgeon.cli.Console;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.NumericGuardException;
import dev.surgeon.ops.verify.Verifier;
import dev.surgeon.ops.verify.VerifyResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code surgeon verify}: full re-validation of a model's files, checksums and values. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-validate a model: every header and the index, every tensor byte read once (a file truncated or "
                + "changed is caught), NaN/Inf in floating-point tensors, and the SHA-256 digests listed in the folder's "
                + "SHA256SUMS (sha256sum -c format) or, for a single file, in <file>.sha256 beside it.",
                "Exits 3 for an invalid file or a checksum mismatch (naming the file), 5 for NaN/Inf (naming the tensor)."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH",
            description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one.")
    String path;

    @Option(names = "--write-sums",
            description = "After a successful verification, write the checksums atomically: FOLDER/SHA256SUMS for a folder "
                    + "or index (every .safetensors, the index and side files, paths relative to the folder), FILE.sha256 "
                    + "for a single file. An existing checksum file is checked first and must match. Default: off.")
    boolean writeSums;

    @Option(names = "--allow-nonfinite",
            description = "Report NaN/Inf in tensors as a warning instead of failing with exit 5. Default: off (NaN/Inf fail).")
    boolean allowNonFinite;

    @Mixin
    ThreadsOption threads;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        Report report = new Report("verify");
        try (Checkpoint c = Checkpoint.open(path)) {
            if (writeSums && c.kind() == Checkpoint.Kind.ARCHIVE) {
                throw new UsageException(path + ": --write-sums cannot write into an archive; unpack it first");
            }
            InputReport.add(report, c);
            VerifyResult r = Verifier.verify(c, threads.get());
            report.warnAll(r.warnings());
            if (allowNonFinite) {
                for (VerifyResult.NonFinite n : r.nonFinite()) {
                    report.warn(n.file() + ": tensor '" + n.tensor() + "' holds " + n.nans() + " NaN and " + n.infs() + " Inf");
                }
            }
            boolean passed = r.ok() && (allowNonFinite || r.nonFinite().isEmpty());
            Path written = null;
            if (writeSums && passed) {
                written = Verifier.writeSums(c, r);
                report.put("sums_written", written.toString());
            }
            VerifyView.addTo(report, r, allowNonFinite);
            if (!reportOptions.json) {
                VerifyView.print(System.out, r, allowNonFinite);
                if (written != null) {
                    System.out.println("wrote " + written);
                }
                System.out.flush();
            }
            report.emit(reportOptions);
            if (!r.ok()) {
                String first = r.problems().get(0).message();
                int more = r.problems().size() - 1;
                throw new InvalidInputException(first + (more > 0 ? " (and " + more + " more problem" + (more > 1 ? "s" : "") + ")" : ""));
            }
            if (!passed) {
                VerifyResult.NonFinite n = r.nonFinite().get(0);
                int more = r.nonFinite().size() - 1;
                throw new NumericGuardException(n.file() + ": tensor '" + n.tensor() + "' holds " + n.nans() + " NaN and "
                        + n.infs() + " Inf" + (more > 0 ? " (and " + more + " more tensor" + (more > 1 ? "s" : "") + ")" : "")
                        + "; use --allow-nonfinite to accept");
            }
        }
        return 0;
    }
}
