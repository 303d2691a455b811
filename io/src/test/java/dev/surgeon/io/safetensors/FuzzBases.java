package dev.surgeon.io.safetensors;

import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Valid files the fuzz campaign mutates: small files written here (several dtypes, metadata or none,
 * no tensors, an unaligned hand-made one) plus a few real ones from ../shared when it is present.
 */
final class FuzzBases {
    private FuzzBases() {
    }

    static List<byte[]> load(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "fuzz base");
        out.add(written(dir.resolve("b1.safetensors"), meta, List.of(
                StBytes.patterned("model.layers.0.mlp.up_proj.weight", DType.F32, 4, 3),
                StBytes.patterned("model.layers.0.mlp.up_proj.bias", DType.BF16, 3),
                StBytes.patterned("model.embed_tokens.weight", DType.F16, 5, 2),
                StBytes.patterned("ids", DType.I64, 2))));
        out.add(written(dir.resolve("b2.safetensors"), null, List.of(
                StBytes.patterned("scalar", DType.F64),
                StBytes.patterned("empty", DType.F32, 2, 0),
                StBytes.patterned("nibbles", DType.F4, 6),
                StBytes.patterned("six", DType.F6_E3M2, 4),
                StBytes.patterned("flags", DType.BOOL, 3))));
        out.add(written(dir.resolve("b3.safetensors"), Map.of(), List.of()));
        out.add(StBytes.file("{\"a\":{\"dtype\":\"U16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11]},"
                + "\"__metadata__\":{\"k\":\"v\"}}", 11));
        Path shared = SharedFixtures.root();
        if (shared != null) {
            for (String rel : new String[] {
                    "fixtures/real/alldtypes-torch-metadata/model.with_metadata.safetensors",
                    "fixtures/real/alldtypes-numpy-2022-unaligned/overall.safetensors",
                    "fixtures/real/sharded-dtypes-hfhub/model-00002-of-00006.safetensors",
                    "fixtures/malformed/accept/zero_sized_tensor.safetensors"}) {
                Path p = shared.resolve(rel);
                if (Files.isRegularFile(p) && Files.size(p) < (4 << 20)) {
                    out.add(Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    private static byte[] written(Path p, Map<String, String> meta, List<PlannedTensor> tensors) throws IOException {
        SafetensorsWriter.write(p, meta, tensors);
        byte[] b = Files.readAllBytes(p);
        Files.delete(p);
        return b;
    }
}
