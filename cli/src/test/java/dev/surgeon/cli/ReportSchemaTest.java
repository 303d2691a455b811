package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.digest.Sha256;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON report's schema (README, "Reports"), one test per command: every report has the same
 * top-level keys with the same types; a writing command's inputs carry SHA-256 digests and its
 * outputs carry path, bytes and SHA-256 equal to the files on disk.
 */
class ReportSchemaTest {
    @TempDir
    static Path tmp;
    static Path a;
    static Path b;
    static Path c;
    static Path data;

    @BeforeAll
    static void models() throws IOException {
        a = SynthModels.llama(tmp.resolve("a"), 2, 64);
        b = Files.createDirectories(tmp.resolve("b"));
        c = Files.createDirectories(tmp.resolve("c"));
        // fine-tunes of a: a's tensors scaled, so diff, merge and average have something to show
        assertThat(Main.run("scale", a.toString(), SynthModels.llama(tmp.resolve("a2"), 2, 64).toString(), "--alpha", "0.5",
                "-o", b.resolve("m").toString(), "-q", "--force")).isZero();
        b = b.resolve("m");
        assertThat(Main.run("scale", a.toString(), b.toString(), "--alpha", "2", "-o", c.resolve("m").toString(), "-q")).isZero();
        c = c.resolve("m");
        StringBuilder lines = new StringBuilder();
        Random r = new Random(1);
        for (int l = 0; l < 16; l++) {
            StringBuilder ids = new StringBuilder("[");
            for (int i = 0; i < 64; i++) {
                ids.append(i == 0 ? "" : ",").append(r.nextInt(64)); // the synthetic vocabulary has 64 ids
            }
            lines.append(ids).append("]\n");
        }
        data = Files.writeString(tmp.resolve("data.jsonl"), lines);
    }

    @Test
    void inspect() {
        reads(run("inspect", a.toString(), "--json"));
    }

    @Test
    void diff() {
        JsonObject r = reads(run("diff", a.toString(), b.toString(), "--json"));
        assertThat(r.getAsJsonArray("blocks")).isNotEmpty();
    }

    @Test
    void verify() {
        reads(run("verify", a.toString(), "--json"));
    }

    @Test
    void eval() {
        reads(run("eval", a.toString(), "--data", data.toString(), "--seq-len", "16", "--json"));
    }

    @Test
    void convert() throws IOException {
        writes(run("convert", a.toString(), "--dtype", "bf16", "-o", out("convert"), "--json"), 1);
    }

    @Test
    void synth() throws IOException {
        writes(run("synth", "--arch", "llama", "--layers", "1", "--hidden", "16", "--intermediate", "32", "--heads", "2",
                "--vocab", "32", "--seed", "3", "-o", out("synth"), "--json"), 0);
    }

    @Test
    void pruneMagnitude() throws IOException {
        JsonObject r = writes(run("prune", a.toString(), "--method", "magnitude", "--ratio", "0.5", "-o", out("magnitude"),
                "--json"), 1);
        assertThat(r.get("method").getAsString()).isEqualTo("magnitude");
        assertThat(r.getAsJsonObject("summary").get("sparsity").getAsDouble()).isGreaterThan(0);
    }

    @Test
    void pruneComp() throws IOException {
        JsonObject r = writes(run("prune", a.toString(), "--ratio", "0.2", "--layer-share", "0", "--samples", "4", "--seq-len", "16",
                "-o", out("comp"), "--json"), 1);
        assertThat(r.get("method").getAsString()).isEqualTo("comp");
        assertThat(r.getAsJsonObject("summary").get("params_after").getAsLong())
                .isLessThan(r.getAsJsonObject("summary").get("params_before").getAsLong());
    }

    @Test
    void scale() throws IOException {
        JsonObject r = writes(run("scale", a.toString(), b.toString(), "--alpha", "0.3", "-o", out("scale"), "--json"), 2);
        assertThat(r.getAsJsonArray("blocks")).hasSize(2);
    }

    @Test
    void average() throws IOException {
        writes(run("average", a.toString(), b.toString(), "--weight", "0.5", "-o", out("average"), "--json"), 2);
    }

    @Test
    void merge() throws IOException {
        writes(run("merge", a.toString(), b.toString(), c.toString(), "--method", "ties", "--density", "0.5", "-o", out("merge"),
                "--json"), 3);
    }

    @Test
    void calibrate() throws IOException {
        writes(run("calibrate", a.toString(), "--calib", "self", "--samples", "2", "--seq-len", "8",
                "-o", tmp.resolve("stats.safetensors").toString(), "--json"), 1);
    }

    @Test
    void maskComputeAndApply() throws IOException {
        Path masks = tmp.resolve("masks.safetensors");
        writes(run("mask", "compute", a.toString(), "--weights", "0.5", "-o", masks.toString(), "--json"), 1);
        writes(run("mask", "apply", a.toString(), masks.toString(), "-o", out("masked"), "--json"), 1);
    }

    private static String out(String name) {
        return tmp.resolve("out-" + name).toString();
    }

    private static JsonObject run(String... args) {
        CommandRun r = CommandRun.of(args);
        assertThat(r.code()).as(r.toString()).isZero();
        return r.json();
    }

    /** The keys every report has, with their types. */
    private static JsonObject common(JsonObject r) {
        assertThat(r.get("tool").getAsString()).isEqualTo("surgeon");
        assertThat(r.get("version").getAsString()).isNotBlank();
        assertThat(r.get("command").getAsString()).isNotBlank();
        assertThat(r.has("method")).as("method (null when the command has none)").isTrue();
        assertThat(r.get("params").isJsonObject()).isTrue();
        assertThat(r.has("seed")).as("seed (null when nothing is random)").isTrue();
        for (String k : new String[] {"inputs", "outputs", "blocks", "tensors", "warnings"}) {
            assertThat(r.get(k)).as(k).isNotNull();
            assertThat(r.get(k).isJsonArray()).as(k + " is an array").isTrue();
        }
        JsonObject s = r.getAsJsonObject("summary");
        assertThat(s.get("seconds").getAsDouble()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("peak_rss_bytes").getAsLong()).isGreaterThan(0);
        for (JsonElement e : r.getAsJsonArray("inputs")) {
            JsonObject i = e.getAsJsonObject();
            assertThat(i.get("path").getAsString()).isNotBlank();
            assertThat(i.get("tensors").getAsLong()).isPositive();
            assertThat(i.get("bytes").getAsLong()).isPositive();
        }
        return r;
    }

    /** A command that only reads: no outputs. */
    private static JsonObject reads(JsonObject r) {
        common(r);
        assertThat(r.getAsJsonArray("inputs")).isNotEmpty();
        assertThat(r.getAsJsonArray("outputs")).isEmpty();
        return r;
    }

    /** A writing command: digests of its {@code inputs} inputs, and every output file's path, size and digest. */
    private static JsonObject writes(JsonObject r, int inputs) throws IOException {
        common(r);
        JsonArray ins = r.getAsJsonArray("inputs");
        assertThat(ins).hasSize(inputs);
        for (JsonElement e : ins) {
            JsonObject i = e.getAsJsonObject();
            assertThat(i.get("sha256").getAsString()).matches("[0-9a-f]{64}");
            for (JsonElement f : i.getAsJsonArray("files")) {
                Path p = Path.of(f.getAsJsonObject().get("path").getAsString());
                assertThat(f.getAsJsonObject().get("sha256").getAsString()).as(p.toString()).isEqualTo(Sha256.ofFile(p));
            }
        }
        JsonArray outs = r.getAsJsonArray("outputs");
        assertThat(outs).isNotEmpty();
        for (JsonElement e : outs) {
            JsonObject o = e.getAsJsonObject();
            Path p = Path.of(o.get("path").getAsString());
            assertThat(o.get("bytes").getAsLong()).as(p.toString()).isEqualTo(Files.size(p));
            assertThat(o.get("sha256").getAsString()).as(p.toString()).isEqualTo(Sha256.ofFile(p));
        }
        if (!r.get("command").getAsString().equals("calibrate") && !r.get("command").getAsString().equals("mask compute")) {
            JsonObject s = r.getAsJsonObject("summary");
            assertThat(s.get("params_after").getAsLong()).as("summary.params_after").isPositive();
            if (inputs > 0) {
                assertThat(s.get("params_before").getAsLong()).as("summary.params_before").isPositive();
            }
        }
        return r;
    }
}
