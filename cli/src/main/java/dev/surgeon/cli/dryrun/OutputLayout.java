package dev.surgeon.cli.dryrun;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.write.CheckpointWriter;
import dev.surgeon.io.write.HeaderWriter;
import dev.surgeon.io.write.OutputPaths;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.io.write.ShardPlanner;
import dev.surgeon.io.write.TensorOrder;
import dev.surgeon.io.write.WrittenFile;
import dev.surgeon.io.digest.Sha256Sums;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files {@link CheckpointWriter} would write for a plan, with their exact sizes, computed from
 * the plan alone (no tensor data): a safetensors file is 8 + header length + data bytes, the header
 * as {@link HeaderWriter} serializes it. Keep in step with CheckpointWriter.
 */
public final class OutputLayout {
    private OutputLayout() {
    }

    /**
     * One planned file: its path relative to the output root (the file name for a single file),
     * size, tensor count and tensor data bytes (0 for JSON and copied side files).
     */
    public record File(String name, long bytes, int tensors, long data) {
    }

    /** Total bytes of {@link #of}: what must fit on the output's disk. */
    public static long totalBytes(Path target, List<PlannedTensor> plan, CheckpointWriter.Options opt) {
        return of(target, plan, opt).stream().mapToLong(File::bytes).sum();
    }

    /**
     * As the writer lays them out: a single file and its {@code .sha256}; or the folder's files
     * (tensors, index, side files, config, README.md card, SHA256SUMS); for an archive target the
     * archive's upper bound (uncompressed entries with tar headers) and its {@code .sha256}.
     */
    public static List<File> of(Path target, List<PlannedTensor> plan, CheckpointWriter.Options opt) {
        boolean single = OutputPaths.isSingleFile(target);
        if (single && opt.maxShardBytes() > 0) {
            throw new UsageException("--max-shard-size needs a folder output; " + target + " is one file");
        }
        String name = target.getFileName().toString();
        List<File> files = new ArrayList<>();
        if (single) {
            files.add(safetensors(name, opt.metadata(), plan));
        } else if (OutputPaths.isArchive(target)) {
            List<File> entries = folder(plan, opt);
            long bytes = 1024; // the tar end marker; zip's central directory is smaller than a tar header per entry
            long data = 0;
            int tensors = 0;
            for (File f : entries) {
                bytes += 512 + (f.bytes() + 511) / 512 * 512;
                data += f.data();
                tensors += f.tensors();
            }
            files.add(new File(name, bytes, tensors, data));
        } else {
            return folder(plan, opt);
        }
        if (opt.checksums()) {
            files.add(new File(name + Sha256Sums.SUFFIX, sumsBytes(List.of(files.get(0))), 0, 0));
        }
        return files;
    }

    private static List<File> folder(List<PlannedTensor> plan, CheckpointWriter.Options opt) {
        List<File> files = new ArrayList<>();
        ShardPlanner.Layout layout = ShardPlanner.layout(plan, opt.maxShardBytes(), CheckpointWriter.SINGLE_NAME);
        for (ShardPlanner.Shard shard : layout.shards()) {
            files.add(safetensors(shard.name(), opt.metadata(), shard.tensors()));
        }
        if (layout.index() != null) {
            files.add(new File(CheckpointWriter.INDEX_NAME, jsonBytes(layout.index()), 0, 0));
        }
        for (Path side : opt.sideFiles()) {
            String name = side.getFileName().toString();
            if (opt.config() != null && name.equals("config.json")) {
                continue;
            }
            try {
                files.add(new File(name, Files.size(side), 0, 0));
            } catch (IOException e) {
                throw new IoFailureException(side + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        if (opt.config() != null) {
            files.add(new File("config.json", jsonBytes(opt.config()), 0, 0));
        }
        if (opt.card() != null) {
            // The card lists the files before it by name and size: the same text the writer makes.
            String card = opt.card().apply(written(files));
            if (card != null) {
                files.add(new File(CheckpointWriter.CARD_NAME, card.getBytes(StandardCharsets.UTF_8).length, 0, 0));
            }
        }
        if (opt.checksums()) {
            files.add(new File(Sha256Sums.FILE_NAME, sumsBytes(files), 0, 0));
        }
        return files;
    }

    private static List<WrittenFile> written(List<File> files) {
        List<WrittenFile> w = new ArrayList<>();
        for (File f : files) {
            w.add(new WrittenFile(f.name(), f.bytes(), PLACEHOLDER));
        }
        return w;
    }

    private static long sumsBytes(List<File> files) {
        return CheckpointWriter.sums(written(files)).length;
    }

    private static final String PLACEHOLDER = "0".repeat(64);

    /** One safetensors file: 8-byte length, header, data. */
    public static File safetensors(String name, Map<String, String> metadata, List<PlannedTensor> tensors) {
        long data = 0;
        for (PlannedTensor t : tensors) {
            data += t.byteSize();
        }
        return new File(name, 8L + HeaderWriter.header(metadata, tensors).length + data, tensors.size(), data);
    }

    static long jsonBytes(JsonObject root) {
        return CheckpointWriter.jsonBytes(root).length;
    }
}
