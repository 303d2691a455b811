package dev.surgeon.ops.data;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.surgeon.ops.data.TinyTokenizers.EOT;
import static dev.surgeon.ops.data.TinyTokenizers.SPACE_THE;
import static dev.surgeon.ops.data.TinyTokenizers.THE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenDataTest {
    @TempDir
    Path dir;

    // ---- .bin

    @Test
    void binIsRawBytesAsIds() throws IOException {
        Path f = Files.write(dir.resolve("d.bin"), new byte[] {0, 1, 'a', (byte) 0x80, (byte) 0xFF});
        assertThat(TokenData.load(f, 256, dir)).containsExactly(0, 1, 'a', 0x80, 0xFF);
    }

    @Test
    void binNeedsAByteLevelVocabulary() throws IOException {
        Path f = Files.write(dir.resolve("d.bin"), new byte[] {1, 2});
        assertThatThrownBy(() -> TokenData.load(f, 100, dir))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("raw bytes need a byte-level model (vocab 256)");
    }

    // ---- .jsonl

    @Test
    void jsonlArraysAndInputIdsObjectsConcatenateInOrder() throws IOException {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, "[1, 2, 3]\n\n{\"input_ids\": [4, 5], \"text\": \"x\"}\n[]\n[6]\n");
        assertThat(TokenData.load(f, 10, dir)).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void jsonlOutOfVocabularyNamesFileLineAndPosition() throws IOException {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, "[1, 2]\n[3, 10, 4]\n");
        assertThatThrownBy(() -> TokenData.load(f, 10, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("token 3 (line 2, element 1) is id 10")
                .hasMessageContaining("[0, 10)");
        Files.writeString(f, "[-1]\n");
        assertThatThrownBy(() -> TokenData.load(f, 10, dir)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is id -1");
    }

    @Test
    void jsonlRejectsNonIntegersAndOtherShapes() throws IOException {
        Path f = dir.resolve("d.jsonl");
        for (String bad : new String[] {"[1.5]", "[\"a\"]", "{\"ids\": [1]}", "3", "[1,", "[null]"}) {
            Files.writeString(f, "[1]\n" + bad + "\n");
            assertThatThrownBy(() -> TokenData.load(f, 10, dir)).as(bad)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("line 2");
        }
    }

    // ---- .safetensors

    @Test
    void safetensorsInputIdsOfAnyShapeFlattenRowMajor() throws IOException {
        Path f = safetensors("I64", new long[] {2, 3}, new long[] {0, 1, 2, 3, 4, 5});
        assertThat(TokenData.load(f, 6, dir)).containsExactly(0, 1, 2, 3, 4, 5);
        Path g = safetensors("I32", new long[] {4}, new long[] {9, 8, 7, 6});
        assertThat(TokenData.load(g, 10, dir)).containsExactly(9, 8, 7, 6);
        Path h = safetensors("U16", new long[] {1, 2, 1}, new long[] {65535, 3});
        assertThat(TokenData.load(h, 65536, dir)).containsExactly(65535, 3);
        Path u8 = safetensors("U8", new long[] {2}, new long[] {255, 0});
        assertThat(TokenData.load(u8, 256, dir)).containsExactly(255, 0);
    }

    @Test
    void safetensorsOutOfVocabularyNamesThePosition() throws IOException {
        Path f = safetensors("I64", new long[] {2, 3}, new long[] {0, 1, 2, 3, -4, 5});
        assertThatThrownBy(() -> TokenData.load(f, 6, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("token 4 (input_ids[1, 1]) is id -4");
        Path g = safetensors("I32", new long[] {2}, new long[] {1, 6});
        assertThatThrownBy(() -> TokenData.load(g, 6, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("token 1");
    }

    @Test
    void safetensorsNeedsAnIntegerInputIdsTensor() throws IOException {
        Path f = safetensors("F32", new long[] {1}, new long[] {0});
        assertThatThrownBy(() -> TokenData.load(f, 6, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("integer dtype");
        Path g = dir.resolve("other.safetensors");
        writeSafetensors(g, "tokens", "I32", new long[] {1}, new long[] {0});
        assertThatThrownBy(() -> TokenData.load(g, 6, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no tensor named 'input_ids'")
                .hasMessageContaining("tokens");
        Path h = Files.write(dir.resolve("junk.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> TokenData.load(h, 6, dir)).isInstanceOf(InvalidInputException.class);
    }

    // ---- .txt

    @Test
    void txtIsTokenizedWithTheModelsTokenizer() throws IOException {
        TinyTokenizers.write(dir, false);
        Path f = Files.writeString(dir.resolve("d.txt"), "the cat<|endoftext|> the", StandardCharsets.UTF_8);
        assertThat(TokenData.load(f, 300, dir)).containsExactly(THE, ' ', 'c', 'a', 't', EOT, SPACE_THE);
    }

    @Test
    void txtIdsBeyondTheModelsVocabularyAreInvalid() throws IOException {
        TinyTokenizers.write(dir, false);
        Path f = Files.writeString(dir.resolve("d.txt"), "a the", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TokenData.load(f, 258, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("token 1 is id " + SPACE_THE);
    }

    @Test
    void txtWithoutTokenizerJsonOrNotUtf8IsInvalid() throws IOException {
        Path f = Files.writeString(dir.resolve("d.txt"), "the");
        assertThatThrownBy(() -> TokenData.load(f, 300, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("text data needs the model's tokenizer.json");
        TinyTokenizers.write(dir, false);
        Path g = Files.write(dir.resolve("e.txt"), new byte[] {'a', (byte) 0xC3});
        assertThatThrownBy(() -> TokenData.load(g, 300, dir))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("UTF-8");
    }

    // ---- dispatch

    @Test
    void unknownExtensionIsUsageAndMissingFileIsIoFailure() {
        assertThatThrownBy(() -> TokenData.load(dir.resolve("d.csv"), 300, dir)).isInstanceOf(UsageException.class)
                .hasMessageContaining(".csv");
        assertThatThrownBy(() -> TokenData.load(dir.resolve("noext"), 300, dir)).isInstanceOf(UsageException.class);
        for (String name : new String[] {"d.bin", "d.jsonl", "d.safetensors", "d.txt"}) {
            assertThatThrownBy(() -> TokenData.load(dir.resolve(name), 300, dir)).as(name)
                    .isInstanceOf(IoFailureException.class)
                    .hasMessageContaining("no such file");
        }
    }

    @Test
    void extensionsAreCaseInsensitive() throws IOException {
        Path f = Files.write(dir.resolve("D.BIN"), new byte[] {7});
        assertThat(TokenData.load(f, 256, dir)).containsExactly(7);
    }

    @Test
    void checkpointGivesVocabSizeAndTokenizerFolder() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        writeSafetensors(model.resolve("model.safetensors"), "w", "F32", new long[] {1}, new long[] {0});
        Files.writeString(model.resolve("config.json"), "{\"vocab_size\": 258}");
        TinyTokenizers.write(model, false);
        Path txt = Files.writeString(dir.resolve("d.txt"), "the");
        Path jsonl = Files.writeString(dir.resolve("d.jsonl"), "[257]\n[258]\n");
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            assertThat(TokenData.load(txt, c)).containsExactly(THE);
            assertThatThrownBy(() -> TokenData.load(jsonl, c))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("token 1 (line 2, element 0) is id 258");
        }
        Files.writeString(model.resolve("config.json"), "{\"text_config\": {\"vocab_size\": 100}}");
        Path bin = Files.write(dir.resolve("d.bin"), new byte[] {1});
        try (Checkpoint c = Checkpoint.open(model.toString())) {
            assertThatThrownBy(() -> TokenData.load(bin, c)).isInstanceOf(UsageException.class)
                    .hasMessageContaining("vocab 256");
        }
    }

    private Path safetensors(String dtype, long[] shape, long[] values) throws IOException {
        Path f = dir.resolve(dtype + "-" + values.length + "-" + shape.length + ".safetensors");
        writeSafetensors(f, "input_ids", dtype, shape, values);
        return f;
    }

    /** A one-tensor safetensors file, written by hand. */
    static void writeSafetensors(Path f, String name, String dtype, long[] shape, long[] values) throws IOException {
        int width = switch (dtype) {
            case "U8", "I8" -> 1;
            case "I16", "U16" -> 2;
            case "I32", "U32", "F32" -> 4;
            default -> 8;
        };
        ByteBuffer data = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (width) {
                case 1 -> data.put((byte) v);
                case 2 -> data.putShort((short) v);
                case 4 -> {
                    if (dtype.equals("F32")) {
                        data.putFloat(v);
                    } else {
                        data.putInt((int) v);
                    }
                }
                default -> data.putLong(v);
            }
        }
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(dims.length() == 0 ? "" : ",").append(d);
        }
        String header = "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + dims + "],\"data_offsets\":[0,"
                + data.capacity() + "]}}";
        while ((header.length() % 8) != 0) {
            header += " ";
        }
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data.array());
        Files.write(f, out.array());
    }
}
