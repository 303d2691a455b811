package dev.surgeon.cli;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ConvertCommandTest {
    @TempDir
    Path tmp;


    @Test
    void castsFloatTensorsToBf16WithRoundToNearestEven() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path out = tmp.resolve("out");
        assertThat(Main.run("convert", in.toString(), "--dtype", "bf16", "-o", out.toString(), "-q")).isEqualTo(0);
        try (Checkpoint a = Checkpoint.open(in.toString()); Checkpoint b = Checkpoint.open(out.toString())) {
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            for (TensorRef ra : a.tensors().values()) {
                TensorRef rb = b.tensor(ra.name());
                assertThat(rb.info().dtype()).isEqualTo(DType.BF16);
                assertThat(rb.info().shape()).isEqualTo(ra.info().shape());
                ByteBuffer fa = ra.file().readAll(ra.info());
                ByteBuffer fb = rb.file().readAll(rb.info());
                while (fa.hasRemaining()) {
                    assertThat(fb.getShort()).isEqualTo(TestModels.bf16(fa.getFloat()));
                }
            }
        }
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"torch_dtype\": \"bfloat16\"").contains("\"bos_token_id\": null");
    }

    @Test
    void rewriteWithoutOptionsKeepsDataSectionByteForByte() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 2);
        Path out = tmp.resolve("copy.safetensors");
        assertThat(Main.run("convert", in.resolve("model.safetensors").toString(), "-o", out.toString(), "-q")).isEqualTo(0);
        assertThat(TestModels.dataSection(out)).isEqualTo(TestModels.dataSection(in.resolve("model.safetensors")));
    }

    @Test
    void sameCommandTwiceGivesIdenticalBytes() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 3);
        assertThat(Main.run("convert", in.toString(), "--dtype", "f16", "-o", tmp.resolve("a").toString(), "-q")).isZero();
        assertThat(Main.run("convert", in.toString(), "--dtype", "f16", "-o", tmp.resolve("b").toString(), "-q")).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("a/model.safetensors"))).isEqualTo(Files.readAllBytes(tmp.resolve("b/model.safetensors")));
    }

    @Test
    void shardsAndReadsBackThroughTheIndex() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 4);
        Path out = tmp.resolve("sharded");
        assertThat(Main.run("convert", in.toString(), "--max-shard-size", "1K", "-o", out.toString(), "-q")).isZero();
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.matches("model-0000\\d-of-0000\\d\\.safetensors")).count())
                    .isGreaterThan(1);
        }
        try (Checkpoint a = Checkpoint.open(in.toString()); Checkpoint b = Checkpoint.open(out.toString())) {
            assertThat(b.files()).hasSizeGreaterThan(1);
            for (TensorRef ra : a.tensors().values()) {
                TensorRef rb = b.tensor(ra.name());
                assertThat(rb.file().readAll(rb.info())).isEqualTo(ra.file().readAll(ra.info()));
            }
        }
        Path back = tmp.resolve("joined.safetensors");
        assertThat(Main.run("convert", out.toString(), "-o", back.toString(), "-q")).isZero();
        try (Checkpoint c = Checkpoint.open(back.toString())) {
            assertThat(c.tensors()).hasSize(21);
        }
    }

    @Test
    void defaultOutputIsASiblingNamedAfterTheCommand() throws Exception {
        Path single = TestModels.tinyLlama(tmp.resolve("single"), 5);
        assertThat(Main.run("convert", single.resolve("model.safetensors").toString(), "-q")).isZero();
        assertThat(single.resolve("model.converted.safetensors")).exists();
        Path in = TestModels.tinyLlama(tmp.resolve("m"), 5);
        assertThat(Main.run("convert", in.toString(), "-q")).isZero();
        assertThat(tmp.resolve("m-converted/model.safetensors")).exists();
        assertThat(tmp.resolve("m-converted/config.json")).exists();
    }

    @Test
    void refusesExistingOutputWithoutForceAndReplacesWithIt() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 6);
        Path out = tmp.resolve("out");
        assertThat(Main.run("convert", in.toString(), "-o", out.toString(), "-q")).isZero();
        assertThat(Main.run("convert", in.toString(), "-o", out.toString(), "-q")).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(Main.run("convert", in.toString(), "--dtype", "bf16", "-o", out.toString(), "--force", "-q")).isZero();
        try (Checkpoint c = Checkpoint.open(out.toString())) {
            assertThat(c.tensor("lm_head.weight").info().dtype()).isEqualTo(DType.BF16);
        }
        assertThat(TestModels.listing(tmp)).noneMatch(p -> p.contains("surgeon"));
    }

    @Test
    void outputThatIsAnInputIsAUsageError() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 7);
        byte[] before = Files.readAllBytes(in.resolve("model.safetensors"));
        assertThat(Main.run("convert", in.toString(), "-o", in.toString(), "--force", "-q")).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("convert", in.resolve("model.safetensors").toString(), "-o", in.resolve("model.safetensors").toString(), "--force", "-q"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("convert", in.toString(), "-o", tmp.toString(), "--force", "-q")).isEqualTo(ExitCodes.USAGE);
        assertThat(Files.readAllBytes(in.resolve("model.safetensors"))).isEqualTo(before);
    }

    @Test
    void malformedInputExitsThreeAndWritesNothing() throws Exception {
        Path bad = tmp.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(8);
        b.put("{\"a\":1}".getBytes()).put((byte) ' ');
        Files.write(bad, b.array());
        Path out = tmp.resolve("out");
        assertThat(Main.run("convert", bad.toString(), "-o", out.toString(), "-q")).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(out).doesNotExist();
        assertThat(TestModels.listing(tmp)).containsExactly("", "bad.safetensors");
    }

    @Test
    void missingInputIsAnIoFailureAndBadOptionsAreUsageErrors() throws Exception {
        assertThat(Main.run("convert", tmp.resolve("nope.safetensors").toString(), "-q")).isEqualTo(ExitCodes.IO_FAILURE);
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 8);
        assertThat(Main.run("convert", in.toString(), "--dtype", "i8", "-o", tmp.resolve("o").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("convert", in.toString(), "--max-shard-size", "lots", "-o", tmp.resolve("o").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("convert", in.toString(), "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("convert", in.toString(), "--max-shard-size", "1K", "-o", tmp.resolve("x.safetensors").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("o")).doesNotExist();
        assertThat(tmp.resolve("x.safetensors")).doesNotExist();
    }

    @Test
    void unwritableOutputFolderIsAnIoFailure() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 9);
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        ro.toFile().setWritable(false);
        try {
            // root ignores permission bits; only check when they bite
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(ro), "running as root: permission bits do not apply");
            assertThat(Main.run("convert", in.toString(), "-o", ro.resolve("out").toString(), "-q")).isEqualTo(ExitCodes.IO_FAILURE);
        } finally {
            ro.toFile().setWritable(true);
        }
    }
}
