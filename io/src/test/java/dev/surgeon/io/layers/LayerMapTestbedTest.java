package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.surgeon.io.SharedFixtures;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The trained LLaMA testbed: every tensor of every block, and the three outside blocks. */
class LayerMapTestbedTest {

    /** The nine tensors of a LlamaForCausalLM block, without the {@code model.layers.N.} prefix. */
    private static final Map<String, Role> BLOCK = new LinkedHashMap<>();

    static {
        BLOCK.put("self_attn.q_proj.weight", Role.ATTN_Q);
        BLOCK.put("self_attn.k_proj.weight", Role.ATTN_K);
        BLOCK.put("self_attn.v_proj.weight", Role.ATTN_V);
        BLOCK.put("self_attn.o_proj.weight", Role.ATTN_O);
        BLOCK.put("mlp.gate_proj.weight", Role.MLP_GATE);
        BLOCK.put("mlp.up_proj.weight", Role.MLP_UP);
        BLOCK.put("mlp.down_proj.weight", Role.MLP_DOWN);
        BLOCK.put("input_layernorm.weight", Role.NORM);
        BLOCK.put("post_attention_layernorm.weight", Role.NORM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "ft-code", "ft-legal"})
    void everyTensorHasItsLlamaRole(String model) throws IOException {
        LayerMap m = FixtureNames.layerMap(SharedFixtures.testbed(model));
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(6);
        assertThat(m.configBlockCount()).isEqualTo(6);
        assertThat(m.roles()).hasSize(6 * BLOCK.size() + 3);
        for (int b = 0; b < 6; b++) {
            String prefix = "model.layers." + b + ".";
            List<String> expected = BLOCK.keySet().stream().map(s -> prefix + s).toList();
            assertThat(m.namesByBlock().get(b)).containsExactlyInAnyOrderElementsOf(expected);
            for (Map.Entry<String, Role> e : BLOCK.entrySet()) {
                TensorRole r = m.roleOf(prefix + e.getKey());
                assertThat(r).isEqualTo(new TensorRole(b, e.getValue(), Kind.WEIGHT, false, "", "llama"));
            }
        }
        assertThat(m.roleOf("model.embed_tokens.weight")).isEqualTo(outside(Role.EMBED));
        assertThat(m.roleOf("model.norm.weight")).isEqualTo(outside(Role.NORM));
        assertThat(m.roleOf("lm_head.weight")).isEqualTo(outside(Role.HEAD));
    }

    private static TensorRole outside(Role role) {
        return new TensorRole(TensorRole.NO_BLOCK, role, Kind.WEIGHT, false, "", "llama");
    }
}
