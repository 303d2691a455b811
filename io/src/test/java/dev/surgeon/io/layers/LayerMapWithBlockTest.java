package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LayerMap#withBlock}: renumbering a block replaces only its index, as the template places it. */
class LayerMapWithBlockTest {

    @Test
    void llamaNamesIncludingLoraAndExpertIndices() {
        LayerMap m = new LayerMap(List.of("model.layers.7.mlp.up_proj.weight", "model.layers.12.self_attn.q_proj.bias",
                "base_model.model.model.layers.7.mlp.down_proj.lora_A.weight",
                "model.layers.7.mlp.experts.7.gate_proj.weight"), null);
        assertThat(m.withBlock("model.layers.7.mlp.up_proj.weight", 6)).isEqualTo("model.layers.6.mlp.up_proj.weight");
        assertThat(m.withBlock("model.layers.12.self_attn.q_proj.bias", 3)).isEqualTo("model.layers.3.self_attn.q_proj.bias");
        assertThat(m.withBlock("base_model.model.model.layers.7.mlp.down_proj.lora_A.weight", 10))
                .isEqualTo("base_model.model.model.layers.10.mlp.down_proj.lora_A.weight");
        assertThat(m.withBlock("model.layers.7.mlp.experts.7.gate_proj.weight", 2))
                .isEqualTo("model.layers.2.mlp.experts.7.gate_proj.weight");
        assertThat(m.roleOf(m.withBlock("model.layers.7.mlp.up_proj.weight", 6)).block()).isEqualTo(6);
        assertThatThrownBy(() -> m.withBlock("model.embed_tokens.weight", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.withBlock("model.layers.7.mlp.up_proj.weight", -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encoderDecoderBlocksStayInTheirStack() {
        LayerMap m = new LayerMap(List.of("model.encoder.layers.0.fc1.weight", "model.encoder.layers.1.fc1.weight",
                "model.decoder.layers.0.fc1.weight", "model.decoder.layers.1.fc1.weight"),
                JsonParser.parseString("{\"model_type\":\"bart\"}").getAsJsonObject());
        assertThat(m.roleOf("model.decoder.layers.1.fc1.weight").block()).isEqualTo(3);
        assertThat(m.withBlock("model.decoder.layers.1.fc1.weight", 2)).isEqualTo("model.decoder.layers.0.fc1.weight");
        assertThatThrownBy(() -> m.withBlock("model.decoder.layers.1.fc1.weight", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownArchitecturesUseTheGenericBlockMatch() {
        LayerMap m = new LayerMap(List.of("net.blocks.4.ff.weight", "net.blocks.5.ff.weight"), null);
        assertThat(m.architectureName()).isEqualTo("generic");
        assertThat(m.withBlock("net.blocks.5.ff.weight", 4)).isEqualTo("net.blocks.4.ff.weight");
    }
}
