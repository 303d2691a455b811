package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the layer map over generated names. */
class LayerMapPropertyTest {

    private static final Map<String, Role> LLAMA = Map.of("self_attn.q_proj", Role.ATTN_Q, "self_attn.k_proj", Role.ATTN_K,
            "self_attn.v_proj", Role.ATTN_V, "self_attn.o_proj", Role.ATTN_O, "mlp.gate_proj", Role.MLP_GATE,
            "mlp.up_proj", Role.MLP_UP, "mlp.down_proj", Role.MLP_DOWN, "input_layernorm", Role.NORM);

    @Property
    void llamaBlockIndexAndRoleSurviveAnyPrefixAndLeaf(@ForAll @IntRange(max = 100_000) int block,
                                                       @ForAll("llamaModules") String module,
                                                       @ForAll("prefixes") String prefix,
                                                       @ForAll("leaves") String leaf) {
        String name = prefix + "layers." + block + "." + module + leaf;
        TensorRole r = new LayerMap(List.of(name), null).roleOf(name);
        assertThat(r.block()).isEqualTo(block);
        assertThat(r.role()).isEqualTo(LLAMA.get(module));
        assertThat(r.architecture()).isEqualTo("llama");
    }

    @Property
    void blockCountIsOnePastTheHighestBlockSeen(@ForAll @Size(min = 1, max = 20) Set<@IntRange(max = 500) Integer> blocks) {
        List<String> names = new ArrayList<>();
        blocks.forEach(b -> names.add("model.layers." + b + ".mlp.down_proj.weight"));
        LayerMap m = new LayerMap(names, null);
        assertThat(m.namesByBlock().keySet()).isEqualTo(new TreeSet<>(blocks));
        assertThat(m.blockCount()).isEqualTo(blocks.stream().mapToInt(Integer::intValue).max().orElseThrow() + 1);
    }

    @Property
    void bartDecoderBlocksFollowTheEncoder(@ForAll @IntRange(max = 6) int encoder, @ForAll @IntRange(min = 1, max = 6) int decoder) {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < encoder; b++) {
            names.add("model.encoder.layers." + b + ".fc1.weight");
        }
        for (int b = 0; b < decoder; b++) {
            names.add("model.decoder.layers." + b + ".fc2.weight");
        }
        LayerMap m = new LayerMap(names, null);
        assertThat(m.architectureName()).isEqualTo("bart");
        assertThat(m.roleOf("model.decoder.layers." + (decoder - 1) + ".fc2.weight").block()).isEqualTo(encoder + decoder - 1);
        assertThat(m.blockCount()).isEqualTo(encoder + decoder);
    }

    @Property(tries = 300)
    void anyNameGetsARoleWithoutFailing(@ForAll("anyNames") List<String> names, @ForAll("anyNames") List<String> later) {
        LayerMap m = new LayerMap(names, null);
        for (String n : names) {
            TensorRole r = m.roleOf(n);
            assertThat(r.block()).isBetween(TensorRole.NO_BLOCK, Architecture.MAX_BLOCK_INDEX * 2 + 1);
            assertThat(r.role()).isNotNull();
        }
        later.forEach(n -> assertThat(m.roleOf(n)).isNotNull());
        assertThat(m.blockCount()).isGreaterThanOrEqualTo(0);
    }

    @Provide
    Arbitrary<String> llamaModules() {
        return Arbitraries.of(LLAMA.keySet());
    }

    @Provide
    Arbitrary<String> prefixes() {
        return Arbitraries.of("", "model.", "base_model.model.model.");
    }

    @Provide
    Arbitrary<String> leaves() {
        return Arbitraries.of(".weight", ".bias", ".lora_A.weight", ".lora_b", ".scales");
    }

    @Provide
    Arbitrary<List<String>> anyNames() {
        Arbitrary<String> part = Arbitraries.oneOf(
                Arbitraries.of("model", "layers", "h", "layer", "blocks", "block", "encoder", "decoder", "self_attn",
                        "q_proj", "c_attn", "weight", "bias", "lora_A", "lora_b", "transformer", "bert", "", "embed_tokens"),
                Arbitraries.integers().between(0, 3_000_000).map(String::valueOf),
                Arbitraries.strings().ofMaxLength(6));
        Arbitrary<String> name = part.list().ofMinSize(1).ofMaxSize(8).map(l -> String.join(".", l));
        return name.list().ofMaxSize(12);
    }
}
