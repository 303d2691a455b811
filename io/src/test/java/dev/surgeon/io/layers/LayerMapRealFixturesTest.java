package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.surgeon.io.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Concrete facts about the layer map of every real checkpoint in the shared fixtures. */
class LayerMapRealFixturesTest {

    private static LayerMap map(String dir) throws IOException {
        return FixtureNames.layerMap(SharedFixtures.real(dir));
    }

    private static void assertRole(LayerMap m, String name, int block, Role role, Kind kind, boolean transposed) {
        TensorRole r = m.roleOf(name);
        assertThat(m.roles()).as("fixture holds %s", name).containsKey(name);
        assertThat(r.block()).as("block of %s", name).isEqualTo(block);
        assertThat(r.role()).as("role of %s", name).isEqualTo(role);
        assertThat(r.kind()).as("kind of %s", name).isEqualTo(kind);
        assertThat(r.transposed()).as("transposed of %s", name).isEqualTo(transposed);
    }

    private static List<String> namesWithRole(LayerMap m, Role role) {
        return m.roles().entrySet().stream().filter(e -> e.getValue().role() == role).map(Map.Entry::getKey).toList();
    }

    @Test
    void gpt2LmHeadHasFiveTransposedConv1dBlocks() throws IOException {
        LayerMap m = map("gpt2-tiny-random-lmhead");
        assertThat(m.architectureName()).isEqualTo("gpt2");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(5);
        assertThat(m.configBlockCount()).isEqualTo(5);
        assertRole(m, "transformer.h.3.attn.c_attn.weight", 3, Role.ATTN_QKV, Kind.WEIGHT, true);
        assertRole(m, "transformer.h.3.attn.c_attn.bias", 3, Role.ATTN_QKV, Kind.BIAS, false);
        assertRole(m, "transformer.h.0.attn.c_proj.weight", 0, Role.ATTN_O, Kind.WEIGHT, true);
        assertRole(m, "transformer.h.4.mlp.c_fc.weight", 4, Role.MLP_UP, Kind.WEIGHT, true);
        assertRole(m, "transformer.h.1.mlp.c_proj.weight", 1, Role.MLP_DOWN, Kind.WEIGHT, true);
        assertRole(m, "transformer.h.2.ln_1.weight", 2, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, "transformer.h.2.ln_2.bias", 2, Role.NORM, Kind.BIAS, false);
        assertRole(m, "transformer.wte.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "transformer.wpe.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "transformer.ln_f.weight", -1, Role.NORM, Kind.WEIGHT, false);
        assertThat(m.namesByBlock()).containsOnlyKeys(0, 1, 2, 3, 4);
        m.namesByBlock().values().forEach(v -> assertThat(v).hasSize(12));
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void gpt2BaseModelWithoutPrefix() throws IOException {
        LayerMap m = map("gpt2-dummy-basemodel");
        assertThat(m.architectureName()).isEqualTo("gpt2");
        assertThat(m.blockCount()).isEqualTo(2);
        assertThat(m.configBlockCount()).isEqualTo(2);
        assertRole(m, "h.0.mlp.c_fc.weight", 0, Role.MLP_UP, Kind.WEIGHT, true);
        assertRole(m, "h.1.attn.c_attn.weight", 1, Role.ATTN_QKV, Kind.WEIGHT, true);
        assertRole(m, "wte.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "ln_f.bias", -1, Role.NORM, Kind.BIAS, false);
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void bertBaseModelTwoBlocks() throws IOException {
        LayerMap m = map("bert-dummy-basemodel");
        assertThat(m.architectureName()).isEqualTo("bert");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(2);
        assertThat(m.configBlockCount()).isEqualTo(2);
        String l = "encoder.layer.1.";
        assertRole(m, l + "attention.self.query.weight", 1, Role.ATTN_Q, Kind.WEIGHT, false);
        assertRole(m, l + "attention.self.key.bias", 1, Role.ATTN_K, Kind.BIAS, false);
        assertRole(m, l + "attention.self.value.weight", 1, Role.ATTN_V, Kind.WEIGHT, false);
        assertRole(m, l + "attention.output.dense.weight", 1, Role.ATTN_O, Kind.WEIGHT, false);
        assertRole(m, l + "attention.output.LayerNorm.weight", 1, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, l + "intermediate.dense.weight", 1, Role.MLP_UP, Kind.WEIGHT, false);
        assertRole(m, l + "output.dense.weight", 1, Role.MLP_DOWN, Kind.WEIGHT, false);
        assertRole(m, l + "output.LayerNorm.bias", 1, Role.NORM, Kind.BIAS, false);
        assertRole(m, "embeddings.word_embeddings.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "embeddings.token_type_embeddings.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "embeddings.LayerNorm.weight", -1, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, "pooler.dense.weight", -1, Role.HEAD, Kind.WEIGHT, false);
        m.namesByBlock().values().forEach(v -> assertThat(v).hasSize(16));
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void bertSequenceClassifierHasHead() throws IOException {
        LayerMap m = map("bert-dummy-seqcls");
        assertThat(m.architectureName()).isEqualTo("bert");
        assertThat(m.blockCount()).isEqualTo(2);
        assertRole(m, "classifier.weight", -1, Role.HEAD, Kind.WEIGHT, false);
        assertRole(m, "classifier.bias", -1, Role.HEAD, Kind.BIAS, false);
        assertRole(m, "bert.pooler.dense.weight", -1, Role.HEAD, Kind.WEIGHT, false);
        assertRole(m, "bert.encoder.layer.0.attention.self.query.weight", 0, Role.ATTN_Q, Kind.WEIGHT, false);
        assertRole(m, "bert.embeddings.position_embeddings.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void minicpm3ConfigSays62BlocksWeightsHoldOne() throws IOException {
        LayerMap m = map("minicpm3-synthetic-llamalike");
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(1);
        assertThat(m.configBlockCount()).isEqualTo(62);
        String l = "model.layers.0.";
        assertRole(m, l + "mlp.gate_proj.weight", 0, Role.MLP_GATE, Kind.WEIGHT, false);
        assertRole(m, l + "mlp.up_proj.weight", 0, Role.MLP_UP, Kind.WEIGHT, false);
        assertRole(m, l + "mlp.down_proj.weight", 0, Role.MLP_DOWN, Kind.WEIGHT, false);
        assertRole(m, l + "self_attn.o_proj.weight", 0, Role.ATTN_O, Kind.WEIGHT, false);
        assertRole(m, l + "input_layernorm.weight", 0, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, l + "self_attn.q_a_layernorm.weight", 0, Role.NORM, Kind.WEIGHT, false);
        // MLA low-rank projections have no single q/k/v role: kept in their block as other.
        assertRole(m, l + "self_attn.q_a_proj.weight", 0, Role.OTHER, Kind.WEIGHT, false);
        assertRole(m, l + "self_attn.kv_b_proj.weight", 0, Role.OTHER, Kind.WEIGHT, false);
        assertThat(namesWithRole(m, Role.OTHER)).containsExactlyInAnyOrder(l + "self_attn.q_a_proj.weight",
                l + "self_attn.q_b_proj.weight", l + "self_attn.kv_a_proj_with_mqa.weight", l + "self_attn.kv_b_proj.weight");
        assertRole(m, "model.embed_tokens.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "model.norm.weight", -1, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, "lm_head.weight", -1, Role.HEAD, Kind.WEIGHT, false);
    }

    @Test
    void peftLoraOnTinyLlama() throws IOException {
        LayerMap m = map("lora-peft-tinyllama-bf16");
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.configBlockCount()).isNull();
        assertThat(m.blockCount()).isEqualTo(1);
        String q = "base_model.model.model.layers.0.self_attn.q_proj.";
        assertRole(m, q + "lora_A.weight", 0, Role.ATTN_Q, Kind.LORA_A, false);
        assertRole(m, q + "lora_B.weight", 0, Role.ATTN_Q, Kind.LORA_B, false);
        assertThat(m.roleOf(q + "lora_A.weight").isLora()).isTrue();
        // modules_to_save copies are full weights, not LoRA factors.
        assertRole(m, "base_model.model.lm_head.weight", -1, Role.HEAD, Kind.WEIGHT, false);
        assertRole(m, "base_model.model.model.embed_tokens.weight", -1, Role.EMBED, Kind.WEIGHT, false);
    }

    @Test
    void mlxLoraOnQwen2LastTwoBlocks() throws IOException {
        LayerMap m = map("lora-mlx-qwen2");
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.namesByBlock()).containsOnlyKeys(22, 23);
        assertThat(m.blockCount()).isEqualTo(24);
        assertRole(m, "model.layers.22.self_attn.q_proj.lora_a", 22, Role.ATTN_Q, Kind.LORA_A, false);
        assertRole(m, "model.layers.23.self_attn.v_proj.lora_b", 23, Role.ATTN_V, Kind.LORA_B, false);
        assertThat(m.namesByBlock().get(23)).hasSize(4);
    }

    @ParameterizedTest
    @MethodSource("ktoCheckpoints")
    void peftLoraOnGpt2IsTransposedQkv(String checkpoint) throws IOException {
        LayerMap m = map("lora-peft-gpt2-kto-pair/" + checkpoint);
        assertThat(m.architectureName()).isEqualTo("gpt2");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.blockCount()).isEqualTo(12);
        assertThat(m.namesByBlock().keySet()).containsExactlyElementsOf(IntStream.range(0, 12).boxed().toList());
        m.namesByBlock().values().forEach(v -> assertThat(v).hasSize(2));
        // fan_in_fan_out: the adapted Conv1D weight is [in, out], so B·A is transposed before adding.
        assertRole(m, "base_model.model.transformer.h.10.attn.c_attn.lora_B.weight", 10, Role.ATTN_QKV, Kind.LORA_B, true);
        assertRole(m, "base_model.model.transformer.h.2.attn.c_attn.lora_A.weight", 2, Role.ATTN_QKV, Kind.LORA_A, true);
    }

    static Stream<String> ktoCheckpoints() {
        return Stream.of("checkpoint-500", "checkpoint-1000");
    }

    @Test
    void phiBaseModelWithoutModelPrefix() throws IOException {
        LayerMap m = map("phi-tiny-random");
        assertThat(m.architectureName()).isEqualTo("phi");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(2);
        assertThat(m.configBlockCount()).isEqualTo(2);
        assertRole(m, "layers.0.self_attn.q_proj.weight", 0, Role.ATTN_Q, Kind.WEIGHT, false);
        assertRole(m, "layers.0.self_attn.dense.weight", 0, Role.ATTN_O, Kind.WEIGHT, false);
        assertRole(m, "layers.1.mlp.fc1.weight", 1, Role.MLP_UP, Kind.WEIGHT, false);
        assertRole(m, "layers.1.mlp.fc2.bias", 1, Role.MLP_DOWN, Kind.BIAS, false);
        assertRole(m, "layers.1.input_layernorm.weight", 1, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, "embed_tokens.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "final_layernorm.weight", -1, Role.NORM, Kind.WEIGHT, false);
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void phiIsRecognisedFromNamesAlone() throws IOException {
        LayerMap m = new LayerMap(FixtureNames.names(SharedFixtures.real("phi-tiny-random")), null);
        assertThat(m.architectureName()).isEqualTo("phi");
        assertThat(m.detectedFromConfig()).isFalse();
    }

    @Test
    void bartCausalLmDecoderStartsAtZero() throws IOException {
        LayerMap m = map("bart-causallm-tiny-random");
        assertThat(m.architectureName()).isEqualTo("bart");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.blockCount()).isEqualTo(2);
        // is_encoder_decoder is false: encoder_layers (2) does not count.
        assertThat(m.configBlockCount()).isEqualTo(2);
        String l = "model.decoder.layers.1.";
        assertRole(m, l + "self_attn.q_proj.weight", 1, Role.ATTN_Q, Kind.WEIGHT, false);
        assertRole(m, l + "self_attn.out_proj.weight", 1, Role.ATTN_O, Kind.WEIGHT, false);
        assertRole(m, l + "encoder_attn.k_proj.weight", 1, Role.ATTN_K, Kind.WEIGHT, false);
        assertThat(m.roleOf(l + "encoder_attn.k_proj.weight").isCrossAttention()).isTrue();
        assertThat(m.roleOf(l + "self_attn.k_proj.weight").part()).isEqualTo("self_attn");
        assertRole(m, l + "fc1.weight", 1, Role.MLP_UP, Kind.WEIGHT, false);
        assertRole(m, l + "fc2.weight", 1, Role.MLP_DOWN, Kind.WEIGHT, false);
        assertRole(m, l + "final_layer_norm.weight", 1, Role.NORM, Kind.WEIGHT, false);
        assertRole(m, l + "encoder_attn_layer_norm.bias", 1, Role.NORM, Kind.BIAS, false);
        assertRole(m, "model.decoder.embed_tokens.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "model.decoder.embed_positions.weight", -1, Role.EMBED, Kind.WEIGHT, false);
        assertRole(m, "model.decoder.layernorm_embedding.weight", -1, Role.NORM, Kind.WEIGHT, false);
        m.namesByBlock().values().forEach(v -> assertThat(v).hasSize(26));
        assertThat(namesWithRole(m, Role.OTHER)).isEmpty();
    }

    @Test
    void shardedDtypeTensorsAreNotAModel() throws IOException {
        LayerMap m = map("sharded-dtypes-hfhub");
        assertThat(m.roles()).hasSize(36).containsKey("float16_357");
        assertThat(m.architectureName()).isEqualTo("generic");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.blockCount()).isZero();
        assertThat(m.configBlockCount()).isNull();
        assertThat(m.namesByBlock()).isEmpty();
        assertThat(m.roles().values()).allSatisfy(r -> {
            assertThat(r.role()).isEqualTo(Role.OTHER);
            assertThat(r.block()).isEqualTo(TensorRole.NO_BLOCK);
        });
    }

    /** Invariants that hold for every fixture directory holding safetensors files. */
    @ParameterizedTest
    @MethodSource("everyRealFixture")
    void everyFixtureMapsEveryName(Path dir) throws IOException {
        List<String> names = FixtureNames.names(dir);
        LayerMap m = FixtureNames.layerMap(dir);
        assertThat(names).isNotEmpty();
        assertThat(m.roles().keySet()).containsExactlyElementsOf(names);
        for (String n : names) {
            TensorRole r = m.roleOf(n);
            assertThat(r.block()).isGreaterThanOrEqualTo(TensorRole.NO_BLOCK);
            assertThat(r.architecture()).isIn(m.architectureName(), "generic");
            if (r.inBlock()) {
                assertThat(m.namesByBlock().get(r.block())).contains(n);
            }
        }
        int inBlocks = m.namesByBlock().values().stream().mapToInt(List::size).sum();
        assertThat(inBlocks).isEqualTo((int) m.roles().values().stream().filter(TensorRole::inBlock).count());
        int max = m.namesByBlock().keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        assertThat(m.blockCount()).isEqualTo(max + 1);
        if (Files.exists(dir.resolve("config.json"))) {
            assertThat(m.detectedFromConfig()).isTrue();
            assertThat(m.configBlockCount()).isGreaterThanOrEqualTo(m.blockCount());
        }
    }

    static Stream<Path> everyRealFixture() throws IOException {
        SharedFixtures.assumePresent();
        Path real = SharedFixtures.root().resolve("fixtures/real");
        try (Stream<Path> s = Files.walk(real)) {
            List<Path> dirs = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .map(Path::getParent).distinct().sorted().collect(Collectors.toList());
            return dirs.stream();
        }
    }
}
