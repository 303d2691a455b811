package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --dry-run of every writing command: exit 0, the plan on stdout with the output bytes the real
 * run then writes (byte for byte where the plan is exact), and nothing written: the folder the
 * output would go to lists the same before and after (no output, staging folder, lock or .sha256).
 */
class DryRunTest {
    private static final Pattern BYTES = Pattern.compile("output bytes: (~?)(\\d+) ");

    @TempDir
    Path tmp;
    Path a;
    Path b;
    Path work;

    @BeforeEach
    void models() throws IOException {
        a = SynthModels.llama(tmp.resolve("a"), 2, 64);
        b = Files.createDirectory(tmp.resolve("b-parent")).resolve("b");
        assertThat(Main.run("synth", "-q", "--arch", "llama", "--layers", "2", "--hidden", "32", "--intermediate", "64",
                "--heads", "4", "--kv-heads", "2", "--vocab", "64", "--max-positions", "64", "--dtype", "f32", "--seed", "7",
                "-o", b.toString())).isZero();
        work = Files.createDirectory(tmp.resolve("work"));
    }

    /** Runs {@code args} + --dry-run, checks nothing was written, and returns the planned output bytes. */
    private long dryBytes(String... args) throws IOException {
        List<String> before = TestModels.listing(tmp);
        String[] dry = Stream.concat(Arrays.stream(args), Stream.of("--dry-run")).toArray(String[]::new);
        CommandRun r = CommandRun.of(dry);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(TestModels.listing(tmp)).as("a dry run writes nothing").isEqualTo(before);
        assertThat(r.out()).contains("dry run: ").contains("tensors: ").contains("peak memory:").contains("time:");
        Matcher m = BYTES.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return Long.parseLong(m.group(2));
    }

    /** The real run's bytes: every file under {@code out} (card and SHA256SUMS included), or the file and its .sha256. */
    private static long written(Path out) throws IOException {
        if (Files.isRegularFile(out)) {
            Path sums = out.resolveSibling(out.getFileName() + ".sha256");
            return Files.size(out) + (Files.exists(sums) ? Files.size(sums) : 0);
        }
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long cardBytes(Path out) throws IOException {
        Path card = out.resolve("README.md");
        return Files.exists(card) ? Files.size(card) : 0;
    }

    private void exact(Path out, String... args) throws IOException {
        long planned = dryBytes(args);
        assertThat(Main.run(Stream.concat(Arrays.stream(args), Stream.of("-q")).toArray(String[]::new))).isZero();
        if (Files.isRegularFile(out)) {
            assertThat(written(out)).as("planned bytes equal the real output's").isEqualTo(planned);
        } else {
            // the model card's "key numbers" come from the report as the real run fills it: within a few hundred bytes
            assertThat(written(out)).as("planned bytes equal the real output's, but for the card").isCloseTo(planned,
                    org.assertj.core.api.Assertions.within(1024L));
            assertThat(written(out) - cardBytes(out)).as("everything but the card is exact").isLessThanOrEqualTo(planned);
        }
    }

    @Test
    void convertPlansTheBytesItWrites() throws IOException {
        Path out = work.resolve("c");
        exact(out, "convert", a.toString(), "--dtype", "bf16", "-o", out.toString());
        Path single = work.resolve("c.safetensors");
        exact(single, "convert", a.toString(), "-o", single.toString());
    }

    @Test
    void shardedConvertPlansEveryShard() throws IOException {
        Path out = work.resolve("sharded");
        exact(out, "convert", a.toString(), "--max-shard-size", "8K", "-o", out.toString());
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("model-0")).count()).isGreaterThan(1);
        }
    }

    @Test
    void scalePlansTheBytesItWrites() throws IOException {
        Path out = work.resolve("s");
        exact(out, "scale", a.toString(), b.toString(), "--alpha", "0.3", "--dtype", "f16", "-o", out.toString());
    }

    @Test
    void mergePlansTheBytesItWritesForEveryMethod() throws IOException {
        for (String method : List.of("task-arithmetic", "ties", "dare", "slerp")) {
            Path out = work.resolve("m-" + method);
            exact(out, "merge", a.toString(), b.toString(), "--method", method, "-o", out.toString());
        }
    }

    @Test
    void averagePlansTheBytesItWrites() throws IOException {
        Path out = work.resolve("avg");
        exact(out, "average", a.toString(), b.toString(), "--weight", "0.25", "-o", out.toString());
        Path parts = work.resolve("avg-parts");
        exact(parts, "average", a.toString(), b.toString(), "--ratios", "0.2,0.8", "--blocks", "2", "-o", parts.toString());
    }

    @Test
    void magnitudePrunePlansTheBytesItWrites() throws IOException {
        Path out = work.resolve("p");
        exact(out, "prune", a.toString(), "--method", "magnitude", "--ratio", "0.5", "-o", out.toString());
        Path nm = work.resolve("p24");
        exact(nm, "prune", a.toString(), "--method", "magnitude", "--nm", "2:4", "--dtype", "bf16", "-o", nm.toString());
    }

    @Test
    void maskComputeAndApplyPlanTheBytesTheyWrite() throws IOException {
        Path masks = work.resolve("masks.safetensors");
        exact(masks, "mask", "compute", a.toString(), "--weights", "0.5", "--heads", "0.5", "--data-free", "-o", masks.toString());
        for (String mode : List.of("zero", "remove")) {
            Path out = work.resolve("masked-" + mode);
            exact(out, "mask", "apply", a.toString(), masks.toString(), "--mode", mode, "-o", out.toString());
        }
    }

    @Test
    void synthAndCalibratePlanTheBytesTheyWrite() throws IOException {
        Path out = work.resolve("synth");
        exact(out, "synth", "--arch", "gpt2", "--layers", "2", "--hidden", "32", "--heads", "4", "--vocab", "64",
                "--max-positions", "64", "-o", out.toString());
        Path stats = work.resolve("a.stats.safetensors");
        exact(stats, "calibrate", a.toString(), "--calib", "self", "--samples", "2", "--seq-len", "8", "--gram", "-o", stats.toString());
    }

    @Test
    void calibratedMethodsPlanWithoutCalibrating() throws IOException {
        dryBytes("prune", a.toString(), "--method", "wanda", "--ratio", "0.5", "--calib", "self", "-o", work.resolve("w").toString());
        dryBytes("prune", a.toString(), "--method", "ecoflap", "--ratio", "0.5", "--calib", "self", "-o", work.resolve("e").toString());
        dryBytes("mask", "compute", a.toString(), "--layers", "1", "--calib", "self", "-o", work.resolve("l.safetensors").toString());
        dryBytes("scale", a.toString(), b.toString(), "--search", "--target", a.resolve("config.json").toString(),
                "--control", a.resolve("config.json").toString(), "-o", work.resolve("ss").toString());
        dryBytes("average", a.toString(), b.toString(), "--search", "--calib", "self", "--blocks", "2", "-o", work.resolve("as").toString());
    }

    @Test
    void compPlansTheParameterBudget() throws IOException {
        Path out = work.resolve("comp");
        CommandRun r = CommandRun.of("prune", a.toString(), "--ratio", "0.25", "-o", out.toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("decided by calibration").contains("output bytes: ~");
        assertThat(out).doesNotExist();
        long planned = Long.parseLong(BYTES.matcher(r.out()).results().findFirst().orElseThrow().group(2));
        long dense = written(a);
        // the budget: tensor data x 0.75, header and config as they are
        assertThat(planned).isLessThan(dense).isGreaterThan(dense / 2);
    }

    @Test
    void jsonDryRunIsOneReportWithThePlan() throws IOException {
        Path out = work.resolve("j");
        Path report = tmp.resolve("report.json");
        CommandRun r = CommandRun.of("prune", a.toString(), "--method", "magnitude", "--ratio", "0.5", "-o", out.toString(),
                "--dry-run", "--json", "--report", report.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        JsonObject d = r.json().getAsJsonObject("dry_run");
        assertThat(d.get("fits").getAsBoolean()).isTrue();
        assertThat(d.get("free_bytes").getAsLong()).isPositive();
        JsonArray outputs = d.getAsJsonArray("outputs");
        long sum = 0;
        for (var o : outputs) {
            assertThat(o.getAsJsonObject().get("path").getAsString()).startsWith(out.toString());
            sum += o.getAsJsonObject().get("bytes").getAsLong();
        }
        JsonObject est = d.getAsJsonObject("estimates");
        assertThat(est.get("disk_bytes").getAsLong()).isEqualTo(sum);
        assertThat(est.get("peak_memory_bytes").getAsLong()).isGreaterThanOrEqualTo(512L << 20);
        assertThat(est.get("seconds").getAsDouble()).isPositive();
        JsonObject t = d.getAsJsonObject("tensors");
        assertThat(t.get("touched").getAsInt() + t.get("copied").getAsInt()).isEqualTo(t.get("total").getAsInt());
        assertThat(t.get("touched").getAsInt()).isEqualTo(14); // 7 Linear weights in each of 2 blocks
        JsonArray plan = d.getAsJsonArray("plan");
        assertThat(plan).hasSize(t.get("total").getAsInt());
        JsonObject first = plan.get(0).getAsJsonObject();
        assertThat(first.keySet()).contains("name", "dtype", "shape", "touched");
        // --report FILE still writes the report: it is the plan
        JsonObject written = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertThat(written.getAsJsonObject("dry_run").get("estimates")).isEqualTo(est);
        assertThat(out).doesNotExist();
        assertThat(Main.run("prune", a.toString(), "--method", "magnitude", "--ratio", "0.5", "-o", out.toString(), "-q")).isZero();
        assertThat(written(out)).isEqualTo(sum);
    }

    @Test
    void verboseListsEveryTouchedTensor() throws IOException {
        CommandRun shortList = CommandRun.of("convert", a.toString(), "--dtype", "bf16", "-o", work.resolve("v").toString(), "--dry-run");
        CommandRun all = CommandRun.of("convert", a.toString(), "--dtype", "bf16", "-o", work.resolve("v").toString(), "--dry-run", "-v");
        assertThat(shortList.out()).contains("more touched tensors (-v lists all)");
        assertThat(all.out()).doesNotContain("more touched tensors").contains("F32 [32, 32] -> BF16 [32, 32]");
    }

    @Test
    void usageErrorsStillExitTwo() {
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"scale", a.toString(), b.toString(), "-o", work.resolve("x").toString()});
        bad.add(new String[] {"prune", a.toString(), "--method", "magnitude", "--ratio", "1.5", "-o", work.resolve("x").toString()});
        bad.add(new String[] {"prune", a.toString(), "--method", "wanda", "--ratio", "0.5", "-o", work.resolve("x").toString()});
        bad.add(new String[] {"merge", a.toString(), b.toString(), "--method", "nope", "-o", work.resolve("x").toString()});
        bad.add(new String[] {"convert", a.toString(), "--max-shard-size", "1K", "-o", work.resolve("x.safetensors").toString()});
        bad.add(new String[] {"calibrate", a.toString(), "-o", work.resolve("x.safetensors").toString()});
        for (String[] args : bad) {
            CommandRun r = CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--dry-run")).toArray(String[]::new));
            assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        }
    }

    @Test
    void malformedInputExitsThree() throws IOException {
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        CommandRun r = CommandRun.of("convert", bad.toString(), "-o", work.resolve("x").toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err().trim()).hasLineCount(1);
        assertThat(work.resolve("x")).doesNotExist();
    }

    @Test
    void existingOutputWithoutForceExitsFour() throws IOException {
        Path out = Files.createDirectory(work.resolve("exists"));
        CommandRun r = CommandRun.of("convert", a.toString(), "-o", out.toString(), "--dry-run");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(r.err()).contains("output exists");
        assertThat(CommandRun.of("convert", a.toString(), "-o", out.toString(), "--dry-run", "--force").code()).isZero();
        assertThat(TestModels.listing(out)).containsExactly("");
    }
}
