package dev.surgeon.io.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.SurgeonException;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.io.util.TempFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Turns a model reference into an open {@link Checkpoint}, validating every header and the index. */
final class ModelResolver {
    private ModelResolver() {
    }

    static Checkpoint open(String reference) {
        Path p = Path.of(reference);
        if (!Files.exists(p)) {
            throw new IoFailureException(reference + ": no such file or directory");
        }
        if (Files.isDirectory(p)) {
            return openDirectory(reference, p, Checkpoint.Kind.DIRECTORY, null);
        }
        if (ArchiveExtractor.isArchive(p)) {
            Path dir = ArchiveExtractor.extract(p);
            try {
                return openDirectory(reference, modelFolder(dir, p), Checkpoint.Kind.ARCHIVE, dir);
            } catch (RuntimeException e) {
                TempFiles.delete(dir);
                throw e;
            }
        }
        String name = p.getFileName().toString();
        if (name.endsWith(".index.json")) {
            return openIndex(reference, p, Checkpoint.Kind.INDEX, null);
        }
        return openSingle(reference, p, Checkpoint.Kind.FILE, null);
    }

    /** Inside an unpacked archive the model is the top folder, or the single folder below it. */
    private static Path modelFolder(Path dir, Path archive) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> entries = s.toList();
            if (entries.size() == 1 && Files.isDirectory(entries.get(0))) {
                return entries.get(0);
            }
            return dir;
        } catch (IOException e) {
            throw new IoFailureException(archive + ": cannot list unpacked archive", e);
        }
    }

    private static Checkpoint openDirectory(String ref, Path dir, Checkpoint.Kind kind, Path extracted) {
        List<Path> indexes = list(dir, n -> n.endsWith(".safetensors.index.json"));
        if (indexes.size() > 1) {
            throw new InvalidInputException(ref + ": folder holds " + indexes.size() + " index files; name one");
        }
        if (indexes.size() == 1) {
            return openIndex(ref, indexes.get(0), kind, extracted);
        }
        List<Path> files = list(dir, n -> n.endsWith(".safetensors"));
        if (files.isEmpty()) {
            throw new InvalidInputException(ref + ": folder holds no .safetensors file");
        }
        if (files.size() > 1) {
            throw new InvalidInputException(ref + ": folder holds " + files.size()
                    + " .safetensors files and no index; name one file");
        }
        return openSingle(ref, files.get(0), kind, extracted);
    }

    private static Checkpoint openSingle(String ref, Path file, Checkpoint.Kind kind, Path extracted) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors()) {
            tensors.put(t.name(), new TensorRef(f, t));
        }
        List<String> warnings = new ArrayList<>(prefixed(file, f.header().warnings()));
        Path root = parent(file);
        return new Checkpoint(ref, kind, root, List.of(f), tensors, null, readConfig(root, warnings),
                sideFiles(root), warnings, extracted);
    }

    private static Checkpoint openIndex(String ref, Path indexPath, Checkpoint.Kind kind, Path extracted) {
        ShardIndex index = ShardIndex.read(indexPath);
        Path root = parent(indexPath);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            List<String> warnings = new ArrayList<>();
            long total = 0;
            for (String shard : index.shardNames()) {
                Path sp = root.resolve(shard);
                if (!Files.isRegularFile(sp)) {
                    throw new InvalidInputException(indexPath + ": shard '" + shard + "' named by the index is missing");
                }
                SafetensorsFile f = SafetensorsFile.open(sp);
                files.add(f);
                warnings.addAll(prefixed(sp, f.header().warnings()));
                for (TensorInfo t : f.tensors()) {
                    String listed = index.weightMap().get(t.name());
                    if (listed == null) {
                        throw new InvalidInputException(sp + ": tensor '" + t.name() + "' is not in the index weight_map");
                    }
                    if (!listed.equals(shard)) {
                        throw new InvalidInputException(sp + ": tensor '" + t.name() + "' is also here, but the index puts it in '" + listed + "'");
                    }
                    tensors.put(t.name(), new TensorRef(f, t));
                    total += t.byteSize();
                }
            }
            for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
                if (!tensors.containsKey(e.getKey())) {
                    throw new InvalidInputException(indexPath + ": tensor '" + e.getKey() + "' is missing from shard '" + e.getValue() + "'");
                }
            }
            if (index.totalSize() != null && index.totalSize() != total) {
                warnings.add(indexPath + ": metadata.total_size is " + index.totalSize() + " but the shards hold " + total + " tensor bytes");
            }
            return new Checkpoint(ref, kind, root, files, tensors, index, readConfig(root, warnings),
                    sideFiles(root), warnings, extracted);
        } catch (SurgeonException | IllegalStateException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static JsonObject readConfig(Path root, List<String> warnings) {
        Path cfg = root.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            return null;
        }
        try {
            JsonElement el = JsonParser.parseString(Files.readString(cfg, StandardCharsets.UTF_8));
            if (el.isJsonObject()) {
                return el.getAsJsonObject();
            }
            warnings.add(cfg + ": not a JSON object; ignored");
        } catch (IOException | RuntimeException e) {
            warnings.add(cfg + ": unreadable (" + e.getMessage() + "); ignored");
        }
        return null;
    }

    private static List<Path> sideFiles(Path root) {
        try {
            return SideFiles.in(root);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<String> name) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(x -> name.test(x.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new IoFailureException(dir + ": cannot list folder (" + e.getMessage() + ")", e);
        }
    }

    private static Path parent(Path file) {
        Path abs = file.toAbsolutePath();
        return abs.getParent();
    }

    private static List<String> prefixed(Path file, List<String> ws) {
        List<String> out = new ArrayList<>();
        for (String w : ws) {
            out.add(file + ": " + w);
        }
        return out;
    }
}
