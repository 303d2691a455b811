package dev.surgeon.cli;

import dev.surgeon.io.safetensors.DType;
import dev.surgeon.ops.calib.ActivationStats;
import dev.surgeon.ops.calib.StatsFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad prune command line: its exit code, a message that names the problem, and no output left behind. */
class PruneErrorsTest {
    @TempDir
    Path tmp;

    private Path model;
    private Path out;

    @BeforeEach
    void setUp() throws IOException {
        model = BlockModels.write(tmp.resolve("m"), PruneModels.llama(2, 4, 6), n -> DType.BF16, 3);
        out = tmp.resolve("out");
    }

    private CommandRun fails(int code, String... args) {
        List<String> a = new ArrayList<>(List.of("prune", model.toString()));
        if (!List.of(args).contains("--method")) {
            a.addAll(List.of("--method", "magnitude")); // these cases are about the unstructured methods
        }
        a.addAll(List.of(args));
        a.addAll(List.of("-o", out.toString()));
        CommandRun run = CommandRun.of(a.toArray(String[]::new));
        assertThat(run.code()).as(run.toString()).isEqualTo(code);
        assertThat(out).as("no output after " + String.join(" ", args)).doesNotExist();
        assertThat(run.err()).as(run.toString()).startsWith("surgeon: ");
        return run;
    }

    @Test
    void usageErrors() {
        fails(ExitCodes.USAGE, "--ratio", "1");
        fails(ExitCodes.USAGE, "--ratio", "-0.1");
        fails(ExitCodes.USAGE, "--ratio", "NaN");
        assertThat(fails(ExitCodes.USAGE).err()).contains("--ratio");
        fails(ExitCodes.USAGE, "--nm", "4:4");
        fails(ExitCodes.USAGE, "--nm", "0:4");
        fails(ExitCodes.USAGE, "--nm", "2-4");
        assertThat(fails(ExitCodes.USAGE, "--nm", "2:4", "--ratio", "0.3").err()).contains("disagrees");
        fails(ExitCodes.USAGE, "--nm", "2:4", "--group", "row");
        assertThat(fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "sparsegpt").err())
                .contains("comp, magnitude, wanda, ecoflap");
        assertThat(fails(ExitCodes.USAGE, "--ratio", "0.5", "--uniform").err()).contains("apply to --method comp");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--group", "column");
        assertThat(fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "wanda").err())
                .contains("--data").contains("--calib self").contains("--stats");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "ecoflap");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "wanda", "--group", "global", "--calib", "self");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "ecoflap", "--nm", "2:4", "--calib", "self");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--data", "x.bin");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "wanda", "--calib", "model");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "wanda", "--calib", "self", "--data", "x.bin");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--method", "wanda", "--calib", "self", "--sparsity-file", "s.yaml");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--include", "(");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--threads", "0");
        fails(ExitCodes.USAGE, "--ratio", "0.5", "--dtype", "i8");
    }

    @Test
    void invalidInput() {
        // down_proj has 6 input features: not a multiple of 4
        assertThat(fails(ExitCodes.INVALID_INPUT, "--nm", "2:4").err()).contains("model.layers.0.mlp.down_proj.weight")
                .contains("6 input features");
        assertThat(fails(ExitCodes.INVALID_INPUT, "--ratio", "0.5", "--include", "input_layernorm").err())
                .contains("input_layernorm");
        assertThat(fails(ExitCodes.INVALID_INPUT, "--ratio", "0.5", "--exclude", ".").err()).contains("no prunable tensors");
    }

    @Test
    void statsThatDoNotMatchTheModelAreInvalidInput() {
        Map<String, ActivationStats.Linear> linears = new TreeMap<>();
        for (String name : PruneModels.llama(2, 4, 6).keySet()) {
            if (name.contains("_proj.weight")) {
                String linear = name.substring(0, name.length() - ".weight".length());
                int in = name.contains("down_proj") ? 6 : 4;
                linears.put(linear, new ActivationStats.Linear(new double[in], 16, null));
            }
        }
        Map<String, ActivationStats.Linear> wide = new TreeMap<>(linears);
        wide.put("model.layers.1.self_attn.k_proj", new ActivationStats.Linear(new double[5], 16, null));
        Path wrongWidth = tmp.resolve("wide.stats.safetensors");
        StatsFormat.write(wrongWidth, false, new ActivationStats(wide, new double[2], Map.of()));
        assertThat(fails(ExitCodes.INVALID_INPUT, "--ratio", "0.5", "--method", "wanda", "--stats", wrongWidth.toString()).err())
                .contains("model.layers.1.self_attn.k_proj");

        Map<String, ActivationStats.Linear> missing = new TreeMap<>(linears);
        missing.remove("model.layers.0.mlp.up_proj");
        Path lacking = tmp.resolve("lacking.stats.safetensors");
        StatsFormat.write(lacking, false, new ActivationStats(missing, new double[2], Map.of()));
        assertThat(fails(ExitCodes.INVALID_INPUT, "--ratio", "0.5", "--method", "wanda", "--stats", lacking.toString()).err())
                .contains("model.layers.0.mlp.up_proj");

        Path good = tmp.resolve("good.stats.safetensors");
        StatsFormat.write(good, false, new ActivationStats(linears, new double[2], Map.of()));
        CommandRun ok = CommandRun.of("prune", model.toString(), "--ratio", "0.5", "--method", "wanda", "--stats", good.toString(),
                "-o", out.toString(), "--json");
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.json().getAsJsonObject("summary").get("sparsity").getAsDouble()).isEqualTo(0.5);
    }

    @Test
    void missingModelAndOutputThatIsTheInput() throws IOException {
        CommandRun run = CommandRun.of("prune", tmp.resolve("nope").toString(), "--method", "magnitude", "--ratio", "0.5",
                "-o", out.toString());
        assertThat(run.code()).isIn(ExitCodes.INVALID_INPUT, ExitCodes.IO_FAILURE);
        assertThat(out).doesNotExist();
        byte[] before = Files.readAllBytes(model.resolve("model.safetensors"));
        CommandRun same = CommandRun.of("prune", model.toString(), "--method", "magnitude", "--ratio", "0.5", "-o",
                model.toString(), "--force");
        assertThat(same.code()).as(same.toString()).isNotZero();
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(before);
    }
}
