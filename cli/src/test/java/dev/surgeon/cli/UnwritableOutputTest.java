package dev.surgeon.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An output that cannot be written: a read-only file system (root, where chmod does not stop
 * writes: a tmpfs mounted ro), a folder without write permission (not root), and a parent path
 * that is a regular file. Exit 4, one error line, nothing left, inputs unchanged.
 */
class UnwritableOutputTest {
    @TempDir
    Path tmp;

    @Test
    void readOnlyFileSystemExitsFour() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        try (SmallDisk ro = SmallDisk.mount(tmp.resolve("ro"), "ro,size=1m")) {
            check(in, ro.path().resolve("out"), "not writable");
            check(in, ro.path().resolve("sub/out.safetensors"), "cannot create output folder");
        }
    }

    @Test
    void folderWithoutWritePermissionExitsFour() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root writes through chmod 555; the read-only mount test covers root");
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            check(in, locked.resolve("out"), "not writable");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void parentThatIsAFileExitsFour() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path file = Files.writeString(tmp.resolve("plain.txt"), "not a folder\n");
        check(in, file.resolve("out"), "cannot create output folder");
        check(in, file.resolve("deeper/out.safetensors"), "cannot create output folder");
        assertThat(Files.readString(file)).isEqualTo("not a folder\n");
    }

    private void check(Path in, Path out, String says) throws Exception {
        Map<String, String> before = FileDigests.of(in);
        List<String> parentBefore = OutputLeftovers.parentListing(out);
        CommandRun r = CommandRun.of("convert", in.toString(), "-o", out.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.IO_FAILURE);
        OutputLeftovers.assertOneErrorLine(r.err(), says);
        OutputLeftovers.assertNone(out, parentBefore);
        assertThat(FileDigests.of(in)).isEqualTo(before);
    }
}
