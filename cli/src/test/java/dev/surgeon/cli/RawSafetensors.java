package dev.surgeon.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file read here from its bytes, independently of surgeon's reader and codecs:
 * the header parsed as plain JSON, F32 / BF16 / F16 elements decoded by hand into doubles.
 */
final class RawSafetensors {
    /** One tensor: dtype name, shape, raw little-endian bytes and (for float dtypes) its values. */
    record Tensor(String dtype, long[] shape, byte[] bytes, double[] values) {
    }

    private RawSafetensors() {
    }

    /** Every tensor of {@code file} (a folder means its model.safetensors), in header order. */
    static Map<String, Tensor> read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            file = file.resolve("model.safetensors");
        }
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        int data = 8 + (int) n;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            String dtype = t.get("dtype").getAsString();
            long[] shape = new long[t.getAsJsonArray("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
            }
            int start = data + t.getAsJsonArray("data_offsets").get(0).getAsInt();
            int end = data + t.getAsJsonArray("data_offsets").get(1).getAsInt();
            byte[] bytes = java.util.Arrays.copyOfRange(all, start, end);
            out.put(e.getKey(), new Tensor(dtype, shape, bytes, decode(dtype, bytes)));
        }
        return out;
    }

    /** The __metadata__ map of a file (a folder means its model.safetensors). */
    static JsonObject metadata(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            file = file.resolve("model.safetensors");
        }
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject()
                .getAsJsonObject("__metadata__");
    }

    static double[] decode(String dtype, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case "F32": {
                double[] v = new double[b.length / 4];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat(bb.getInt(4 * i));
                }
                return v;
            }
            case "BF16": {
                double[] v = new double[b.length / 2];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat((bb.getShort(2 * i) & 0xFFFF) << 16);
                }
                return v;
            }
            case "F16": {
                double[] v = new double[b.length / 2];
                for (int i = 0; i < v.length; i++) {
                    v[i] = halfToDouble(bb.getShort(2 * i) & 0xFFFF);
                }
                return v;
            }
            default:
                return null;
        }
    }

    private static double halfToDouble(int h) {
        int sign = (h >>> 15) != 0 ? -1 : 1;
        int exp = (h >>> 10) & 0x1F;
        int man = h & 0x3FF;
        if (exp == 0) {
            return sign * man * Math.pow(2, -24);
        }
        if (exp == 31) {
            return man == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        return sign * (1 + man / 1024.0) * Math.pow(2, exp - 15);
    }
}
