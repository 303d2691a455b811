package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Families and corner cases without a real fixture, from hand-written Hugging Face names. */
class LayerMapSyntheticTest {

    private static JsonObject config(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    private static List<String> llamaNames(int blocks, boolean bias) {
        List<String> names = new ArrayList<>(List.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"));
        for (int b = 0; b < blocks; b++) {
            for (String m : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm", "post_attention_layernorm")) {
                names.add("model.layers." + b + "." + m + ".weight");
                if (bias && m.matches("self_attn\\.[qkv]_proj")) {
                    names.add("model.layers." + b + "." + m + ".bias");
                }
            }
        }
        return names;
    }

    @Test
    void qwen2ByModelTypeWithQkvBias() {
        LayerMap m = new LayerMap(llamaNames(3, true), config("{\"model_type\":\"qwen2\",\"num_hidden_layers\":3}"));
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isTrue();
        assertThat(m.roleOf("model.layers.2.self_attn.k_proj.bias"))
                .isEqualTo(new TensorRole(2, Role.ATTN_K, Kind.BIAS, false, "", "llama"));
        assertThat(m.blockCount()).isEqualTo(3);
    }

    @Test
    void mistralByArchitectures() {
        LayerMap m = new LayerMap(llamaNames(2, false),
                config("{\"architectures\":[\"MistralForCausalLM\"],\"model_type\":\"mistral\",\"num_hidden_layers\":32}"));
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.configBlockCount()).isEqualTo(32);
        assertThat(m.blockCount()).isEqualTo(2);
    }

    @Test
    void unknownConfigFallsBackToNames() {
        LayerMap m = new LayerMap(llamaNames(2, false),
                config("{\"architectures\":[\"FooForCausalLM\"],\"model_type\":\"foo\",\"num_hidden_layers\":7}"));
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.configBlockCount()).isEqualTo(7);
    }

    @Test
    void configThatExplainsNoNameIsOverruledByTheNames() {
        LayerMap m = new LayerMap(llamaNames(2, false), config("{\"model_type\":\"gpt2\",\"n_layer\":2}"));
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.detectedFromConfig()).isFalse();
    }

    @Test
    void phi3FusedProjections() {
        List<String> names = List.of("model.embed_tokens.weight", "model.layers.0.self_attn.qkv_proj.weight",
                "model.layers.0.self_attn.o_proj.weight", "model.layers.0.mlp.gate_up_proj.weight",
                "model.layers.0.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight", "model.norm.weight",
                "lm_head.weight");
        for (JsonObject cfg : new JsonObject[] {config("{\"architectures\":[\"Phi3ForCausalLM\"]}"), null}) {
            LayerMap m = new LayerMap(names, cfg);
            assertThat(m.architectureName()).isEqualTo("phi3");
            assertThat(m.roleOf("model.layers.0.self_attn.qkv_proj.weight").role()).isEqualTo(Role.ATTN_QKV);
            assertThat(m.roleOf("model.layers.0.mlp.gate_up_proj.weight").role()).isEqualTo(Role.MLP_GATE_UP);
        }
    }

    @Test
    void phiForCausalLmWithModelPrefix() {
        List<String> names = List.of("model.embed_tokens.weight", "model.layers.0.self_attn.dense.weight",
                "model.layers.0.mlp.fc1.weight", "model.final_layernorm.weight", "lm_head.weight", "lm_head.bias");
        LayerMap m = new LayerMap(names, config("{\"architectures\":[\"PhiForCausalLM\"],\"num_hidden_layers\":1}"));
        assertThat(m.architectureName()).isEqualTo("phi");
        assertThat(m.roleOf("model.layers.0.self_attn.dense.weight").role()).isEqualTo(Role.ATTN_O);
        assertThat(m.roleOf("model.final_layernorm.weight").role()).isEqualTo(Role.NORM);
        assertThat(m.roleOf("lm_head.bias")).isEqualTo(new TensorRole(-1, Role.HEAD, Kind.BIAS, false, "", "phi"));
    }

    @Test
    void bartEncoderBlocksComeFirstThenDecoderBlocks() {
        List<String> names = new ArrayList<>(List.of("model.shared.weight", "model.encoder.embed_tokens.weight",
                "model.encoder.layernorm_embedding.weight", "final_logits_bias"));
        for (int b = 0; b < 3; b++) {
            names.add("model.decoder.layers." + b + ".encoder_attn.q_proj.weight");
        }
        for (int b = 0; b < 2; b++) {
            names.add("model.encoder.layers." + b + ".self_attn.q_proj.weight");
            names.add("model.encoder.layers." + b + ".fc1.weight");
        }
        LayerMap m = new LayerMap(names, config(
                "{\"architectures\":[\"BartForConditionalGeneration\"],\"encoder_layers\":2,\"decoder_layers\":3}"));
        assertThat(m.architectureName()).isEqualTo("bart");
        assertThat(m.roleOf("model.encoder.layers.1.fc1.weight").block()).isEqualTo(1);
        TensorRole cross = m.roleOf("model.decoder.layers.0.encoder_attn.q_proj.weight");
        assertThat(cross).isEqualTo(new TensorRole(2, Role.ATTN_Q, Kind.WEIGHT, false, "cross_attn", "bart"));
        assertThat(m.roleOf("model.decoder.layers.2.encoder_attn.q_proj.weight").block()).isEqualTo(4);
        assertThat(m.blockCount()).isEqualTo(5);
        assertThat(m.configBlockCount()).isEqualTo(5);
        assertThat(m.roleOf("model.shared.weight").role()).isEqualTo(Role.EMBED);
        assertThat(m.roleOf("model.encoder.layernorm_embedding.weight").role()).isEqualTo(Role.NORM);
        assertThat(m.roleOf("final_logits_bias")).isEqualTo(new TensorRole(-1, Role.HEAD, Kind.OTHER, false, "", "bart"));
    }

    @Test
    void vitIsTellApartFromBertByItsNames() {
        List<String> names = List.of("vit.embeddings.cls_token", "vit.embeddings.position_embeddings",
                "vit.embeddings.patch_embeddings.projection.weight", "vit.encoder.layer.0.attention.attention.query.weight",
                "vit.encoder.layer.0.attention.output.dense.weight", "vit.encoder.layer.0.intermediate.dense.weight",
                "vit.encoder.layer.0.output.dense.weight", "vit.encoder.layer.0.layernorm_before.weight",
                "vit.layernorm.weight", "classifier.weight");
        LayerMap m = new LayerMap(names, null);
        assertThat(m.architectureName()).isEqualTo("vit");
        assertThat(m.roleOf("vit.embeddings.cls_token")).isEqualTo(new TensorRole(-1, Role.EMBED, Kind.OTHER, false, "", "vit"));
        assertThat(m.roleOf("vit.encoder.layer.0.attention.attention.query.weight").role()).isEqualTo(Role.ATTN_Q);
        assertThat(m.roleOf("vit.encoder.layer.0.output.dense.weight").role()).isEqualTo(Role.MLP_DOWN);
        assertThat(m.roleOf("vit.encoder.layer.0.layernorm_before.weight").role()).isEqualTo(Role.NORM);
        assertThat(m.roleOf("vit.layernorm.weight").role()).isEqualTo(Role.NORM);
        assertThat(m.roleOf("classifier.weight").role()).isEqualTo(Role.HEAD);
    }

    @Test
    void bertMaskedLmHead() {
        LayerMap m = new LayerMap(List.of("bert.encoder.layer.0.attention.self.query.weight",
                "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.dense.weight", "cls.predictions.bias"),
                config("{\"architectures\":[\"BertForMaskedLM\"]}"));
        assertThat(m.roleOf("cls.predictions.transform.LayerNorm.weight").role()).isEqualTo(Role.NORM);
        assertThat(m.roleOf("cls.predictions.transform.dense.weight").role()).isEqualTo(Role.HEAD);
        assertThat(m.roleOf("cls.predictions.bias").role()).isEqualTo(Role.HEAD);
    }

    @Test
    void unmatchedNamesInsideABlockStayInTheBlockAsOther() {
        LayerMap m = new LayerMap(llamaNames(1, false), null);
        assertThat(m.roleOf("model.layers.0.self_attn.rotary_emb.inv_freq"))
                .isEqualTo(new TensorRole(0, Role.OTHER, Kind.OTHER, false, "", "llama"));
        // GPT-2's causal-mask buffer is a 'bias' leaf of no rule: other, not attention.
        LayerMap g = new LayerMap(List.of("h.0.attn.c_attn.weight", "h.0.attn.bias", "h.0.attn.masked_bias"), null);
        assertThat(g.roleOf("h.0.attn.bias").role()).isEqualTo(Role.OTHER);
        assertThat(g.roleOf("h.0.attn.bias").block()).isZero();
        assertThat(g.roleOf("h.0.attn.masked_bias").role()).isEqualTo(Role.OTHER);
    }

    @Test
    void quantizationAndMoeTensorsKeepTheirModuleRole() {
        LayerMap m = new LayerMap(llamaNames(1, false), config("{\"model_type\":\"mixtral\"}"));
        assertThat(m.roleOf("model.layers.0.self_attn.q_proj.scales"))
                .isEqualTo(new TensorRole(0, Role.ATTN_Q, Kind.OTHER, false, "", "llama"));
        assertThat(m.roleOf("model.layers.0.block_sparse_moe.experts.7.w1.weight").role()).isEqualTo(Role.MLP_GATE);
        assertThat(m.roleOf("model.layers.0.block_sparse_moe.experts.7.w2.weight").role()).isEqualTo(Role.MLP_DOWN);
        assertThat(m.roleOf("model.layers.0.mlp.experts.3.up_proj.weight").role()).isEqualTo(Role.MLP_UP);
        assertThat(m.roleOf("model.layers.0.block_sparse_moe.gate.weight").role()).isEqualTo(Role.OTHER);
    }

    @Test
    void loraEmbeddingAndGpt2LoraBias() {
        LayerMap m = new LayerMap(llamaNames(1, false), null);
        TensorRole e = m.roleOf("base_model.model.model.embed_tokens.lora_embedding_A");
        assertThat(e).isEqualTo(new TensorRole(-1, Role.EMBED, Kind.LORA_A, false, "", "llama"));
        LayerMap g = new LayerMap(List.of("transformer.h.0.attn.c_attn.weight"), null);
        assertThat(g.roleOf("transformer.h.0.attn.c_attn.bias").transposed()).isFalse();
        assertThat(g.roleOf("transformer.h.0.attn.c_attn.weight").transposed()).isTrue();
    }

    @Test
    void unknownModelsUseTheGenericBlockRegex() {
        List<String> names = List.of("backbone.embeddings.weight", "backbone.layers.3.mixer.in_proj.weight",
                "blocks.0.attn.weight", "encoder.block.11.x.weight", "layersX.1.foo.weight", "notlayers.2.foo.weight");
        LayerMap m = new LayerMap(names, config("{\"model_type\":\"mamba\",\"n_layer\":4}"));
        assertThat(m.architectureName()).isEqualTo("generic");
        assertThat(m.detectedFromConfig()).isFalse();
        assertThat(m.configBlockCount()).isEqualTo(4);
        assertThat(m.roleOf("backbone.layers.3.mixer.in_proj.weight"))
                .isEqualTo(new TensorRole(3, Role.OTHER, Kind.WEIGHT, false, "", "generic"));
        assertThat(m.roleOf("blocks.0.attn.weight").block()).isZero();
        assertThat(m.roleOf("encoder.block.11.x.weight").block()).isEqualTo(11);
        assertThat(m.roleOf("layersX.1.foo.weight").block()).isEqualTo(-1);
        assertThat(m.roleOf("notlayers.2.foo.weight").block()).isEqualTo(-1);
        assertThat(m.roleOf("backbone.embeddings.weight").block()).isEqualTo(-1);
        assertThat(m.namesByBlock()).containsOnlyKeys(0, 3, 11);
        assertThat(m.blockCount()).isEqualTo(12);
    }

    @Test
    void absurdBlockIndicesAreNotBlocks() {
        LayerMap m = new LayerMap(List.of("model.layers.99999999999999999999.self_attn.q_proj.weight",
                "x.layers.2000000.y.weight"), null);
        assertThat(m.blockCount()).isZero();
        assertThat(m.roles().values()).allSatisfy(r -> assertThat(r.block()).isEqualTo(-1));
    }

    @Test
    void emptyAndDuplicateInputs() {
        LayerMap empty = new LayerMap(List.of(), null);
        assertThat(empty.architectureName()).isEqualTo("generic");
        assertThat(empty.blockCount()).isZero();
        assertThat(empty.configBlockCount()).isNull();
        LayerMap configOnly = new LayerMap(List.of(), config("{\"model_type\":\"llama\",\"num_hidden_layers\":4}"));
        assertThat(configOnly.architectureName()).isEqualTo("llama");
        assertThat(configOnly.detectedFromConfig()).isTrue();
        assertThat(configOnly.configBlockCount()).isEqualTo(4);
        String q = "model.layers.0.self_attn.q_proj.weight";
        LayerMap dup = new LayerMap(List.of(q, q), null);
        assertThat(dup.namesByBlock().get(0)).containsExactly(q);
    }

    @Test
    void oddConfigValuesAreIgnored() {
        JsonObject cfg = config("{\"architectures\":null,\"model_type\":3,\"num_hidden_layers\":\"x\"}");
        LayerMap m = new LayerMap(llamaNames(1, false), cfg);
        assertThat(m.architectureName()).isEqualTo("llama");
        assertThat(m.configBlockCount()).isNull();
    }
}
