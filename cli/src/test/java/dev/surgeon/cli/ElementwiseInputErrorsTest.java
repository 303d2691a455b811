package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models that do not line up, through both element-wise commands: exit 3 naming the first
 * offending tensor, nothing written; --vocab base lets a larger vocabulary through.
 */
class ElementwiseInputErrorsTest {
    @TempDir
    Path tmp;

    private String[] args(String command, Path a, Path b, String... extra) {
        String[] head = command.equals("scale")
                ? new String[] {"scale", a.toString(), b.toString(), "--alpha", "0.5", "-o", tmp.resolve("out").toString()}
                : new String[] {"average", a.toString(), b.toString(), "-o", tmp.resolve("out").toString()};
        String[] all = new String[head.length + extra.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(extra, 0, all, head.length, extra.length);
        return all;
    }

    private void assertInvalid(String command, Path a, Path b, String... mentions) {
        CommandRun run = CommandRun.of(args(command, a, b));
        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        for (String m : mentions) {
            assertThat(run.err()).contains(m);
        }
        assertThat(run.err().lines().filter(l -> l.startsWith("surgeon: error:")).count()).isEqualTo(1);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale", "average"})
    void missingTensor(String command) throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(2), 1);
        Map<String, long[]> fewer = BlockModels.layout(2);
        fewer.remove("model.layers.1.mlp.up_proj.weight");
        Path b = BlockModels.write(tmp.resolve("b"), fewer, 2);
        assertInvalid(command, a, b, "model.layers.1.mlp.up_proj.weight", "missing");
        // and the other way round: a tensor the first model lacks
        assertInvalid(command, b, a, "model.layers.1.mlp.up_proj.weight");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale", "average"})
    void shapeMismatch(String command) throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(2), 1);
        Map<String, long[]> other = BlockModels.layout(2);
        other.put("model.layers.0.self_attn.k_proj.weight", new long[] {2, BlockModels.H});
        Path b = BlockModels.write(tmp.resolve("b"), other, 2);
        assertInvalid(command, a, b, "model.layers.0.self_attn.k_proj.weight", "[2, 4]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale", "average"})
    void dtypeMismatch(String command) throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(2), 1);
        Path b = BlockModels.write(tmp.resolve("b"), BlockModels.layout(2),
                n -> n.equals("model.layers.1.self_attn.o_proj.weight") ? DType.BF16 : DType.F32, 2);
        assertInvalid(command, a, b, "model.layers.1.self_attn.o_proj.weight", "BF16", "F32");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale", "average"})
    void blockCountMismatch(String command) throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(3), 1);
        Path b = BlockModels.write(tmp.resolve("b"), BlockModels.layout(2), 2);
        assertInvalid(command, a, b, "tensor 'model.layers.2.", "is missing"); // the first tensor of the block B lacks
    }

    @ParameterizedTest
    @ValueSource(strings = {"scale", "average"})
    void vocabularyMismatchNeedsVocabBase(String command) throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(2), 1);
        Map<String, long[]> bigger = BlockModels.layout(2);
        bigger.put("model.embed_tokens.weight", new long[] {BlockModels.V + 2, BlockModels.H});
        bigger.put("lm_head.weight", new long[] {BlockModels.V + 2, BlockModels.H});
        Path b = BlockModels.write(tmp.resolve("b"), bigger, 2);
        assertInvalid(command, a, b, "model.embed_tokens.weight", "--vocab base");

        CommandRun ok = CommandRun.of(args(command, a, b, "--vocab", "base", "-q"));
        assertThat(ok.code()).as(ok.toString()).isZero();
        Map<String, RawSafetensors.Tensor> in1 = RawSafetensors.read(a);
        Map<String, RawSafetensors.Tensor> in2 = RawSafetensors.read(b);
        Map<String, RawSafetensors.Tensor> out = RawSafetensors.read(tmp.resolve("out"));
        for (String n : new String[] {"model.embed_tokens.weight", "lm_head.weight"}) {
            assertThat(out.get(n).shape()).containsExactly(BlockModels.V, BlockModels.H);
            double[] x = in1.get(n).values();
            double[] y = in2.get(n).values(); // first V rows of the larger model, element for element
            double[] o = out.get(n).values();
            double w = 0.5; // scale: alpha 0.5 outside blocks; average: plain W 0.8
            for (int i = 0; i < o.length; i++) {
                double e = command.equals("scale") ? x[i] + w * (y[i] - x[i]) : 0.2 * x[i] + 0.8 * y[i];
                ScaleCommandTest.assertClose(n, o[i], e, x[i], y[i]);
            }
        }
    }
}
