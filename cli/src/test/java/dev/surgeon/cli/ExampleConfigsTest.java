package dev.surgeon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every config in examples/configs runs (exit 0) on the example models. The configs name paths
 * relative to the repository root (examples/..., out/...); the test rewrites them to absolute paths
 * into a temporary folder, since the tests run in cli/. prune-comp.yaml is left out (about 15 s of
 * calibration on 2 cores: run it by hand with `./surgeon prune --config examples/configs/prune-comp.yaml`).
 */
class ExampleConfigsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** Config file → the command it is for, in an order where mask apply follows mask compute. */
    private static Map<String, String[]> configs() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("convert.yaml", new String[] {"convert"});
        m.put("synth.yaml", new String[] {"synth"});
        m.put("prune-wanda.yaml", new String[] {"prune"});
        m.put("prune-magnitude.json", new String[] {"prune"});
        m.put("scale.yaml", new String[] {"scale"});
        m.put("average.yaml", new String[] {"average"});
        m.put("merge.yaml", new String[] {"merge"});
        m.put("mask-compute.yaml", new String[] {"mask", "compute"});
        m.put("mask-apply.yaml", new String[] {"mask", "apply"});
        m.put("calibrate.yaml", new String[] {"calibrate"});
        return m;
    }

    private Path localized(String name) throws IOException {
        String text = Files.readString(ROOT.resolve("examples/configs").resolve(name));
        text = text.replace("examples/", ROOT.resolve("examples") + "/").replace("out/", tmp.resolve("out") + "/");
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void everyExampleConfigRunsOnTheExampleModels() throws Exception {
        try (var files = Files.list(ROOT.resolve("examples/configs"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("prune-comp.yaml")))
                    .containsExactlyInAnyOrderElementsOf(configs().keySet());
        }
        Files.createDirectories(tmp.resolve("out"));
        for (Map.Entry<String, String[]> e : configs().entrySet()) {
            Path cfg = localized(e.getKey());
            String[] cmd = e.getValue();
            String[] args = new String[cmd.length + 3];
            System.arraycopy(cmd, 0, args, 0, cmd.length);
            args[cmd.length] = "--config";
            args[cmd.length + 1] = cfg.toString();
            args[cmd.length + 2] = "-q";
            CommandRun r = CommandRun.of(args);
            assertThat(r.code()).as(e.getKey() + "\n" + r).isZero();
        }
        assertThat(tmp.resolve("out/tiny-llama-masked/model.safetensors")).exists();
        assertThat(tmp.resolve("out/tiny-llama.stats.safetensors")).exists();
        assertThat(ROOT.resolve("examples/tiny-llama-code/model.safetensors")).exists();
    }
}
