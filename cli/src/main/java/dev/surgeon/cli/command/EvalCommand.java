package dev.surgeon.cli.command;

import dev.surgeon.cli.Console;
import dev.surgeon.cli.LoggingOptions;
import dev.surgeon.cli.ReportOptions;
import dev.surgeon.cli.report.Report;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.ops.data.TokenData;
import dev.surgeon.ops.data.Windows;
import dev.surgeon.ops.runner.Runners;
import dev.surgeon.ops.runner.TransformerRunner;
import dev.surgeon.ops.runner.Perplexity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

/** {@code surgeon eval}: mean next-token NLL and perplexity of a model on token data, with the built-in forward pass. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Mean next-token NLL (nats) and perplexity of a LLaMA-family model on token data.",
                "The data is cut into consecutive non-overlapping windows of T+1 tokens (the remainder is dropped);",
                "each window predicts its last T tokens."})
public final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A .safetensors file, an index.json, a model folder, or a .tar/.tar.gz/.zip of one; config.json is required.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Token data: .bin raw bytes (byte-level models), .jsonl token-id lists, .safetensors input_ids, .txt text.")
    Path data;

    @Option(names = "--seq-len", paramLabel = "T",
            description = "Predicted tokens per window. Default: the model's max_position_embeddings, at most 2048.")
    Integer seqLen;

    @Option(names = "--batch", paramLabel = "B",
            description = "Windows per forward pass. Default: as many as keep a batch's logits and scores small (at most 64).")
    Integer batch;

    @Mixin
    ReportOptions reportOptions;

    @Mixin
    LoggingOptions logging;

    @Override
    public Integer call() {
        if (seqLen != null && seqLen < 1) {
            throw new UsageException("--seq-len must be at least 1, not " + seqLen);
        }
        if (batch != null && batch < 1) {
            throw new UsageException("--batch must be at least 1, not " + batch);
        }
        Report report = new Report("eval");
        try (Checkpoint in = Checkpoint.open(model); TransformerRunner runner = Runners.open(in)) {
            int t = seqLen != null ? seqLen : Math.min(runner.maxPositions(), 2048);
            int[][] windows = Windows.evaluation(TokenData.load(data, in), t);
            int b = batch != null ? batch : Perplexity.defaultBatch(runner, t);
            InputReport.add(report, in);
            report.put("data", data.toString());
            report.put("seq_len", t);
            report.put("batch", b);

            boolean showProgress = dev.surgeon.cli.Progress.wanted(reportOptions);
            IntConsumer progress = done -> {
                if (showProgress) {
                    System.err.print("\reval: " + done + "/" + windows.length + " windows");
                    System.err.flush();
                }
            };
            runner.preload(); // the timing below covers the forward passes, not decoding the weights
            long start = System.nanoTime();
            Perplexity.Result r = Perplexity.evaluate(runner, windows, b, progress);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (showProgress) {
                System.err.println();
            }
            report.put("mean_nll", r.meanNll());
            report.put("perplexity", r.perplexity());
            report.put("tokens", r.tokens());
            report.put("windows", r.windows());
            report.put("seconds", Math.round(seconds * 1000) / 1000.0);
            report.put("tokens_per_second", Math.round(r.tokens() / Math.max(seconds, 1e-9)));
            if (!reportOptions.json) {
                System.out.printf(Locale.ROOT, "mean NLL %.4f nats/token, perplexity %.4f (%d tokens in %d windows of %d; "
                                + "%.1f s, %.0f tokens/s)%n", r.meanNll(), r.perplexity(), r.tokens(), r.windows(), t,
                        seconds, r.tokens() / Math.max(seconds, 1e-9));
                System.out.flush();
            }
        }
        report.emit(reportOptions);
        return 0;
    }
}
