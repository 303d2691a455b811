package dev.surgeon.io.digest;

import dev.surgeon.io.error.IoFailureException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 digests of files, streamed through a 1 MiB buffer, as lower-case hex. */
public final class Sha256 {
    public static final int BUFFER = 1 << 20;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public static String hex(byte[] digest) {
        char[] out = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return new String(out);
    }

    /** The digest of a whole file. */
    public static String ofFile(Path file) {
        return ofFile(file, ByteBuffer.allocateDirect(BUFFER));
    }

    /**
     * The digest of a whole file, read through {@code buffer} (direct, reused across files by a
     * caller that hashes many: the channel reads into it without an extra copy).
     */
    public static String ofFile(Path file, ByteBuffer buffer) {
        MessageDigest md = newDigest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buffer.clear();
                if (ch.read(buffer) < 0) {
                    break;
                }
                buffer.flip();
                md.update(buffer);
            }
        } catch (NoSuchFileException e) {
            throw new IoFailureException(file + ": no such file");
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return hex(md.digest());
    }

    /** The digest of {@code bytes} as lower-case hex. */
    public static String of(byte[] bytes) {
        return hex(newDigest().digest(bytes));
    }
}
