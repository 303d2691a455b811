package dev.surgeon.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a failed run may have left beside its target: the output itself (or part of it), the
 * staging folder {@code .NAME.surgeon-tmp}, the lock {@code .NAME.surgeon.lock}, a
 * {@code NAME.sha256}, a {@code .NAME.surgeon-old}. A failure must leave none of them.
 */
final class OutputLeftovers {
    private OutputLeftovers() {
    }

    static List<String> of(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        List<String> left = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return left;
        }
        for (String n : new String[] {name, "." + name + ".surgeon-tmp", "." + name + ".surgeon.lock",
                name + ".sha256", "." + name + ".surgeon-old"}) {
            if (Files.exists(parent.resolve(n), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                left.add(n);
            }
        }
        return left;
    }

    /** Nothing of the target is left, and the parent folder holds what it held before the run. */
    static void assertNone(Path target, List<String> parentBefore) throws IOException {
        assertThat(of(target)).as("left beside %s", target).isEmpty();
        Path parent = target.toAbsolutePath().getParent();
        if (Files.isDirectory(parent)) {
            assertThat(TestModels.listing(parent)).as("files in %s", parent).isEqualTo(parentBefore);
        }
    }

    /** The parent folder's listing now, to compare after the run. */
    static List<String> parentListing(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        return Files.isDirectory(parent) ? TestModels.listing(parent) : List.of();
    }

    /** stderr is exactly one {@code surgeon: error: ...} line: no stack trace, no second line. */
    static void assertOneErrorLine(String stderr, String... contains) {
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("stderr: %s", stderr).hasSize(1);
        assertThat(lines.get(0)).startsWith("surgeon: error: ");
        for (String c : contains) {
            assertThat(lines.get(0)).contains(c);
        }
    }
}
