package dev.surgeon.io.write;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.surgeon.io.digest.Sha256;
import dev.surgeon.io.digest.Sha256Sums;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes a planned model into an {@link AtomicOutput}'s staging folder: one file, shards plus
 * {@code model.safetensors.index.json}, side files, an optional model card and checksums; or all of
 * that streamed into one archive. The caller commits. Tensors are written in the order given, so
 * the plan decides the data order.
 */
public final class CheckpointWriter {
    public static final String SINGLE_NAME = "model.safetensors";
    public static final String INDEX_NAME = "model.safetensors.index.json";
    public static final String CARD_NAME = "README.md";

    private CheckpointWriter() {
    }

    /**
     * What to write besides the tensors. {@code maxShardBytes} 0 means one file. {@code config},
     * when not null, is written as config.json in place of the copied one (the surgery changed it).
     * {@code card}, when not null, is given the files written so far in a folder or archive output
     * and returns the README.md text (null for none). {@code checksums} adds SHA256SUMS to a folder
     * or archive and {@code <file>.sha256} beside a single file or archive.
     */
    public record Options(Map<String, String> metadata, long maxShardBytes, List<Path> sideFiles, JsonObject config,
                          WriteProgress progress, Function<List<WrittenFile>, String> card, boolean checksums) {
        public Options {
            progress = progress == null ? WriteProgress.NONE : progress;
        }

        public Options(Map<String, String> metadata, long maxShardBytes, List<Path> sideFiles, JsonObject config) {
            this(metadata, maxShardBytes, sideFiles, config, WriteProgress.NONE, null, false);
        }

        public Options(Map<String, String> metadata, long maxShardBytes, List<Path> sideFiles) {
            this(metadata, maxShardBytes, sideFiles, null);
        }
    }

    /**
     * Writes the output; returns its files as they will be named at the target: for a folder every
     * file in it, for a single file or an archive that file and its {@code .sha256}.
     */
    public static List<WrittenFile> write(AtomicOutput out, List<PlannedTensor> tensors, Options opt) {
        // tensors are written in the plan's order in every layout (shards cut it, never reorder it)
        try (Prefetcher prefetch = Prefetcher.start(tensors)) {
            return writePlanned(out, tensors, prefetch == null ? opt : withPrefetch(opt, prefetch));
        }
    }

    private static Options withPrefetch(Options opt, Prefetcher prefetch) {
        WriteProgress shown = opt.progress();
        WriteProgress both = new WriteProgress() {
            @Override
            public void start(long tensors, long bytes) {
                shown.start(tensors, bytes);
            }

            @Override
            public void tensorWritten(String name, long bytes) {
                prefetch.tensorWritten();
                shown.tensorWritten(name, bytes);
            }

            @Override
            public void finish() {
                shown.finish();
            }
        };
        return new Options(opt.metadata(), opt.maxShardBytes(), opt.sideFiles(), opt.config(), both, opt.card(), opt.checksums());
    }

    private static List<WrittenFile> writePlanned(AtomicOutput out, List<PlannedTensor> tensors, Options opt) {
        Path target = out.target();
        boolean single = OutputPaths.isSingleFile(target);
        if (single && opt.maxShardBytes() > 0) {
            throw new UsageException("--max-shard-size needs a folder output; " + out.target() + " is one file");
        }
        long bytes = 0;
        for (PlannedTensor t : tensors) {
            bytes += t.byteSize();
        }
        opt.progress().start(tensors.size(), bytes);
        try {
            List<WrittenFile> written = new ArrayList<>();
            if (single) {
                try (FolderFiles files = new FolderFiles(out.staging())) {
                    written.add(SafetensorsWriter.write(files, target.getFileName().toString(), opt.metadata(), tensors, opt.progress()));
                }
            } else if (OutputPaths.isArchive(target)) {
                Path staged = out.stagedFile();
                String hex;
                try (ArchiveFiles files = ArchiveFiles.create(staged, target)) {
                    writeFolder(files, tensors, opt);
                    files.finish();
                    hex = files.sha256();
                }
                written.add(new WrittenFile(staged.getFileName().toString(), Files.size(staged),
                        hex != null ? hex : Sha256.ofFile(staged)));
            } else {
                try (FolderFiles files = new FolderFiles(out.staging())) {
                    written.addAll(writeFolder(files, tensors, opt));
                }
            }
            if (opt.checksums() && !written.isEmpty() && (single || OutputPaths.isArchive(target))) {
                WrittenFile f = written.get(0);
                try (FolderFiles files = new FolderFiles(out.staging())) {
                    written.add(writeBytes(files, f.relativePath() + Sha256Sums.SUFFIX, sums(List.of(f))));
                }
            }
            opt.progress().finish();
            return written;
        } catch (IOException e) {
            throw new IoFailureException(out.target() + ": write failed (" + SafetensorsWriter.describe(e) + ")", e);
        }
    }

    /** The Hugging Face folder's files, into a folder or an archive; returns them in the order written. */
    private static List<WrittenFile> writeFolder(OutputFiles files, List<PlannedTensor> tensors, Options opt) throws IOException {
        List<WrittenFile> written = new ArrayList<>();
        ShardPlanner.Layout layout = ShardPlanner.layout(tensors, opt.maxShardBytes(), SINGLE_NAME);
        for (ShardPlanner.Shard shard : layout.shards()) {
            written.add(SafetensorsWriter.write(files, shard.name(), opt.metadata(), shard.tensors(), opt.progress()));
        }
        if (layout.index() != null) {
            written.add(writeBytes(files, INDEX_NAME, jsonBytes(layout.index())));
        }
        for (Path side : opt.sideFiles()) {
            String name = side.getFileName().toString();
            if (opt.config() != null && name.equals("config.json")) {
                continue;
            }
            // a new file with default permissions, not the input's
            written.add(writeBytes(files, name, Files.readAllBytes(side)));
        }
        if (opt.config() != null) {
            written.add(writeBytes(files, "config.json", jsonBytes(opt.config())));
        }
        if (opt.card() != null) {
            String card = opt.card().apply(List.copyOf(written));
            if (card != null) {
                written.add(writeBytes(files, CARD_NAME, card.getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (opt.checksums()) {
            written.add(writeBytes(files, Sha256Sums.FILE_NAME, sums(written)));
        }
        return written;
    }

    /** {@code sha256sum -c} lines for {@code files}, sorted by path. */
    public static byte[] sums(List<WrittenFile> files) {
        List<Sha256Sums.Entry> entries = new ArrayList<>();
        files.stream().sorted(Comparator.comparing(WrittenFile::relativePath))
                .forEach(f -> entries.add(new Sha256Sums.Entry(f.sha256(), f.relativePath())));
        return Sha256Sums.format(entries).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a small file whole and returns it with its digest. */
    static WrittenFile writeBytes(OutputFiles files, String name, byte[] bytes) throws IOException {
        WritableByteChannel ch = files.open(name, bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
        files.end();
        return new WrittenFile(name, bytes.length, Sha256.of(bytes));
    }


    /** Pretty JSON with a final newline, as transformers writes its JSON files. */
    public static byte[] jsonBytes(JsonObject root) {
        return (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code root} as pretty JSON into {@code file} (a new file). */
    public static WrittenFile writeJson(Path file, JsonObject root) throws IOException {
        Path abs = file.toAbsolutePath();
        try (FolderFiles files = new FolderFiles(abs.getParent())) {
            return writeBytes(files, abs.getFileName().toString(), jsonBytes(root));
        }
    }
}
