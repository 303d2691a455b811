package dev.surgeon.io.write;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a planned model into an {@link AtomicOutput}'s staging folder: one file, or shards plus
 * {@code model.safetensors.index.json}, plus side files copied for a folder output. The caller
 * commits. Tensors are written in the order given, so the plan decides the data order.
 */
public final class CheckpointWriter {
    public static final String SINGLE_NAME = "model.safetensors";
    public static final String INDEX_NAME = "model.safetensors.index.json";

    private CheckpointWriter() {
    }

    /**
     * What to write besides the tensors. {@code maxShardBytes} 0 means one file. {@code config},
     * when not null, is written as config.json in place of the copied one (the surgery changed it).
     */
    public record Options(Map<String, String> metadata, long maxShardBytes, List<Path> sideFiles, JsonObject config) {
        public Options(Map<String, String> metadata, long maxShardBytes, List<Path> sideFiles) {
            this(metadata, maxShardBytes, sideFiles, null);
        }
    }

    public static List<WrittenFile> write(AtomicOutput out, List<PlannedTensor> tensors, Options opt) {
        boolean single = OutputPaths.isSingleFile(out.target());
        if (single && opt.maxShardBytes() > 0) {
            throw new UsageException("--max-shard-size needs a folder output; " + out.target() + " is one file");
        }
        List<WrittenFile> written = new ArrayList<>();
        try {
            if (single) {
                Path f = out.stagedFile();
                written.add(new WrittenFile(f.getFileName().toString(), SafetensorsWriter.write(f, opt.metadata(), tensors)));
                return written;
            }
            List<List<PlannedTensor>> shards = opt.maxShardBytes() > 0
                    ? ShardPlanner.split(tensors, opt.maxShardBytes()) : List.of(tensors);
            if (shards.size() == 1) {
                Path f = out.staging().resolve(SINGLE_NAME);
                written.add(new WrittenFile(SINGLE_NAME, SafetensorsWriter.write(f, opt.metadata(), tensors)));
            } else {
                Map<String, String> weightMap = new TreeMap<>(TensorOrder::compareUtf8);
                long total = 0;
                for (int k = 0; k < shards.size(); k++) {
                    String name = ShardPlanner.shardName(k + 1, shards.size());
                    for (PlannedTensor t : shards.get(k)) {
                        weightMap.put(t.name(), name);
                        total += t.byteSize();
                    }
                    long bytes = SafetensorsWriter.write(out.staging().resolve(name), opt.metadata(), shards.get(k));
                    written.add(new WrittenFile(name, bytes));
                }
                written.add(writeIndex(out.staging().resolve(INDEX_NAME), weightMap, total));
            }
            for (Path side : opt.sideFiles()) {
                if (opt.config() != null && side.getFileName().toString().equals("config.json")) {
                    continue;
                }
                Path dst = out.staging().resolve(side.getFileName().toString());
                try (var in = Files.newInputStream(side)) {
                    Files.copy(in, dst); // a new file with default permissions, not the input's
                }
                written.add(new WrittenFile(side.getFileName().toString(), Files.size(dst)));
            }
            if (opt.config() != null) {
                written.add(writeJson(out.staging().resolve("config.json"), opt.config()));
            }
            return written;
        } catch (IOException e) {
            throw new IoFailureException(out.target() + ": write failed (" + SafetensorsWriter.describe(e) + ")", e);
        }
    }

    private static WrittenFile writeIndex(Path file, Map<String, String> weightMap, long total) throws IOException {
        JsonObject root = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", total);
        root.add("metadata", meta);
        JsonObject wm = new JsonObject();
        weightMap.forEach(wm::addProperty);
        root.add("weight_map", wm);
        return writeJson(file, root);
    }

    /** Pretty JSON with a final newline, as transformers writes its JSON files. */
    public static WrittenFile writeJson(Path file, JsonObject root) throws IOException {
        byte[] bytes = (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        return new WrittenFile(file.getFileName().toString(), bytes.length);
    }
}
