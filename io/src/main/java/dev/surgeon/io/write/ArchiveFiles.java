package dev.surgeon.io.write;

import org.apache.commons.compress.archivers.ArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * Output files streamed as entries of one archive ({@code .tar}, {@code .tar.gz}/{@code .tgz},
 * {@code .zip}) under a top folder named after it ({@code model.tar.gz} → {@code model/...}), so
 * no staging copy of the folder is made. Entries carry fixed times, owners and modes, so the same
 * files give the same archive. gzip and zip deflate at level 1 ({@link #LEVEL}): weights compress
 * little, and level 1 keeps the compressor near disk speed. A zip is written through its seekable
 * file channel, so entries need no CRC before their bytes.
 */
public final class ArchiveFiles implements OutputFiles {
    /** Deflate level for .tar.gz and .zip. */
    public static final int LEVEL = Deflater.BEST_SPEED;
    private static final String[] EXTENSIONS = {".tar.gz", ".tgz", ".tar", ".zip"};
    /** 1980-01-01 00:00 UTC: the earliest a zip's DOS time can hold, used for every entry. */
    private static final long FIXED_MILLIS = 315_532_800_000L;

    /**
     * 1980-01-01 00:00 as local time: a zip stores local DOS times, so the bytes do not depend on
     * the time zone. A holder, because reading the zone rules scans every jar for providers
     * (about 25 ms) and every run asks {@link #isArchive} about its output.
     */
    private static final class ZipTime {
        static final long MILLIS = LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    private final FileChannel file;
    private final ArchiveOutputStream<?> out;
    /** The bytes of a tar(.gz) as they go to the file; null for a zip, whose headers are patched by seeking back. */
    private final java.security.MessageDigest digest;
    private final String top;
    private final boolean zip;
    private WritableByteChannel entry;
    private boolean finished;

    private ArchiveFiles(FileChannel file, ArchiveOutputStream<?> out, String top, boolean zip,
                         java.security.MessageDigest digest) {
        this.file = file;
        this.digest = digest;
        this.out = out;
        this.top = top;
        this.zip = zip;
    }

    /** True when {@code p} names an archive this class writes. */
    public static boolean isArchive(Path p) {
        return extension(p) != null;
    }

    /** The archive's name without its extension: the top folder of its entries. */
    public static String topFolder(Path archive) {
        String n = archive.getFileName().toString();
        return n.substring(0, n.length() - extension(archive).length());
    }

    private static String extension(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) {
            if (n.endsWith(e) && n.length() > e.length()) {
                return e;
            }
        }
        return null;
    }

    /** Creates {@code staged}, to become the archive {@code target} (whose name decides the kind). */
    public static ArchiveFiles create(Path staged, Path target) throws IOException {
        String ext = extension(target);
        String top = topFolder(target);
        FileChannel ch = FileChannel.open(staged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            if (ext.equals(".zip")) {
                ZipArchiveOutputStream z = new ZipArchiveOutputStream(ch);
                z.setUseZip64(Zip64Mode.AsNeeded);
                z.setLevel(LEVEL);
                z.setMethod(ZipArchiveEntry.DEFLATED);
                return new ArchiveFiles(ch, z, top, true, null);
            }
            java.security.MessageDigest md = dev.surgeon.io.digest.Sha256.newDigest();
            OutputStream os = new BufferedOutputStream(
                    new java.security.DigestOutputStream(new KeepOpen(Channels.newOutputStream(ch)), md), 1 << 20);
            if (!ext.equals(".tar")) {
                GzipParameters p = new GzipParameters();
                p.setCompressionLevel(LEVEL);
                os = new GzipCompressorOutputStream(os, p);
            }
            TarArchiveOutputStream t = new TarArchiveOutputStream(os);
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry(top + "/");
            fixed(dir, 0755);
            t.putArchiveEntry(dir);
            t.closeArchiveEntry();
            return new ArchiveFiles(ch, t, top, false, md);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public WritableByteChannel open(String name, long size) throws IOException {
        String path = top + "/" + name;
        if (zip) {
            ZipArchiveEntry e = new ZipArchiveEntry(path);
            e.setSize(size);
            e.setTime(ZipTime.MILLIS);
            e.setUnixMode(0100644);
            ((ArchiveOutputStream) out).putArchiveEntry(e);
        } else {
            TarArchiveEntry e = new TarArchiveEntry(path);
            e.setSize(size);
            fixed(e, 0644);
            ((ArchiveOutputStream) out).putArchiveEntry(e);
        }
        entry = new StreamChannel(out);
        return entry;
    }

    private static void fixed(TarArchiveEntry e, int mode) {
        e.setModTime(FileTime.fromMillis(FIXED_MILLIS));
        e.setMode((e.isDirectory() ? 040000 : 0100000) | mode);
        e.setIds(0, 0);
        e.setNames("", "");
    }

    @Override
    public void end() throws IOException {
        entry = null;
        out.closeArchiveEntry();
    }

    @Override
    public Path file(String name) {
        return null;
    }

    /** The archive's SHA-256 once {@link #finish}ed, taken as it was written; null for a zip (read it back). */
    public String sha256() {
        return finished && digest != null ? dev.surgeon.io.digest.Sha256.hex(digest.digest()) : null;
    }

    /** Writes the archive's end and fsyncs it; then {@link #close}. */
    public void finish() throws IOException {
        if (zip) {
            out.finish(); // the central directory; closing would close the channel before the fsync
        } else {
            out.close(); // ends the tar and the gzip trailer; KeepOpen leaves the channel open
        }
        file.force(true);
        finished = true;
    }

    @Override
    public void close() throws IOException {
        try {
            if (finished && zip) {
                out.close();
            }
        } finally {
            file.close();
        }
    }

    /** Keeps the file channel open when the archive stream closes, so it can be fsynced first. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** A channel over the archive stream, copying through a heap chunk; closing it leaves the stream open. */
    private static final class StreamChannel implements WritableByteChannel {
        private final OutputStream out;
        private final byte[] chunk = new byte[1 << 20];
        private boolean open = true;

        StreamChannel(OutputStream out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
                return n;
            }
            while (src.hasRemaining()) {
                int k = Math.min(chunk.length, src.remaining());
                src.get(chunk, 0, k);
                out.write(chunk, 0, k);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
