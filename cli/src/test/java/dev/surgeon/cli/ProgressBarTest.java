package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bar driven by a real write: what reaches stderr when shown, and nothing when not. */
class ProgressBarTest {
    @TempDir
    Path tmp;

    private static List<PlannedTensor> plan() {
        return List.of(
                SmallModels.tensor("a", DType.F32, new long[] {4}, 1, 2, 3, 4),
                SmallModels.tensor("b", DType.F32, new long[] {2}, 5, 6),
                SmallModels.tensor("c", DType.BF16, new long[] {2}, 7, 8));
    }

    private static String captureErr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aShownBarCountsEveryTensorAndEndsItsLine() throws Exception {
        Path out = tmp.resolve("m.safetensors");
        String err = captureErr(() -> {
            try (ProgressBar bar = new ProgressBar("convert", true, false, 100);
                 dev.surgeon.io.write.AtomicOutput o = dev.surgeon.io.write.AtomicOutput.begin(out, false)) {
                // the writer drives the bar through its WriteProgress hook, as every model-writing command does
                dev.surgeon.io.write.CheckpointWriter.write(o, plan(), new dev.surgeon.io.write.CheckpointWriter.Options(
                        Map.of(), 0, List.of(), null, bar, null, false));
                o.commit();
            }
        });
        assertThat(err).startsWith("\rconvert [").endsWith("\n").doesNotContain("\033");
        String last = err.substring(err.lastIndexOf('\r') + 1).strip();
        assertThat(last).contains(" 100% 3/3 tensors 28 B/28 B").contains("MB/s").contains(" in 0:0");
        assertThat(Files.size(out)).isGreaterThan(28);
    }

    @Test
    void aMessageErasesTheBarAndGetsAWholeLine() {
        Console.configure(false, false);
        String err = captureErr(() -> {
            ProgressBar bar = new ProgressBar("prune: sampling", true, false, 80);
            bar.steps(1, 4, "sequences");
            Console.note("a note");
            bar.steps(4, 4, "sequences");
            bar.finish();
        });
        assertThat(err).contains("\r" + " ".repeat(79) + "\ra note\n");
        assertThat(err.substring(err.lastIndexOf('\r') + 1)).contains(" 100% 4/4 sequences ").endsWith("\n");
    }

    @Test
    void aHiddenBarPrintsNothingAndLeavesThePlanAlone() {
        List<PlannedTensor> plan = plan();
        String err = captureErr(() -> {
            ProgressBar bar = ProgressBar.create("convert", false);
            bar.start(plan.size(), 28);
            bar.tensorWritten("a", 16);
            bar.steps(1, 2, "blocks");
            bar.finish();
            Progress.line(false, "calibrate", "calibrating", 1, 6, "blocks");
            Progress.end(false);
        });
        assertThat(err).isEmpty();
    }
}
