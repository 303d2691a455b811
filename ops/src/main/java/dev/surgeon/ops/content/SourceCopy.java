package dev.surgeon.ops.content;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.write.TensorContent;
import dev.surgeon.io.write.TensorSink;

import java.io.IOException;

/** A tensor's bytes passed through untouched, streamed from mapped chunks of its input file. */
public final class SourceCopy implements TensorContent {
    private final TensorRef source;

    public SourceCopy(TensorRef source) {
        this.source = source;
    }

    @Override
    public void writeTo(TensorSink sink) throws IOException {
        source.file().forEachChunk(source.info(), SafetensorsFile.DEFAULT_CHUNK, (chunk, off) -> sink.write(chunk));
    }
}
