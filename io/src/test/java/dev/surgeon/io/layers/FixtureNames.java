package dev.surgeon.io.layers;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads tensor names straight from safetensors headers (8-byte little-endian length, then JSON),
 * independently of the production reader, so layer-map tests check names as written on disk.
 */
final class FixtureNames {

    private FixtureNames() {
    }

    /** Names of every .safetensors file directly in {@code dir} (all shards), in header order. */
    static List<String> names(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            names.addAll(headerNames(f));
        }
        return names;
    }

    static List<String> headerNames(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer len = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact(len.getLong());
            ByteBuffer header = readFully(ch, 8, n);
            JsonObject json = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            return json.keySet().stream().filter(k -> !k.equals("__metadata__")).toList();
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("truncated safetensors header");
            }
        }
        return b.flip();
    }

    /** config.json beside the weights, or null when there is none (adapters, bare files). */
    static JsonObject config(Path dir) throws IOException {
        Path c = dir.resolve("config.json");
        return Files.exists(c) ? JsonParser.parseString(Files.readString(c)).getAsJsonObject() : null;
    }

    static LayerMap layerMap(Path dir) throws IOException {
        return new LayerMap(names(dir), config(dir));
    }
}
