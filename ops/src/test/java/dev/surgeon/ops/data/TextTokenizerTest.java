package dev.surgeon.ops.data;

import dev.surgeon.io.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.surgeon.ops.data.TinyTokenizers.BOS;
import static dev.surgeon.ops.data.TinyTokenizers.EOT;
import static dev.surgeon.ops.data.TinyTokenizers.QUOTE_T;
import static dev.surgeon.ops.data.TinyTokenizers.SPACE_THE;
import static dev.surgeon.ops.data.TinyTokenizers.THE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void encodesASentenceWithMergesBytesAndAnAddedToken() throws IOException {
        TinyTokenizers.write(dir, false);
        try (TextTokenizer t = TextTokenizer.forModel(dir)) {
            // "the" merges fully; " cat" has no merges: Ġ c a t as bytes; the added token is one id;
            // " the" is a pre-token of its own and merges to "Ġthe".
            assertThat(t.encode("the cat<|endoftext|> the"))
                    .containsExactly(THE, ' ', 'c', 'a', 't', EOT, SPACE_THE);
        }
    }

    @Test
    void mergesStayInsideGpt2PreTokens() throws IOException {
        TinyTokenizers.write(dir, false);
        try (TextTokenizer t = TextTokenizer.forModel(dir)) {
            // The GPT-2 regex splits "don't" into "don" + "'t": the merge "n '" would cross the split
            // and must not apply; "' t" lies inside "'t" and does.
            assertThat(t.encode("don't")).containsExactly('d', 'o', 'n', QUOTE_T);
            // "the the": "e Ġ" is never a pair, the second word carries its space.
            assertThat(t.encode("the the")).containsExactly(THE, SPACE_THE);
        }
    }

    @Test
    void nonAsciiTextBecomesItsUtf8BytesThroughTheByteToUnicodeMap() throws IOException {
        TinyTokenizers.write(dir, false);
        try (TextTokenizer t = TextTokenizer.forModel(dir)) {
            assertThat(t.encode("é\n")).containsExactly(0xC3, 0xA9, '\n');
            assertThat(t.encode("€")).containsExactly(0xE2, 0x82, 0xAC);
        }
    }

    @Test
    void templatePostProcessorPutsBosFirstUnlessSpecialTokensAreOff() throws IOException {
        TinyTokenizers.write(dir, true);
        try (TextTokenizer t = TextTokenizer.forModel(dir)) {
            assertThat(t.encode("the")).containsExactly(BOS, THE);
            assertThat(t.encode("the", false)).containsExactly(THE);
            assertThat(t.encode("<|begin_of_text|>the", false)).containsExactly(BOS, THE);
        }
    }

    @Test
    void longTextIsNeverTruncated() throws IOException {
        TinyTokenizers.write(dir, false);
        try (TextTokenizer t = TextTokenizer.forModel(dir)) {
            int[] ids = t.encode("the" + " the".repeat(4999));
            assertThat(ids).hasSize(5000);
            assertThat(ids[0]).isEqualTo(THE);
            assertThat(ids[4999]).isEqualTo(SPACE_THE);
        }
    }

    @Test
    void missingTokenizerJsonIsInvalidInput() {
        assertThatThrownBy(() -> TextTokenizer.forModel(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("text data needs the model's tokenizer.json");
    }

    @Test
    void malformedTokenizerJsonIsInvalidInput() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": 3}");
        assertThatThrownBy(() -> TextTokenizer.forModel(dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tokenizer.json");
    }
}
