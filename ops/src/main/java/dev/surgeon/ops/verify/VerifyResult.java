package dev.surgeon.ops.verify;

import dev.surgeon.io.safetensors.DType;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Verifier} found: each safetensors file read end to end (with its digest), each
 * checksum line checked, each tensor holding NaN or Inf, and the problems that make the
 * checkpoint invalid. NaN/Inf are not problems here: the caller decides whether they are allowed.
 */
public record VerifyResult(List<FileCheck> files, List<SumCheck> sums, List<NonFinite> nonFinite,
                           List<Problem> problems, List<String> warnings, List<Path> checksumFiles) {

    public VerifyResult {
        files = List.copyOf(files);
        sums = List.copyOf(sums);
        nonFinite = List.copyOf(nonFinite);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        checksumFiles = List.copyOf(checksumFiles);
    }

    /** One safetensors file; {@code sha256} is null when it could not be read to the end. */
    public record FileCheck(Path path, long bytes, int tensors, String sha256, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    public enum Status { OK, MISMATCH, MISSING }

    /** One checksum line: where it was listed, the file it names, expected and actual digests. */
    public record SumCheck(Path listedIn, String listedPath, Path file, String expected, String actual, Status status) {
    }

    /** A floating-point tensor holding NaN or ±Inf. */
    public record NonFinite(Path file, String tensor, DType dtype, long nans, long infs) {
    }

    /** Something that makes the checkpoint invalid (exit 3), naming the file. */
    public record Problem(Path file, String message) {
    }

    /** No invalid file, no failed checksum (NaN/Inf aside). */
    public boolean ok() {
        return problems.isEmpty();
    }

    public long tensors() {
        return files.stream().mapToLong(FileCheck::tensors).sum();
    }

    public long bytes() {
        return files.stream().mapToLong(FileCheck::bytes).sum();
    }

    /** The digest computed for a file of the checkpoint (absolute, normalized path), or null. */
    public String digestOf(Path file) {
        Path p = file.toAbsolutePath().normalize();
        for (FileCheck f : files) {
            if (f.sha256() != null && f.path().toAbsolutePath().normalize().equals(p)) {
                return f.sha256();
            }
        }
        return null;
    }
}
