package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;
import dev.surgeon.ops.exec.Execution;
import dev.surgeon.ops.exec.OrderedChunks;

import java.io.IOException;
import java.util.List;

/**
 * A tensor converted element-wise to another dtype (round-to-nearest-even), chunk by chunk on the
 * run's worker threads: each chunk is read into the thread's read buffer and converted straight
 * into the buffer the writer writes, so memory is a few chunks per thread whatever the tensor's size.
 */
public final class SourceCast implements TensorContent {
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private final TensorRef source;
    private final DType target;

    public SourceCast(TensorRef source, DType target) {
        this.source = source;
        this.target = target;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        DType from = source.info().dtype();
        int inWidth = from.byteWidth();
        OrderedChunks.write(sink, source.info().numel(), CHUNK_ELEMENTS, target.byteWidth(), Execution.threads(),
                (first, n, dst) -> {
                    source.file().mapped(source.info(), first * inWidth, n * inWidth,
                            in -> ElementCodec.convert(from, target, in, dst, n));
                });
    }

    @Override
    public List<TensorRef> inputs() {
        return List.of(source);
    }
}
