package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.exec.Execution;
import dev.surgeon.ops.exec.OrderedChunks;

import java.io.IOException;
import java.util.List;

/**
 * A tensor's bytes passed through untouched: positioned reads straight into the buffers the writer
 * writes (one copy from the page cache, none in between), on the run's worker threads.
 */
public final class SourceCopy implements TensorContent {
    /** Bytes per read: large enough that a read's fixed cost is small, small enough to keep a few in flight per thread. */
    private static final int CHUNK_BYTES = 4 << 20;

    private final TensorRef source;

    public SourceCopy(TensorRef source) {
        this.source = source;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        long size = source.info().byteSize();
        // sub-byte and odd dtypes are copied as bytes: only whole bytes are read
        OrderedChunks.write(sink, size, CHUNK_BYTES, 1, Execution.threads(), (first, n, dst) -> {
            dst.limit(dst.position() + n);
            source.file().read(source.info(), first, dst);
        });
    }

    @Override
    public List<TensorRef> inputs() {
        return List.of(source);
    }
}
