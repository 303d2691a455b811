package dev.surgeon.ops.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class ModelSummaryTest {
    @TempDir
    Path dir;

    private Path llama(String config) throws Exception {
        StatsFiles.write(dir.resolve("model.safetensors"),
                StatsFiles.tensor("model.embed_tokens.weight", DType.F32, new long[] {10, 4}, new double[40]),
                StatsFiles.tensor("model.layers.0.mlp.up_proj.weight", DType.BF16, new long[] {6, 4}, new double[24]),
                StatsFiles.tensor("model.layers.0.mlp.down_proj.weight", DType.BF16, new long[] {4, 6}, new double[24]),
                StatsFiles.tensor("model.layers.1.input_layernorm.weight", DType.F32, new long[] {4}, new double[4]),
                StatsFiles.tensor("model.norm.weight", DType.F32, new long[] {4}, new double[4]));
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    @Test
    void talliesByDtypeRoleAndBlock() throws Exception {
        llama("{\"model_type\":\"llama\",\"num_hidden_layers\":2,\"hidden_size\":4,\"vocab_size\":10,\"intermediate_size\":6}");
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            ModelSummary s = ModelSummary.of(c);
            assertThat(s.architecture()).isEqualTo("llama");
            assertThat(s.blocks()).isEqualTo(2);
            assertThat(s.configBlocks()).isEqualTo(2);
            assertThat(s.params()).isEqualTo(40 + 24 + 24 + 4 + 4);
            assertThat(s.bytes()).isEqualTo(40 * 4 + 48 + 48 + 16 + 16);
            assertThat(s.dtypes().get(DType.BF16).params()).isEqualTo(48);
            assertThat(s.dtypes().get(DType.BF16).bytes()).isEqualTo(96);
            assertThat(s.roles().get(Role.EMBED).params()).isEqualTo(40);
            assertThat(s.roles().get(Role.NORM).tensors()).isEqualTo(2);
            assertThat(s.blockTallies().get(0).params()).isEqualTo(48);
            assertThat(s.blockTallies().get(1).params()).isEqualTo(4);
            assertThat(s.outsideBlocks().params()).isEqualTo(44);
            assertThat(s.warnings()).isEmpty();
            assertThat(s.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void disagreeingConfigGivesOneWarningPerFact() throws Exception {
        llama("{\"model_type\":\"llama\",\"num_hidden_layers\":30,\"hidden_size\":8,\"vocab_size\":11,\"intermediate_size\":7}");
        try (Checkpoint c = Checkpoint.open(dir.toString())) {
            ModelSummary s = ModelSummary.of(c);
            assertThat(s.warnings()).hasSize(4);
            assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("30 blocks").contains("hold 2"));
            assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("hidden_size is 8").contains("width is 4"));
            assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("vocab_size is 11").contains("10 rows"));
            assertThat(s.warnings()).anySatisfy(w -> assertThat(w).contains("intermediate_size is 7").contains("is 6"));
        }
    }
}
