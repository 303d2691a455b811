package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A tensor converted element-wise to another dtype (round-to-nearest-even), streamed chunk by chunk
 * so memory holds one input chunk and one output chunk whatever the tensor's size.
 */
public final class SourceCast implements TensorContent {
    private static final int CHUNK_ELEMENTS = 4 << 20;

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
        int outWidth = target.byteWidth();
        int chunkElements = (int) Math.max(1, Math.min(CHUNK_ELEMENTS, source.info().numel()));
        ByteBuffer out = Scratch.get(chunkElements * outWidth);
        source.file().forEachChunk(source.info(), chunkElements * inWidth, (chunk, off) -> {
            long n = chunk.remaining() / inWidth;
            out.clear();
            ElementCodec.convert(from, target, chunk, out, n);
            out.flip();
            sink.write(out);
        });
    }
}
