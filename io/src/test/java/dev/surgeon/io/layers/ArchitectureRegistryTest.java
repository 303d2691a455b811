package dev.surgeon.io.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The templates load, claim the configs they should, and reject malformed data. */
class ArchitectureRegistryTest {

    private final ArchitectureRegistry registry = ArchitectureRegistry.get();

    @Test
    void loadsEveryTemplateOnceInIndexOrder() {
        assertThat(registry.all()).extracting(Architecture::name)
                .containsExactly("llama", "phi3", "phi", "gpt2", "bert", "vit", "bart");
        assertThat(ArchitectureRegistry.get()).isSameAs(registry);
        assertThat(registry.fallbackName()).isEqualTo("generic");
    }

    @Test
    void configArchitecturesAndModelTypes() {
        Map<String, String> archs = Map.ofEntries(Map.entry("LlamaForCausalLM", "llama"),
                Map.entry("MistralForCausalLM", "llama"), Map.entry("Qwen2ForCausalLM", "llama"),
                Map.entry("GPT2LMHeadModel", "gpt2"), Map.entry("GPT2Model", "gpt2"), Map.entry("BertModel", "bert"),
                Map.entry("BertForSequenceClassification", "bert"), Map.entry("BartForCausalLM", "bart"),
                Map.entry("PhiModel", "phi"), Map.entry("PhiForCausalLM", "phi"), Map.entry("ViTModel", "vit"),
                Map.entry("Phi3ForCausalLM", "phi3"));
        archs.forEach((a, name) -> assertThat(registry.byArchitecture(a)).as(a).hasValueSatisfying(
                t -> assertThat(t.name()).isEqualTo(name)));
        Map<String, String> types = Map.of("llama", "llama", "mistral", "llama", "qwen2", "llama", "gpt2", "gpt2",
                "bert", "bert", "bart", "bart", "phi", "phi", "phi3", "phi3", "vit", "vit");
        types.forEach((t, name) -> assertThat(registry.byModelType(t)).as(t).hasValueSatisfying(
                a -> assertThat(a.name()).isEqualTo(name)));
        assertThat(registry.byArchitecture("NoSuchModel")).isEmpty();
        assertThat(registry.byModelType("t5")).isEmpty();
        assertThat(registry.byName("bart")).isPresent();
    }

    @Test
    void everyTemplateHasBlocksAndClaims() {
        for (Architecture a : registry.all()) {
            assertThat(a.modelTypes()).as(a.name()).isNotEmpty();
            assertThat(a.architectures()).as(a.name()).isNotEmpty();
            assertThat(a.stacks()).as(a.name()).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.countKeys()).isNotEmpty());
        }
    }

    @Test
    void rolesRoundTripThroughTheirJsonNames() {
        for (Role r : Role.values()) {
            assertThat(Role.fromJson(r.jsonName())).isEqualTo(r);
            assertThat(r.jsonName()).isLowerCase();
        }
        assertThat(Role.ATTN_QKV.jsonName()).isEqualTo("attn_qkv");
        assertThatThrownBy(() -> Role.fromJson("attention")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedTemplatesFailWithTheirFileName() {
        String unanchored = "{\"name\":\"x\",\"block_pattern\":\"layers\\\\.(\\\\d+)\\\\.\",\"block_count_keys\":[],"
                + "\"rules\":[],\"outside_prefix\":\"^\",\"outside_rules\":[]}";
        assertThatThrownBy(() -> TemplateReader.read(JsonParser.parseString(unanchored).getAsJsonObject(), "x.json"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("x.json").hasMessageContaining("anchored");
        String badRole = "{\"name\":\"y\",\"block_pattern\":\"^h\\\\.(\\\\d+)\\\\.\",\"block_count_keys\":[],"
                + "\"rules\":[{\"regex\":\"a\",\"role\":\"attention\"}],\"outside_prefix\":\"^\",\"outside_rules\":[]}";
        assertThatThrownBy(() -> TemplateReader.read(JsonParser.parseString(badRole).getAsJsonObject(), "y.json"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("y.json").hasMessageContaining("attention");
    }
}
