package dev.surgeon.io.write;

import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrefetcherTest {
    private static final int TENSOR = 3 << 20;

    @TempDir
    Path tmp;

    private Path input() throws Exception {
        List<PlannedTensor> plan = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            int seed = k;
            plan.add(new PlannedTensor("t" + k, DType.U8, new long[] {TENSOR}, sink -> {
                ByteBuffer b = ByteBuffer.allocate(TENSOR);
                for (int i = 0; i < TENSOR; i++) {
                    b.put((byte) (i + seed));
                }
                sink.write(b.flip());
            }));
        }
        Path file = tmp.resolve("in.safetensors");
        SafetensorsWriter.write(file, Map.of(), plan);
        return file;
    }

    private static PlannedTensor reading(TensorRef... refs) {
        TensorInfo first = refs[0].info();
        return new PlannedTensor(first.name(), first.dtype(), first.shape(), new TensorContent() {
            @Override
            public void writeTo(TensorSink sink) {
                throw new UnsupportedOperationException("not written here");
            }

            @Override
            public List<TensorRef> inputs() {
                return List.of(refs);
            }
        });
    }

    private static void settle(Prefetcher p) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 200 && (p.loaded() != last || i < 5); i++) {
            last = p.loaded();
            Thread.sleep(20);
        }
    }

    @Test
    void readsAheadAtMostItsWindowBeyondWhatTheWriterConsumedAndEachInputOnce() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(input())) {
            List<TensorRef> refs = f.tensors().stream().map(t -> new TensorRef(f, t)).toList();
            // the second output reads t0 again (as a tied weight would): it is not read twice
            List<PlannedTensor> plan = List.of(reading(refs.get(0)), reading(refs.get(0), refs.get(1)), reading(refs.get(2)),
                    reading(refs.get(3)));
            try (Prefetcher p = Prefetcher.start(plan, 1 << 20)) {
                settle(p);
                assertThat(p.loaded()).as("one tensor, then it waits for the writer").isEqualTo(TENSOR);
                // waiting for room is not reading: the direct writer may flush then
                assertThat(Prefetcher.anyReading()).isFalse();
                p.tensorWritten();
                settle(p);
                assertThat(p.loaded()).isEqualTo(2L * TENSOR);
                p.tensorWritten();
                p.tensorWritten();
                settle(p);
                assertThat(p.loaded()).isEqualTo(4L * TENSOR);
                assertThat(p.finished()).isTrue();
                assertThat(Prefetcher.anyReading()).isFalse();
            }
        }
    }

    @Test
    void stopsWhenClosedAndStartsNothingWithoutInputs() throws Exception {
        assertThat(Prefetcher.start(List.of(new PlannedTensor("x", DType.U8, new long[] {1}, sink -> { })), 1)).isNull();
        try (SafetensorsFile f = SafetensorsFile.open(input())) {
            List<PlannedTensor> plan = f.tensors().stream().map(t -> reading(new TensorRef(f, t))).toList();
            Prefetcher p = Prefetcher.start(plan, 1);
            settle(p);
            p.close();
            for (int i = 0; i < 100 && !p.finished(); i++) {
                Thread.sleep(10);
            }
            assertThat(p.finished()).isTrue();
            assertThat(p.loaded()).isEqualTo(TENSOR);
        }
    }
}
