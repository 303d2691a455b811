package dev.surgeon.cli.command;

import dev.surgeon.cli.Console;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ThreadsOption;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.ops.diff.ModelDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code surgeon diff}: per-tensor and per-block differences between two models. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two models: tensors only in A or only in B, shape/dtype mismatches, and for tensors in both "
                + "with equal shapes ||A-B||, ||A-B||/||A|| (0 for 0/0; infinite for x/0, null in JSON), cosine (1 when both are zero), "
                + "max |A-B|, per tensor and per block (blocks of A). Values are decoded, so dtypes may differ.",
                "Exits 0 whether or not the models differ; 3 only for an invalid file."})
public final class DiffCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A", description = "The reference model: a .safetensors file, an index.json, a folder or an archive.")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The model compared with A, in any of the same forms.")
    String b;

    @Mixin
    ThreadsOption threads;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        Report report = new Report("diff");
        try (Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            InputReport.add(report, ca);
            InputReport.add(report, cb);
            ModelDiff d = ModelDiff.compare(ca, cb, threads.get());
            DiffView.addTo(report, d);
            if (!reportOptions.json) {
                DiffView.print(System.out, a, b, d);
                System.out.flush();
            }
        }
        report.emit(reportOptions);
        return 0;
    }
}
