package dev.surgeon.io.write;

import dev.surgeon.io.error.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;

/** Where an output goes: the default sibling name, the layout, and the rule that it is never an input. */
public final class OutputPaths {
    private OutputPaths() {
    }

    /** True when the output is one file (the path ends in .safetensors), false for an HF folder or archive. */
    public static boolean isSingleFile(Path out) {
        return out.getFileName() != null && out.getFileName().toString().endsWith(".safetensors");
    }

    /** True when the output is an HF folder packed as one archive (.tar, .tar.gz, .tgz, .zip). */
    public static boolean isArchive(Path out) {
        return !isSingleFile(out) && ArchiveFiles.isArchive(out);
    }

    /** True when the output is staged and committed as a file (a .safetensors or an archive), not a folder. */
    public static boolean isStagedAsFile(Path out) {
        return isSingleFile(out) || isArchive(out);
    }

    /**
     * The default output beside the (first) input, named after the command's past participle:
     * {@code model.safetensors} → {@code model.WORD.safetensors}, {@code tiny-llama/} →
     * {@code tiny-llama-WORD/}, an index or archive → its folder or base name + {@code -WORD/}.
     */
    public static Path defaultFor(String inputRef, String word) {
        Path in = Path.of(inputRef).toAbsolutePath().normalize();
        String name = in.getFileName() == null ? "model" : in.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (Files.isDirectory(in)) {
            return in.resolveSibling(name + "-" + word);
        }
        if (lower.endsWith(".index.json")) {
            Path dir = in.getParent();
            return dir.resolveSibling(dir.getFileName() + "-" + word);
        }
        for (String ext : new String[] {".tar.gz", ".tgz", ".tar", ".zip"}) {
            if (lower.endsWith(ext)) {
                return in.resolveSibling(name.substring(0, name.length() - ext.length()) + "-" + word);
            }
        }
        if (lower.endsWith(".safetensors")) {
            return in.resolveSibling(name.substring(0, name.length() - ".safetensors".length()) + "." + word + ".safetensors");
        }
        return in.resolveSibling(name + "-" + word);
    }

    /**
     * Refuses an output that is, or would replace, any input: the same path, a folder that holds an
     * input, or the input folder itself. Paths are compared after resolving links.
     */
    public static void checkNotInput(Path out, Collection<Path> inputs) {
        Path o = real(out);
        for (Path in : inputs) {
            Path i = real(in);
            if (i.equals(o) || i.startsWith(o)) {
                throw new UsageException("output " + out + " would overwrite input " + in + "; choose another -o");
            }
        }
    }

    /** The absolute path with links resolved as far as the path exists. */
    static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            Path r = existing.toRealPath();
            return r.resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}
