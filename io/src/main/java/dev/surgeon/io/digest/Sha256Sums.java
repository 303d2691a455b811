package dev.surgeon.io.digest;

import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checksum lists in the {@code sha256sum -c} format: one {@code <64 hex>  <relative path>} line per
 * file ({@code *} instead of the second space marks binary mode; a leading backslash marks an
 * escaped name). Also read: the BSD form {@code SHA256 (path) = <hex>}, and in a single-file
 * {@code <file>.sha256} a bare digest. Written as GNU text-mode lines, sorted as given.
 */
public final class Sha256Sums {
    /** The folder-wide checksum file. */
    public static final String FILE_NAME = "SHA256SUMS";
    /** Suffix of the checksum file beside a single file. */
    public static final String SUFFIX = ".sha256";

    private static final Pattern GNU = Pattern.compile("(\\\\?)([0-9a-fA-F]{64}) [ *](.+)");
    private static final Pattern BSD = Pattern.compile("(\\\\?)SHA256 \\((.+)\\) = ([0-9a-fA-F]{64})");
    private static final Pattern BARE = Pattern.compile("([0-9a-fA-F]{64})");

    /** One line: the expected digest (lower case) and the path as written, or null for a bare digest. */
    public record Entry(String sha256, String path) {
    }

    private Sha256Sums() {
    }

    public static List<Entry> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IoFailureException(file + ": no such file");
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString());
    }

    /** Parses the text of a checksum file; {@code label} names it in errors. Blank lines are skipped. */
    public static List<Entry> parse(String text, String label) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            Matcher m;
            if ((m = GNU.matcher(line)).matches()) {
                out.add(new Entry(m.group(2).toLowerCase(Locale.ROOT), unescape(m.group(3), !m.group(1).isEmpty())));
            } else if ((m = BSD.matcher(line)).matches()) {
                out.add(new Entry(m.group(3).toLowerCase(Locale.ROOT), unescape(m.group(2), !m.group(1).isEmpty())));
            } else if ((m = BARE.matcher(line.strip())).matches()) {
                out.add(new Entry(m.group(1).toLowerCase(Locale.ROOT), null));
            } else {
                throw new InvalidInputException(label + ":" + (i + 1) + ": not a checksum line (expected '<64 hex digits>  <path>')");
            }
        }
        return out;
    }

    /** GNU lines, in the order given, each ending in a newline. */
    public static String format(List<Entry> entries) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            String p = e.path();
            boolean escape = p.indexOf('\\') >= 0 || p.indexOf('\n') >= 0;
            if (escape) {
                sb.append('\\');
                p = p.replace("\\", "\\\\").replace("\n", "\\n");
            }
            sb.append(e.sha256()).append("  ").append(p).append('\n');
        }
        return sb.toString();
    }

    /** Writes {@code entries} to {@code target} whole or not at all: a temporary sibling, fsync, rename. */
    public static void writeAtomically(Path target, List<Entry> entries) {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".surgeon-tmp-" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(format(entries).getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; that is what gets reported
            }
            throw new IoFailureException(target + ": cannot write checksums (" + e.getMessage() + ")", e);
        }
    }

    private static String unescape(String s, boolean escaped) {
        if (!escaped) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
