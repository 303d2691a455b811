package dev.surgeon.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.surgeon.io.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every row of {@code shared/fixtures/malformed/MANIFEST.tsv}: accept rows open, reject rows fail
 * with the FormatError whose reference name is the row's reference_error (its leading identifier,
 * with {@code InvalidHeader(Utf8Error)} read as {@code InvalidHeaderUtf8}). Skipped, with a message,
 * where the shared folder is absent.
 */
class MalformedManifestTest {
    private static final Pattern LEADING_ID = Pattern.compile("^([A-Za-z]+)(\\((\\w+)\\))?");

    record Row(String file, String expect, String referenceError) {
    }

    private static Path folder() {
        SharedFixtures.assumePresent();
        Path dir = SharedFixtures.root().resolve("fixtures/malformed");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("MANIFEST.tsv")),
                "shared fixtures present but " + dir + "/MANIFEST.tsv is missing");
        return dir;
    }

    private static List<Row> rows(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("MANIFEST.tsv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).startsWith("file\texpect\treference_error");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] c = line.split("\t");
            rows.add(new Row(c[0], c[1], c[2]));
        }
        return rows;
    }

    /** {@code InvalidHeader(Utf8Error)} → InvalidHeaderUtf8; {@code InvalidHeaderLength (N=...)} → InvalidHeaderLength. */
    static String expectedReferenceName(String column) {
        Matcher m = LEADING_ID.matcher(column.trim());
        assertThat(m.find()).as("reference_error '%s' has no leading identifier", column).isTrue();
        String id = m.group(1);
        if (m.group(3) != null) {
            String inner = m.group(3);
            id = id + (inner.endsWith("Error") ? inner.substring(0, inner.length() - "Error".length()) : inner);
        }
        return id;
    }

    @Test
    void referenceNameMapping() {
        assertThat(expectedReferenceName("InvalidHeader(Utf8Error)")).isEqualTo("InvalidHeaderUtf8");
        assertThat(expectedReferenceName("InvalidHeaderLength (N=1000 > file)")).isEqualTo("InvalidHeaderLength");
        assertThat(expectedReferenceName("HeaderTooSmall")).isEqualTo("HeaderTooSmall");
    }

    @TestFactory
    Stream<DynamicTest> everyManifestRow() throws IOException {
        Path dir = folder();
        List<Row> rows = rows(dir);
        assertThat(rows).isNotEmpty();
        return rows.stream().map(r -> DynamicTest.dynamicTest(r.expect() + " " + r.file(), () -> check(dir, r)));
    }

    private static void check(Path dir, Row r) {
        Path p = dir.resolve(r.file());
        assertThat(p).isRegularFile();
        if (r.expect().equals("accept")) {
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                for (TensorInfo t : f.tensors()) {
                    assertThat(StBytes.tensorBytes(f, t)).hasSize((int) t.byteSize());
                }
            }
            return;
        }
        assertThat(r.expect()).isEqualTo("reject");
        Throwable t = catchThrowable(() -> SafetensorsFile.open(p).close());
        assertThat(t).as("%s should be rejected", r.file()).isInstanceOf(SafetensorsFormatException.class);
        SafetensorsFormatException e = (SafetensorsFormatException) t;
        assertThat(e.error().referenceName()).as(e.getMessage()).isEqualTo(expectedReferenceName(r.referenceError()));
        assertThat(e.getMessage()).contains(p.toString());
    }

    @Test
    void manifestListsEveryFileInTheFolder() throws IOException {
        Path dir = folder();
        Set<String> listed = rows(dir).stream().map(Row::file).collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> s = Files.walk(dir)) {
            present = s.filter(p -> p.toString().endsWith(".safetensors"))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(listed).isEqualTo(present);
    }
}
