package dev.surgeon.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * surgeon run in a child JVM on the test classpath, for the failures an in-process run cannot
 * show: signals, two runs racing for one output, a file-size limit ({@code ulimit -f}). stdout and
 * stderr go to files in {@code logDir} so a full pipe never stalls the child.
 */
final class ChildSurgeon {
    private final Process process;
    private final Path stderr;

    private ChildSurgeon(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /** Starts {@code surgeon args...}. */
    static ChildSurgeon start(Path logDir, String... args) throws IOException {
        return start(logDir, 0, args);
    }

    /**
     * Starts {@code surgeon args...} under {@code ulimit -f fileBlocks} (1 KiB blocks in bash) when
     * fileBlocks is positive: no file the child writes may grow past that size.
     */
    static ChildSurgeon start(Path logDir, long fileBlocks, String... args) throws IOException {
        Files.createDirectories(logDir);
        List<String> cmd = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (fileBlocks > 0) {
            // exec keeps the JVM as the process the test signals and waits for
            cmd.addAll(List.of("bash", "-c", "ulimit -f " + fileBlocks + " && exec \"$@\"", "bash"));
        }
        cmd.addAll(List.of(java, "-XX:+UseSerialGC", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.surgeon.cli.Main"));
        cmd.addAll(List.of(args));
        String tag = Long.toString(System.nanoTime());
        Path out = logDir.resolve("child-" + tag + ".out");
        Path err = logDir.resolve("child-" + tag + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildSurgeon(p, err);
    }

    /** Runs {@code surgeon args...} to the end (at most 120 s) and returns its exit code. */
    static ChildSurgeon run(Path logDir, long fileBlocks, String... args) throws Exception {
        ChildSurgeon c = start(logDir, fileBlocks, args);
        c.waitFor();
        return c;
    }

    Process process() {
        return process;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends a signal by name (TERM, INT) with kill(1). */
    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
    }

    int waitFor() throws Exception {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("child surgeon finished within 120 s").isTrue();
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Kills the child if a failed assertion left it running. */
    void destroy() {
        process.destroyForcibly();
    }
}
