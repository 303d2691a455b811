package dev.surgeon.io.write;

/** Told as tensors are written, for progress displays. Called from the writing thread. */
public interface WriteProgress {
    WriteProgress NONE = new WriteProgress() { };

    default void start(long tensors, long bytes) { }

    default void tensorWritten(String name, long bytes) { }

    default void finish() { }
}
