package dev.surgeon.io.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs appear whole or not at all, are never overwritten without force, and are never an input. */
class AtomicOutputTest {
    @TempDir
    Path tmp;

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    // ---------------------------------------------------------------- begin / force

    @Test
    void existingFileTargetIsRefusedWithoutForce() throws IOException {
        Path target = Files.writeString(tmp.resolve("out.safetensors"), "old");
        assertThatThrownBy(() -> AtomicOutput.begin(target, false))
                .isInstanceOf(IoFailureException.class).hasMessageContaining(target.toString()).hasMessageContaining("--force");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(listing(tmp)).containsExactly("out.safetensors");
    }

    @Test
    void existingFileTargetIsReplacedWithForce() throws IOException {
        Path target = Files.writeString(tmp.resolve("out.safetensors"), "old");
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            assertThat(Files.readString(target)).as("untouched until commit").isEqualTo("old");
            Files.writeString(out.stagedFile(), "new");
            out.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(listing(tmp)).containsExactly("out.safetensors");
    }

    @Test
    void existingFolderTargetIsRefusedWithoutForceAndReplacedWithForce() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("model-pruned"));
        Files.writeString(target.resolve("stale.txt"), "stale");
        assertThatThrownBy(() -> AtomicOutput.begin(target, false)).isInstanceOf(IoFailureException.class);
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            Files.writeString(out.staging().resolve("model.safetensors"), "fresh");
            out.commit();
        }
        assertThat(listing(target)).containsExactly("model.safetensors");
        assertThat(listing(tmp)).containsExactly("model-pruned");
    }

    @Test
    void missingParentFoldersAreCreated() throws IOException {
        Path target = tmp.resolve("a/b/c/out.safetensors");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.stagedFile(), "x");
            out.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("x");
    }

    // ---------------------------------------------------------------- abort

    @Test
    void abortLeavesNothingBesideTheTarget() throws IOException {
        Files.writeString(tmp.resolve("neighbour.txt"), "n");
        Path target = tmp.resolve("out");
        AtomicOutput out = AtomicOutput.begin(target, false);
        assertThat(listing(tmp).size()).as("staging and lock exist while writing").isGreaterThan(1);
        Files.writeString(out.staging().resolve("model.safetensors"), "partial");
        Files.createDirectories(out.staging().resolve("deep/er"));
        Files.writeString(out.staging().resolve("deep/er/f"), "partial");
        out.abort();
        assertThat(listing(tmp)).containsExactly("neighbour.txt");
        out.abort(); // idempotent
        out.close();
        assertThat(listing(tmp)).containsExactly("neighbour.txt");
    }

    @Test
    void closeWithoutCommitAborts() throws IOException {
        Path target = tmp.resolve("out.safetensors");
        assertThatThrownBy(() -> {
            try (AtomicOutput out = AtomicOutput.begin(target, false)) {
                Files.writeString(out.stagedFile(), "half");
                throw new IllegalStateException("failure while writing");
            }
        }).hasMessage("failure while writing");
        assertThat(listing(tmp)).isEmpty();
    }

    @Test
    void abortWithForceKeepsTheOldTarget() throws IOException {
        Path target = Files.writeString(tmp.resolve("out.safetensors"), "old");
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            Files.writeString(out.stagedFile(), "new");
        }
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(listing(tmp)).containsExactly("out.safetensors");
    }

    // ---------------------------------------------------------------- concurrent runs

    @Test
    void secondBeginOnTheSameTargetFailsWhileTheFirstIsOpen() throws IOException {
        Path target = tmp.resolve("out");
        try (AtomicOutput first = AtomicOutput.begin(target, false)) {
            Files.writeString(first.staging().resolve("model.safetensors"), "first");
            assertThatThrownBy(() -> AtomicOutput.begin(target, false))
                    .isInstanceOf(IoFailureException.class).hasMessageContaining("another surgeon run");
            assertThatThrownBy(() -> AtomicOutput.begin(target, true))
                    .isInstanceOf(IoFailureException.class).hasMessageContaining("another surgeon run");
            // the first run's staged work is intact
            assertThat(Files.readString(first.staging().resolve("model.safetensors"))).isEqualTo("first");
            first.commit();
        }
        assertThat(Files.readString(target.resolve("model.safetensors"))).isEqualTo("first");
        assertThat(listing(tmp)).containsExactly("out");
        // once the first is done the target can be claimed again (with force, as it exists)
        try (AtomicOutput again = AtomicOutput.begin(target, true)) {
            assertThat(again.staging()).isDirectory();
        }
        assertThat(listing(tmp)).containsExactly("out");
    }

    @Test
    void secondBeginDoesNotReleaseTheFirstRunsLockForOtherProcesses() throws Exception {
        assumeTrue(PyChecker.pythonAvailable(), "python3 not available to play the other process");
        Path target = tmp.resolve("out");
        try (AtomicOutput first = AtomicOutput.begin(target, false)) {
            Path lock;
            try (Stream<Path> s = Files.list(tmp)) {
                lock = s.filter(p -> p.getFileName().toString().endsWith(".lock")).findFirst().orElseThrow();
            }
            assertThat(otherProcessCanLock(lock)).as("lock held against other processes").isFalse();
            assertThatThrownBy(() -> AtomicOutput.begin(target, false)).isInstanceOf(IoFailureException.class);
            assertThat(otherProcessCanLock(lock)).as("lock still held after a refused second begin").isFalse();
            assertThat(first.staging()).isDirectory();
        }
    }

    /** Tries a non-blocking POSIX (fcntl) lock on the file from another process. */
    private static boolean otherProcessCanLock(Path lock) throws IOException, InterruptedException {
        String py = "import fcntl,sys\nf=open(sys.argv[1],'a')\ntry:\n fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nexcept OSError:\n sys.exit(1)\nsys.exit(0)\n";
        Process p = new ProcessBuilder("python3", "-c", py, lock.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isIn(0, 1);
        return p.exitValue() == 0;
    }

    // ---------------------------------------------------------------- commit

    @Test
    void commitOfASingleFileTargetMovesTheFileIntoPlace() throws IOException {
        Path target = tmp.resolve("model.pruned.safetensors");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            assertThat(out.target()).isEqualTo(target.toAbsolutePath().normalize());
            assertThat(out.stagedFile().getFileName().toString()).isEqualTo("model.pruned.safetensors");
            assertThat(out.stagedFile().getParent()).isEqualTo(out.staging());
            Files.writeString(out.stagedFile(), "weights");
            assertThat(target).doesNotExist();
            out.commit();
            assertThat(out.staging()).doesNotExist();
        }
        assertThat(Files.readString(target)).isEqualTo("weights");
        assertThat(listing(tmp)).containsExactly("model.pruned.safetensors");
    }

    @Test
    void commitOfASingleFileTargetAlsoPlacesItsSidecar() throws IOException {
        Path target = tmp.resolve("m.safetensors");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.stagedFile(), "weights");
            Files.writeString(out.staging().resolve("m.safetensors.sha256"), "abc  m.safetensors\n");
            out.commit();
        }
        assertThat(listing(tmp)).containsExactly("m.safetensors", "m.safetensors.sha256");
    }

    @Test
    void commitOfAFolderTargetMovesTheFolderIntoPlace() throws IOException {
        Path target = tmp.resolve("tiny-llama-pruned");
        try (AtomicOutput out = AtomicOutput.begin(target, false)) {
            Files.writeString(out.staging().resolve("model.safetensors"), "w");
            Files.writeString(out.staging().resolve("config.json"), "{}");
            out.commit();
        }
        assertThat(listing(target)).containsExactly("config.json", "model.safetensors");
        assertThat(listing(tmp)).containsExactly("tiny-llama-pruned");
    }

    @Test
    void commitTwiceIsAnErrorAndAbortAfterCommitKeepsTheOutput() throws IOException {
        Path target = tmp.resolve("o.safetensors");
        AtomicOutput out = AtomicOutput.begin(target, false);
        Files.writeString(out.stagedFile(), "x");
        out.commit();
        assertThatThrownBy(out::commit).isInstanceOf(IllegalStateException.class);
        out.abort();
        out.close();
        assertThat(Files.readString(target)).isEqualTo("x");
    }

    // ---------------------------------------------------------------- OutputPaths

    @Test
    void defaultForASafetensorsFile() {
        Path in = tmp.resolve("model.safetensors");
        assertThat(OutputPaths.defaultFor(in.toString(), "pruned")).isEqualTo(tmp.resolve("model.pruned.safetensors"));
        assertThat(OutputPaths.defaultFor(tmp.resolve("x/adapter.safetensors").toString(), "scaled"))
                .isEqualTo(tmp.resolve("x/adapter.scaled.safetensors"));
    }

    @Test
    void defaultForAFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tiny-llama"));
        assertThat(OutputPaths.defaultFor(dir.toString(), "pruned")).isEqualTo(tmp.resolve("tiny-llama-pruned"));
        assertThat(OutputPaths.defaultFor(dir + "/", "merged")).isEqualTo(tmp.resolve("tiny-llama-merged"));
    }

    @Test
    void defaultForAnIndex() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("big-model"));
        Path index = dir.resolve("model.safetensors.index.json");
        assertThat(OutputPaths.defaultFor(index.toString(), "averaged")).isEqualTo(tmp.resolve("big-model-averaged"));
    }

    @Test
    void defaultForArchives() {
        assertThat(OutputPaths.defaultFor(tmp.resolve("model.tar.gz").toString(), "pruned")).isEqualTo(tmp.resolve("model-pruned"));
        assertThat(OutputPaths.defaultFor(tmp.resolve("model.tgz").toString(), "pruned")).isEqualTo(tmp.resolve("model-pruned"));
        assertThat(OutputPaths.defaultFor(tmp.resolve("model.tar").toString(), "masked")).isEqualTo(tmp.resolve("model-masked"));
        assertThat(OutputPaths.defaultFor(tmp.resolve("Model.ZIP").toString(), "converted")).isEqualTo(tmp.resolve("Model-converted"));
    }

    @Test
    void isSingleFile() {
        assertThat(OutputPaths.isSingleFile(Path.of("a/b.safetensors"))).isTrue();
        assertThat(OutputPaths.isSingleFile(Path.of("a/b"))).isFalse();
        assertThat(OutputPaths.isSingleFile(Path.of("a/b.safetensors.index.json"))).isFalse();
    }

    @Test
    void checkNotInputRefusesTheSameFile() throws IOException {
        Path in = Files.writeString(tmp.resolve("model.safetensors"), "x");
        assertThatThrownBy(() -> OutputPaths.checkNotInput(in, List.of(in))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> OutputPaths.checkNotInput(tmp.resolve("./sub/../model.safetensors"), List.of(in)))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void checkNotInputRefusesAFolderHoldingTheInput() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tiny"));
        Path in = Files.writeString(dir.resolve("model.safetensors"), "x");
        assertThatThrownBy(() -> OutputPaths.checkNotInput(dir, List.of(in))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> OutputPaths.checkNotInput(tmp, List.of(in))).isInstanceOf(UsageException.class);
    }

    @Test
    void checkNotInputSeesThroughLinks() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tiny"));
        Path in = Files.writeString(dir.resolve("model.safetensors"), "x");
        Path link;
        try {
            link = Files.createSymbolicLink(tmp.resolve("alias"), dir);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "symbolic links not supported here");
            return;
        }
        assertThatThrownBy(() -> OutputPaths.checkNotInput(link, List.of(in))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> OutputPaths.checkNotInput(link.resolve("model.safetensors"), List.of(in)))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void checkNotInputAcceptsOtherPaths() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tiny"));
        Path in = Files.writeString(dir.resolve("model.safetensors"), "x");
        assertThatCode(() -> OutputPaths.checkNotInput(tmp.resolve("tiny-pruned"), List.of(in))).doesNotThrowAnyException();
        assertThatCode(() -> OutputPaths.checkNotInput(dir.resolve("model.pruned.safetensors"), List.of(in))).doesNotThrowAnyException();
        assertThatCode(() -> OutputPaths.checkNotInput(tmp.resolve("new/deep/out"), List.of(in))).doesNotThrowAnyException();
        assertThatCode(() -> OutputPaths.checkNotInput(tmp.resolve("tin"), List.of(in))).doesNotThrowAnyException();
    }
}
