package dev.surgeon.io.write;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.digest.Sha256Sums;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.surgeon.io.safetensors.StBytes.patterned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Digests computed while writing, checksum files, archives streamed from the plan, the progress hook. */
class ProvenanceWriterTest {
    @TempDir
    Path tmp;

    private static List<PlannedTensor> plan() {
        return List.of(patterned("a.weight", DType.F32, 64, 32), patterned("b.weight", DType.BF16, 128, 16),
                patterned("c.bias", DType.F16, 40), patterned("d.idx", DType.I64, 9));
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    private List<WrittenFile> write(Path target, long shard, WriteProgress progress, List<PlannedTensor> plan) throws IOException {
        Path cfg = tmp.resolve("side").resolve("config.json");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, "{\"model_type\": \"x\"}\n");
        try (AtomicOutput out = AtomicOutput.begin(target, true)) {
            List<WrittenFile> w = CheckpointWriter.write(out, plan, new CheckpointWriter.Options(Map.of("format", "pt"), shard,
                    List.of(cfg), null, progress, files -> "# card\n" + files.size() + " files\n", true));
            out.commit();
            return w;
        }
    }

    @Test
    void folderOutputDigestsMatchTheFilesAndSha256SumsListsThemAll() throws Exception {
        Path out = tmp.resolve("out");
        List<WrittenFile> w = write(out, 5000, WriteProgress.NONE, plan());
        List<String> onDisk;
        try (Stream<Path> s = Files.list(out)) {
            onDisk = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(w).extracting(WrittenFile::relativePath).containsExactlyInAnyOrderElementsOf(onDisk);
        assertThat(onDisk).contains("README.md", "SHA256SUMS", "model.safetensors.index.json", "config.json");
        for (WrittenFile f : w) {
            assertThat(f.sha256()).as(f.relativePath()).isEqualTo(sha256(out.resolve(f.relativePath())));
            assertThat(f.bytes()).isEqualTo(Files.size(out.resolve(f.relativePath())));
        }
        List<Sha256Sums.Entry> sums = Sha256Sums.read(out.resolve("SHA256SUMS"));
        List<String> listed = sums.stream().map(Sha256Sums.Entry::path).toList();
        assertThat(listed).isSorted().doesNotContain("SHA256SUMS")
                .containsExactlyElementsOf(onDisk.stream().filter(n -> !n.equals("SHA256SUMS")).sorted().toList());
        for (Sha256Sums.Entry e : sums) {
            assertThat(e.sha256()).isEqualTo(sha256(out.resolve(e.path())));
        }
        String text = Files.readString(out.resolve("SHA256SUMS"));
        assertThat(text).matches("([0-9a-f]{64}  [^\\n]+\\n)+");
    }

    @Test
    void singleFileGetsItsSha256Beside() throws Exception {
        Path out = tmp.resolve("one.safetensors");
        List<WrittenFile> w = write(out, 0, WriteProgress.NONE, plan());
        assertThat(w).extracting(WrittenFile::relativePath).containsExactly("one.safetensors", "one.safetensors.sha256");
        assertThat(Files.readString(tmp.resolve("one.safetensors.sha256"), StandardCharsets.UTF_8))
                .isEqualTo(sha256(out) + "  one.safetensors\n");
        assertThat(w.get(0).sha256()).isEqualTo(sha256(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).doesNotContain(".one.safetensors.surgeon-tmp");
        }
    }

    @Test
    void progressHookHearsEveryTensorOnce() throws Exception {
        AtomicLong started = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<String> names = new ArrayList<>();
        int[] finished = {0};
        WriteProgress p = new WriteProgress() {
            @Override
            public void start(long tensors, long total) {
                started.set(tensors);
                bytes.set(-total);
            }

            @Override
            public void tensorWritten(String name, long b) {
                names.add(name);
                bytes.addAndGet(b);
            }

            @Override
            public void finish() {
                finished[0]++;
            }
        };
        write(tmp.resolve("p"), 3000, p, plan());
        assertThat(started.get()).isEqualTo(4);
        assertThat(names).containsExactly("a.weight", "b.weight", "c.bias", "d.idx");
        assertThat(bytes.get()).isZero();
        assertThat(finished[0]).isEqualTo(1);
    }

    @Test
    void archivesHoldTheFolderAndReadBackWithTheSameTensors() throws Exception {
        Path folder = tmp.resolve("model");
        write(folder, 5000, WriteProgress.NONE, plan());
        for (String name : List.of("model.tar.gz", "model.tgz", "model.tar", "model.zip")) {
            Path archive = tmp.resolve("arch").resolve(name);
            List<WrittenFile> w = write(archive, 5000, WriteProgress.NONE, plan());
            assertThat(w).extracting(WrittenFile::relativePath).containsExactly(name, name + ".sha256");
            assertThat(w.get(0).sha256()).isEqualTo(sha256(archive));
            assertThat(Files.readString(archive.resolveSibling(name + ".sha256"))).isEqualTo(sha256(archive) + "  " + name + "\n");
            try (Checkpoint a = Checkpoint.open(folder.toString()); Checkpoint b = Checkpoint.open(archive.toString())) {
                assertThat(b.kind()).isEqualTo(Checkpoint.Kind.ARCHIVE);
                assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
                for (TensorRef r : a.tensors().values()) {
                    assertThat(b.tensor(r.name()).file().readAll(b.tensor(r.name()).info()))
                            .as(name + " " + r.name()).isEqualTo(r.file().readAll(r.info()));
                }
                // every file of the folder, byte for byte, inside the archive's top folder
                try (Stream<Path> s = Files.list(folder)) {
                    for (Path f : s.toList()) {
                        assertThat(b.root().resolve(f.getFileName().toString())).as(name).hasSameBinaryContentAs(f);
                    }
                }
            }
        }
    }

    @Test
    void sameArchiveTwiceGivesTheSameBytes() throws Exception {
        for (String name : List.of("m.tar.gz", "m.zip")) {
            Path a = tmp.resolve("1").resolve(name);
            Path b = tmp.resolve("2").resolve(name);
            write(a, 0, WriteProgress.NONE, plan());
            write(b, 0, WriteProgress.NONE, plan());
            assertThat(a).as(name).hasSameBinaryContentAs(b);
        }
    }

    @Test
    void failureMidArchiveLeavesNothing() throws Exception {
        List<PlannedTensor> plan = new ArrayList<>(plan());
        plan.add(new PlannedTensor("z.broken", DType.F32, new long[] {4}, sink -> {
            throw new IOException("source vanished");
        }));
        Path dir = tmp.resolve("fail");
        Files.createDirectories(dir);
        for (String name : List.of("x.tar.gz", "x.zip", "x")) {
            assertThatThrownBy(() -> write(dir.resolve(name), 0, WriteProgress.NONE, plan)).hasMessageContaining("source vanished");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void archiveTargetsAreStagedAsFilesAndNeverDefaults() {
        assertThat(OutputPaths.isArchive(Path.of("a/m.tar.gz"))).isTrue();
        assertThat(OutputPaths.isArchive(Path.of("m.ZIP"))).isTrue();
        assertThat(OutputPaths.isArchive(Path.of("m.safetensors"))).isFalse();
        assertThat(OutputPaths.isArchive(Path.of("dir"))).isFalse();
        assertThat(OutputPaths.isSingleFile(Path.of("m.tar"))).isFalse();
        assertThat(OutputPaths.isStagedAsFile(Path.of("m.tgz"))).isTrue();
        assertThat(ArchiveFiles.topFolder(Path.of("/x/model.tar.gz"))).isEqualTo("model");
        assertThat(OutputPaths.defaultFor(tmp.resolve("m.tar.gz").toString(), "pruned").getFileName().toString()).isEqualTo("m-pruned");
    }
}
