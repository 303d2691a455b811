package dev.surgeon.cli;

import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small safetensors files of any decodable dtype with values the test chooses (inspect, diff, verify tests). */
final class SmallModels {
    private SmallModels() {
    }

    static PlannedTensor tensor(String name, DType dtype, long[] shape, double... values) {
        return new PlannedTensor(name, dtype, shape, sink -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
            ElementCodec.encode(dtype, values, 0, values.length, b);
            b.flip();
            sink.write(b);
        });
    }

    static Path write(Path file, PlannedTensor... tensors) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.write(file, Map.of("format", "pt"), List.of(tensors));
        return file;
    }

    /** A two-block LLaMA-named folder with config.json and a tokenizer side file. */
    static Path llamaFolder(Path dir) throws IOException {
        write(dir.resolve("model.safetensors"),
                tensor("model.embed_tokens.weight", DType.F32, new long[] {6, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
                tensor("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {3, 2}, 1, -1, 0.5, 0, 2, 4),
                tensor("model.layers.0.input_layernorm.weight", DType.F32, new long[] {2}, 1, 1),
                tensor("model.layers.1.mlp.up_proj.weight", DType.BF16, new long[] {3, 2}, 0, 0, 0, 0, 1, 1),
                tensor("model.norm.weight", DType.F32, new long[] {2}, 1, 1));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],"
                + "\"num_hidden_layers\":2,\"hidden_size\":2,\"vocab_size\":6,\"intermediate_size\":3}\n");
        Files.writeString(dir.resolve("tokenizer.json"), "{}\n");
        return dir;
    }

    /** Flips every bit of the byte at {@code offset} from the end of a file. */
    static void flipByteFromEnd(Path file, int offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length - offset] ^= (byte) 0xFF;
        Files.write(file, b);
    }
}
