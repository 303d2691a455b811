package dev.surgeon.cli;

import dev.surgeon.io.write.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The numeric guard: a method that turns finite inputs into Inf/NaN fails with exit 5 naming the
 * tensor and writes nothing; an Inf already in the inputs is carried through.
 */
class NumericGuardTest {
    @TempDir
    Path tmp;

    private Path model(String name, float value) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), List.of(
                TestModels.f32("model.layers.0.mlp.up_proj.weight", new long[] {2, 2}, new float[] {1, 2, 3, value})));
        return dir;
    }

    @Test
    void overflowToInfinityExitsFiveAndWritesNothing() throws Exception {
        Path base = model("base", 4);
        Path ft = model("ft", 3e38f);
        CommandRun r = CommandRun.of("merge", base.toString(), ft.toString(), "--method", "task-arithmetic",
                "--lambda", "10", "-o", tmp.resolve("out").toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.NUMERIC_GUARD);
        assertThat(r.err()).contains("model.layers.0.mlp.up_proj.weight").contains("Infinity");
        assertThat(tmp.resolve("out")).doesNotExist();
        assertThat(TestModels.listing(tmp)).noneMatch(p -> p.contains("surgeon"));
    }

    @Test
    void infinityAlreadyInTheInputsIsCarriedThrough() throws Exception {
        Path pre = model("pre", Float.NEGATIVE_INFINITY);
        Path post = model("post", Float.NEGATIVE_INFINITY);
        CommandRun r = CommandRun.of("average", pre.toString(), post.toString(), "-o", tmp.resolve("out").toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
    }
}
