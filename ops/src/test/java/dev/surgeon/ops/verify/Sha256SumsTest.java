package dev.surgeon.ops.verify;

import dev.surgeon.io.digest.Sha256;
import dev.surgeon.io.digest.Sha256Sums;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.surgeon.io.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class Sha256SumsTest {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;

    @Test
    void digestsFilesLikeSha256sum() throws Exception {
        Files.writeString(dir.resolve("abc"), "abc", StandardCharsets.US_ASCII);
        Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(Sha256.ofFile(dir.resolve("abc"))).isEqualTo(ABC);
        assertThat(Sha256.ofFile(dir.resolve("empty"))).isEqualTo(EMPTY);
    }

    @Test
    void parsesTextBinaryBsdBareAndEscapedLines() {
        String text = ABC + "  model.safetensors\n"
                + EMPTY.toUpperCase() + " *sub/config.json\r\n"
                + "\n"
                + "SHA256 (tokenizer.json) = " + ABC + "\n"
                + "\\" + ABC + "  back\\\\slash\n";
        List<Sha256Sums.Entry> e = Sha256Sums.parse(text, "SUMS");
        assertThat(e).containsExactly(
                new Sha256Sums.Entry(ABC, "model.safetensors"),
                new Sha256Sums.Entry(EMPTY, "sub/config.json"),
                new Sha256Sums.Entry(ABC, "tokenizer.json"),
                new Sha256Sums.Entry(ABC, "back\\slash"));
        assertThat(Sha256Sums.parse(ABC + "\n", "x.sha256")).containsExactly(new Sha256Sums.Entry(ABC, null));
    }

    @Test
    void malformedLineNamesFileAndLine() {
        assertThatThrownBy(() -> Sha256Sums.parse(ABC + "  a\nnot a line\n", "SUMS"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("SUMS:2");
    }

    @Test
    void writesAtomicallyInSha256sumFormatAndReadsBack() throws Exception {
        List<Sha256Sums.Entry> e = List.of(new Sha256Sums.Entry(ABC, "a.safetensors"), new Sha256Sums.Entry(EMPTY, "b.json"));
        Path target = dir.resolve("SHA256SUMS");
        Sha256Sums.writeAtomically(target, e);
        assertThat(Files.readString(target)).isEqualTo(ABC + "  a.safetensors\n" + EMPTY + "  b.json\n");
        assertThat(Sha256Sums.read(target)).isEqualTo(e);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("SHA256SUMS");
        }
    }
}
