package dev.surgeon.ops.verify;

import dev.surgeon.io.digest.Sha256;
import dev.surgeon.io.digest.Sha256Sums;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import dev.surgeon.ops.exec.OrderedParallel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Re-validates an opened checkpoint (opening it already checked every header and the index):
 * reads every byte of every safetensors file once, in order, feeding a SHA-256 digest and, for
 * floating-point tensors, a NaN/Inf count; then checks the digests listed in the folder's
 * {@code SHA256SUMS} and, for a single file, in {@code <file>.sha256} beside it.
 */
public final class Verifier {
    private static final int BUFFER = Sha256.BUFFER;
    private static final int DECODE_BLOCK = 1 << 16;

    private Verifier() {
    }

    /** Verifies on one thread per CPU (files are read in parallel; each file in order). */
    public static VerifyResult verify(Checkpoint c) {
        return verify(c, OrderedParallel.defaultThreads());
    }

    /** Verifies, reading up to {@code threads} files at a time; results are in file order. */
    public static VerifyResult verify(Checkpoint c, int threads) {
        List<VerifyResult.FileCheck> files = new ArrayList<>();
        List<VerifyResult.NonFinite> nonFinite = new ArrayList<>();
        List<VerifyResult.Problem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        record Scan(VerifyResult.FileCheck check, List<VerifyResult.NonFinite> nonFinite) {
        }
        List<Scan> scans = OrderedParallel.map(c.files(), threads, f -> {
            List<VerifyResult.NonFinite> nf = new ArrayList<>();
            try {
                return new Scan(scan(f, nf), nf);
            } catch (InvalidInputException e) {
                return new Scan(new VerifyResult.FileCheck(f.path(), f.fileLength(), f.tensors().size(), null,
                        e.getMessage()), nf);
            }
        });
        for (Scan s : scans) {
            files.add(s.check());
            nonFinite.addAll(s.nonFinite());
            if (!s.check().ok()) {
                problems.add(new VerifyResult.Problem(s.check().path(), s.check().error()));
            }
        }
        VerifyResult scanned = new VerifyResult(files, List.of(), nonFinite, problems, warnings, List.of());
        List<VerifyResult.SumCheck> sums = new ArrayList<>();
        List<Path> checksumFiles = new ArrayList<>();
        Path root = c.root().toAbsolutePath().normalize();
        Set<Path> covered = new LinkedHashSet<>();
        Path folderSums = root.resolve(Sha256Sums.FILE_NAME);
        Path single = c.kind() == Checkpoint.Kind.FILE ? abs(c.files().get(0).path()) : null;
        if (Files.isRegularFile(folderSums)) {
            checksumFiles.add(folderSums);
            for (Sha256Sums.Entry e : Sha256Sums.read(folderSums)) {
                if (e.path() == null) {
                    throw new InvalidInputException(folderSums + ": a line holds a digest but no path");
                }
                Path target = inside(root, e.path(), folderSums);
                if (single != null && !target.equals(single)) {
                    continue; // a single-file reference checks only its own line
                }
                sums.add(check(folderSums, e, target, scanned, problems));
                covered.add(target);
            }
        }
        if (single != null) {
            Path side = single.resolveSibling(single.getFileName() + Sha256Sums.SUFFIX);
            if (Files.isRegularFile(side)) {
                checksumFiles.add(side);
                Sha256Sums.Entry e = entryFor(side, single.getFileName().toString());
                sums.add(check(side, e, single, scanned, problems));
                covered.add(single);
            }
        }
        if (c.kind() == Checkpoint.Kind.ARCHIVE) {
            // the archive's own digest, beside it (what surgeon writes for an archive output)
            Path archive = Path.of(c.reference()).toAbsolutePath().normalize();
            Path side = archive.resolveSibling(archive.getFileName() + Sha256Sums.SUFFIX);
            if (Files.isRegularFile(side)) {
                sums.add(check(side, entryFor(side, archive.getFileName().toString()), archive, scanned, problems));
            }
        }
        if (!checksumFiles.isEmpty()) {
            for (SafetensorsFile f : c.files()) {
                if (!covered.contains(abs(f.path()))) {
                    warnings.add(f.path() + ": not listed in " + checksumFiles.get(0).getFileName());
                }
            }
        }
        return new VerifyResult(files, sums, nonFinite, problems, warnings, checksumFiles);
    }

    /**
     * Writes the checksums of a verified checkpoint: {@code FOLDER/SHA256SUMS} for a folder or index
     * (every safetensors file, the index, the side files, and any file an earlier SHA256SUMS listed
     * that still exists), {@code FILE.sha256} for a single file. Returns the path written.
     */
    public static Path writeSums(Checkpoint c, VerifyResult r) {
        if (!r.ok()) {
            throw new IllegalStateException("checksums are written only for a checkpoint that verified");
        }
        if (c.kind() == Checkpoint.Kind.ARCHIVE) {
            throw new UsageException(c.reference() + ": --write-sums cannot write into an archive; unpack it first");
        }
        if (c.kind() == Checkpoint.Kind.FILE) {
            Path file = abs(c.files().get(0).path());
            Path target = file.resolveSibling(file.getFileName() + Sha256Sums.SUFFIX);
            Sha256Sums.writeAtomically(target, List.of(new Sha256Sums.Entry(digest(file, r), file.getFileName().toString())));
            return target;
        }
        Path root = c.root().toAbsolutePath().normalize();
        Map<String, String> byPath = new TreeMap<>();
        for (VerifyResult.SumCheck s : r.sums()) {
            if (s.status() == VerifyResult.Status.OK && Files.isRegularFile(s.file())) {
                byPath.put(relative(root, s.file()), s.actual());
            }
        }
        List<Path> mine = new ArrayList<>();
        c.files().forEach(f -> mine.add(f.path()));
        if (c.index() != null) {
            mine.add(c.index().path());
        }
        mine.addAll(c.sideFiles());
        for (Path p : mine) {
            Path a = abs(p);
            byPath.put(relative(root, a), digest(a, r));
        }
        List<Sha256Sums.Entry> entries = new ArrayList<>();
        byPath.forEach((path, hex) -> entries.add(new Sha256Sums.Entry(hex, path)));
        Path target = root.resolve(Sha256Sums.FILE_NAME);
        Sha256Sums.writeAtomically(target, entries);
        return target;
    }

    /** Reads one file end to end: digest of every byte, NaN/Inf counts of every float tensor. */
    static VerifyResult.FileCheck scan(SafetensorsFile f, List<VerifyResult.NonFinite> nonFinite) {
        MessageDigest md = Sha256.newDigest();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        long dataStart = f.header().dataStart();
        try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
            for (long pos = 0; pos < dataStart; ) {
                buf.clear();
                buf.limit((int) Math.min(BUFFER, dataStart - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new InvalidInputException(f.path() + ": file was truncated (header no longer complete)");
                }
                md.update(buf.array(), 0, n);
                pos += n;
            }
        } catch (IOException e) {
            throw new IoFailureException(f.path() + ": cannot read (" + e.getMessage() + ")", e);
        }
        double[] values = new double[DECODE_BLOCK];
        for (TensorInfo t : f.tensors()) { // data order: together with the header they tile the file
            DType d = t.dtype();
            int width = d.bits() % 8 == 0 ? d.bits() / 8 : 1;
            int step = (BUFFER / width) * width;
            boolean count = d.isFloat();
            long nans = 0;
            long infs = 0;
            for (long off = 0; off < t.byteSize(); off += step) {
                int len = (int) Math.min(step, t.byteSize() - off);
                buf.clear();
                buf.limit(len);
                f.read(t, off, buf);
                md.update(buf.array(), 0, len);
                if (count) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        int k = Math.min(DECODE_BLOCK, buf.remaining() / width);
                        ElementCodec.decode(d, buf, values, 0, k);
                        for (int i = 0; i < k; i++) {
                            double x = values[i];
                            if (x != x) {
                                nans++;
                            } else if (x == Double.POSITIVE_INFINITY || x == Double.NEGATIVE_INFINITY) {
                                infs++;
                            }
                        }
                    }
                }
            }
            if (nans + infs > 0) {
                nonFinite.add(new VerifyResult.NonFinite(f.path(), t.name(), d, nans, infs));
            }
        }
        long now;
        try {
            now = Files.size(f.path());
        } catch (IOException e) {
            throw new IoFailureException(f.path() + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (now != f.fileLength()) {
            throw new InvalidInputException(f.path() + ": file changed while it was verified (" + f.fileLength()
                    + " bytes when opened, " + now + " now)");
        }
        return new VerifyResult.FileCheck(f.path(), f.fileLength(), f.tensors().size(), Sha256.hex(md.digest()), null);
    }

    private static VerifyResult.SumCheck check(Path listedIn, Sha256Sums.Entry e, Path target, VerifyResult scanned,
                                               List<VerifyResult.Problem> problems) {
        String shown = e.path() == null ? target.getFileName().toString() : e.path();
        if (!Files.isRegularFile(target)) {
            problems.add(new VerifyResult.Problem(target, target + ": listed in " + listedIn + " but missing"));
            return new VerifyResult.SumCheck(listedIn, shown, target, e.sha256(), null, VerifyResult.Status.MISSING);
        }
        String actual = digest(target, scanned);
        if (!actual.equalsIgnoreCase(e.sha256())) {
            problems.add(new VerifyResult.Problem(target, target + ": SHA-256 mismatch (" + listedIn.getFileName()
                    + " lists " + e.sha256() + ", the file has " + actual + ")"));
            return new VerifyResult.SumCheck(listedIn, shown, target, e.sha256(), actual, VerifyResult.Status.MISMATCH);
        }
        return new VerifyResult.SumCheck(listedIn, shown, target, e.sha256(), actual, VerifyResult.Status.OK);
    }

    /** The line of a {@code <file>.sha256} that applies to {@code fileName}: the only one, or the one naming it. */
    private static Sha256Sums.Entry entryFor(Path side, String fileName) {
        List<Sha256Sums.Entry> entries = Sha256Sums.read(side);
        if (entries.size() == 1) {
            return entries.get(0);
        }
        for (Sha256Sums.Entry e : entries) {
            if (e.path() != null && Path.of(e.path()).getFileName().toString().equals(fileName)) {
                return e;
            }
        }
        throw new InvalidInputException(side + ": holds no checksum line for " + fileName);
    }

    /** Resolves a listed path within the folder; a path that leaves it is refused. */
    private static Path inside(Path root, String listed, Path listedIn) {
        Path rel = Path.of(listed.startsWith("./") ? listed.substring(2) : listed);
        Path p = root.resolve(rel).normalize();
        if (rel.isAbsolute() || !p.startsWith(root)) {
            throw new InvalidInputException(listedIn + ": path '" + listed + "' is outside the model folder");
        }
        return p;
    }

    private static String digest(Path file, VerifyResult r) {
        String known = r.digestOf(file);
        return known != null ? known : Sha256.ofFile(file);
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
