package dev.surgeon.cli;

import dev.surgeon.cli.config.ConfigDefaults;
import dev.surgeon.cli.config.ConfigFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** --config FILE: the same runs as the flags (byte for byte), flags win, and every wrong file is exit 2 (or 4). */
class ConfigFileTest {
    @TempDir
    Path tmp;

    private Path base;

    @BeforeEach
    void models() {
        base = synth("base", 1);
    }

    /** A small seeded LLaMA (F32, 2 blocks); seeds give different weights of the same shapes. */
    private Path synth(String name, int seed) {
        Path dir = tmp.resolve(name);
        assertThat(Main.run("synth", "-q", "--layers", "2", "--hidden", "32", "--intermediate", "24", "--heads", "4",
                "--kv-heads", "2", "--vocab", "64", "--max-positions", "64", "--dtype", "f32", "--seed",
                Integer.toString(seed), "-o", dir.toString())).isZero();
        return dir;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    private static byte[] bytes(Path p) throws IOException {
        return Files.readAllBytes(p);
    }

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    @Test
    void pruneFromYamlEqualsTheSameFlags() throws Exception {
        Path cfg = write("prune.yaml", "method: magnitude\nratio: 0.3\ngroup: row\n# a comment\n");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertThat(run("prune", base.toString(), "--config", cfg.toString(), "-o", a.toString(), "-q").code()).isZero();
        assertThat(run("prune", base.toString(), "--method", "magnitude", "--ratio", "0.3", "--group", "row",
                "-o", b.toString(), "-q").code()).isZero();
        assertThat(bytes(a.resolve("model.safetensors"))).isEqualTo(bytes(b.resolve("model.safetensors")));
    }

    @Test
    void pruneFromJsonWithModelAndOutputInTheFile() throws Exception {
        Path a = tmp.resolve("a");
        Path cfg = write("prune.json", "{\"model\": \"" + base + "\", \"method\": \"wanda\", \"ratio\": 0.5, \"calib\": \"self\","
                + " \"samples\": 2, \"seq-len\": 8, \"output\": \"" + a + "\", \"quiet\": true}");
        Path b = tmp.resolve("b");
        CommandRun r = run("prune", "--config", cfg.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as("quiet: true from the file").isEmpty();
        assertThat(run("prune", base.toString(), "--method", "wanda", "--ratio", "0.5", "--calib", "self", "--samples", "2",
                "--seq-len", "8", "-o", b.toString(), "-q").code()).isZero();
        assertThat(bytes(a.resolve("model.safetensors"))).isEqualTo(bytes(b.resolve("model.safetensors")));
    }

    @Test
    void mergeWithTheFineTunesAsAListEqualsTheSameFlags() throws Exception {
        Path ft1 = synth("ft1", 2);
        Path ft2 = synth("ft2", 3);
        Path yaml = write("merge.yaml", "base: " + base + "\nft:\n  - " + ft1 + "\n  - " + ft2
                + "\nmethod: ties\ndensity: 0.4\nlines: true\nbeta: 0.25\n");
        Path json = write("merge.json", "{\"base\": \"" + base + "\", \"ft\": [\"" + ft1 + "\", \"" + ft2 + "\"], "
                + "\"method\": \"ties\", \"density\": 0.4, \"lines\": true, \"beta\": 0.25}");
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        Path c = tmp.resolve("c.safetensors");
        CommandRun r = run("merge", "--config", yaml.toString(), "-o", a.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(run("merge", "--config", json.toString(), "-o", b.toString(), "-q").code()).isZero();
        assertThat(run("merge", base.toString(), ft1.toString(), ft2.toString(), "--method", "ties", "--density", "0.4",
                "--lines", "--beta", "0.25", "-o", c.toString(), "-q").code()).isZero();
        assertThat(bytes(a)).isEqualTo(bytes(c));
        assertThat(bytes(b)).isEqualTo(bytes(c));
    }

    @Test
    void positionalsOnTheCommandLineReplaceTheFileList() throws Exception {
        Path ft1 = synth("ft1", 2);
        Path cfg = write("merge.yaml", "base: " + base + "\nft: [" + tmp.resolve("missing-a") + ", " + tmp.resolve("missing-b")
                + "]\nmethod: task-arithmetic\nlambda: 0.5\n");
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        CommandRun r = run("merge", base.toString(), ft1.toString(), "--config", cfg.toString(), "-o", a.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(run("merge", base.toString(), ft1.toString(), "--method", "task-arithmetic", "--lambda", "0.5",
                "-o", b.toString(), "-q").code()).isZero();
        assertThat(bytes(a)).isEqualTo(bytes(b));
    }

    @Test
    void convertFromYamlAndJsonEqualsTheSameFlagsShardForShard() throws Exception {
        Path yaml = write("convert.yml", "dtype: bf16\nmax-shard-size: 8K\n");
        Path json = write("convert.json", "{\"dtype\": \"bf16\", \"max-shard-size\": \"8K\"}");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        assertThat(run("convert", base.toString(), "--config", yaml.toString(), "-o", a.toString(), "-q").code()).isZero();
        assertThat(run("convert", "--config=" + json, base.toString(), "-o", b.toString(), "-q").code()).isZero();
        assertThat(run("convert", base.toString(), "--dtype", "bf16", "--max-shard-size", "8K", "-o", c.toString(), "-q").code())
                .isZero();
        List<String> files = TestModels.listing(c);
        assertThat(files).contains("model.safetensors.index.json");
        assertThat(TestModels.listing(a)).isEqualTo(files);
        assertThat(TestModels.listing(b)).isEqualTo(files);
        for (String f : files) {
            if (f.endsWith(".safetensors") || f.endsWith(".json")) {
                assertThat(bytes(a.resolve(f))).as(f).isEqualTo(bytes(c.resolve(f)));
                assertThat(bytes(b.resolve(f))).as(f).isEqualTo(bytes(c.resolve(f)));
            }
        }
    }

    @Test
    void aFlagOverridesTheFile() throws Exception {
        Path cfg = write("prune.yaml", "method: magnitude\nratio: 0.7\ngroup: matrix\n");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertThat(run("prune", base.toString(), "--config", cfg.toString(), "--ratio", "0.2", "-o", a.toString(), "-q").code())
                .isZero();
        assertThat(run("prune", base.toString(), "--method", "magnitude", "--ratio", "0.2", "--group", "matrix",
                "-o", b.toString(), "-q").code()).isZero();
        assertThat(bytes(a.resolve("model.safetensors"))).isEqualTo(bytes(b.resolve("model.safetensors")));
    }

    @Test
    void aBooleanFlagInTheFile() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path force = write("force.yaml", "force: true\n");
        Path noForce = write("noforce.yaml", "force: false\n");
        assertThat(run("convert", base.toString(), "--config", noForce.toString(), "-o", out.toString(), "-q").code())
                .as("an existing output without force").isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(run("convert", base.toString(), "--config", force.toString(), "-o", out.toString(), "-q").code()).isZero();
        assertThat(out.resolve("model.safetensors")).exists();
        // the flag on the command line as well as in the file: still on (picocli alone would flip it off)
        assertThat(run("convert", base.toString(), "--config", force.toString(), "--force", "-o", out.toString(), "-q").code())
                .isZero();
        assertThat(run("convert", base.toString(), "--config", noForce.toString(), "--force", "-o", out.toString(), "-q").code())
                .isZero();
    }

    @Test
    void aFlagTheFileTurnsOnIsTurnedOffByItsNegativeForm() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path cfg = write("on.yaml", "force: true\nno-card: true\n");
        assertThat(run("convert", base.toString(), "--config", cfg.toString(), "--no-force", "-o", out.toString(), "-q").code())
                .as("--no-force over the file's force: true").isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(out).isEmptyDirectory();
        assertThat(run("convert", base.toString(), "--config", cfg.toString(), "-o", out.toString(), "-q").code()).isZero();
        assertThat(out.resolve("model.safetensors")).exists();
        assertThat(out.resolve("README.md")).as("no-card: true").doesNotExist();
        assertThat(run("convert", base.toString(), "--config", cfg.toString(), "--card", "-o", out.toString(), "-q").code())
                .isZero();
        assertThat(out.resolve("README.md")).as("--card over the file's no-card: true").exists();
        // without a file the negative form is the default, and the positive one still means on
        assertThat(run("convert", base.toString(), "--no-force", "-o", out.toString(), "-q").code())
                .isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(run("convert", base.toString(), "--force", "--no-card", "-o", out.toString(), "-q").code()).isZero();
        assertThat(out.resolve("README.md")).doesNotExist();
    }

    @Test
    void everyFlagOfEveryCommandHasANegativeFormAndHelpShowsItsOwnName() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        int flags = 0;
        for (CommandLine c : all) {
            var spec = c.getCommandSpec();
            String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (var o : spec.options()) {
                boolean flag = o.arity().max() == 0 && !o.usageHelp() && !o.versionHelp() && o.longestName().startsWith("--");
                if (!flag) {
                    continue;
                }
                String negative = dev.surgeon.cli.config.FlagNegation.negative(spec, o);
                assertThat(spec.negatedOptionsMap()).as(spec.qualifiedName() + " " + o.longestName())
                        .containsEntry(negative, o);
                assertThat(negative).isEqualTo(o.longestName().startsWith("--no-")
                        ? "--" + o.longestName().substring(5) : "--no-" + o.longestName().substring(2));
                assertThat(help).as(spec.qualifiedName()).contains(o.longestName()).doesNotContain("[no-]");
                flags++;
            }
        }
        assertThat(flags).isGreaterThan(40);
    }

    @Test
    void aMultiValueOptionInTheFileAndOnTheCommandLine() throws Exception {
        Path cfg = write("prune.yaml", "method: magnitude\nratio: 0.5\ninclude: [q_proj, k_proj]\nexclude:\n  - layers\\.1\\.\n");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        Path d = tmp.resolve("d");
        assertThat(run("prune", base.toString(), "--config", cfg.toString(), "-o", a.toString(), "-q").code()).isZero();
        assertThat(run("prune", base.toString(), "--method", "magnitude", "--ratio", "0.5", "--include", "q_proj",
                "--include", "k_proj", "--exclude", "layers\\.1\\.", "-o", b.toString(), "-q").code()).isZero();
        assertThat(bytes(a.resolve("model.safetensors"))).isEqualTo(bytes(b.resolve("model.safetensors")));
        // --include on the command line replaces the file's whole list
        assertThat(run("prune", base.toString(), "--config", cfg.toString(), "--include", "v_proj", "-o", c.toString(), "-q")
                .code()).isZero();
        assertThat(run("prune", base.toString(), "--method", "magnitude", "--ratio", "0.5", "--include", "v_proj",
                "--exclude", "layers\\.1\\.", "-o", d.toString(), "-q").code()).isZero();
        assertThat(bytes(c.resolve("model.safetensors"))).isEqualTo(bytes(d.resolve("model.safetensors")));
        assertThat(bytes(c.resolve("model.safetensors"))).isNotEqualTo(bytes(a.resolve("model.safetensors")));
    }

    @Test
    void nestedSubcommandsTakeAConfig() throws Exception {
        Path masks = tmp.resolve("m.safetensors");
        Path cfg = write("mask.yaml", "model: " + base + "\nweights: 0.5\nheads: 0.5\ndata-free: true\noutput: " + masks + "\n");
        CommandRun r = run("mask", "compute", "--config", cfg.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        Path out = tmp.resolve("applied");
        Path apply = write("apply.json", "{\"model\": \"" + base + "\", \"masks\": \"" + masks + "\", \"mode\": \"zero\"}");
        r = run("mask", "apply", "--config", apply.toString(), "-o", out.toString(), "-q");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(out.resolve("model.safetensors")).exists();
    }

    @Test
    void anUnknownKeyIsAUsageErrorNamingKeyFileAndTheClosestOption() throws Exception {
        Path cfg = write("typo.yaml", "ratio: 0.2\nmax-shard-sise: 5G\n");
        CommandRun r = run("prune", base.toString(), "--config", cfg.toString(), "-o", tmp.resolve("x").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("surgeon: usage error: unknown key 'max-shard-sise' in " + cfg)
                .contains("did you mean 'max-shard-size'?");
        assertThat(r.err().lines().count()).isEqualTo(2); // the error and the pointer to --help
        assertThat(tmp.resolve("x")).doesNotExist();
        Path dashes = write("dashes.json", "{\"--ratio\": 0.2}");
        assertThat(run("prune", base.toString(), "--config", dashes.toString()).err()).contains("did you mean 'ratio'?");
        Path nested = write("nested.yaml", "config: other.yaml\n");
        assertThat(run("convert", base.toString(), "--config", nested.toString()).code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void wrongTypesAreUsageErrors() throws Exception {
        String[][] cases = {
                {"list.yaml", "ratio: [0.1, 0.2]\n", "a list where one value goes"},
                {"map.yaml", "ratio:\n  value: 0.2\n", "a map where one value goes"},
                {"flag.yaml", "force: 3\n", "'3' where true or false goes"},
                {"empty.yaml", "ratio:\n", "has no value"},
                {"commas.json", "{\"nm\": [2, 4]}", "a list where one value goes"},
                {"notamap.yaml", "- ratio\n- 0.2\n", "must hold a map"},
                {"broken.json", "{\"ratio\": ", "not valid JSON"},
                {"broken.yaml", "ratio: [0.2\n", "not valid YAML"},
                {"dup.yaml", "ratio: 0.2\nratio: 0.3\n", "not valid YAML"},
                {"bad.toml", "ratio = 0.2\n", "must end in .json, .yaml or .yml"},
        };
        for (String[] c : cases) {
            Path cfg = write(c[0], c[1]);
            CommandRun r = run("prune", base.toString(), "--method", "magnitude", "--config", cfg.toString(),
                    "-o", tmp.resolve("x").toString());
            assertThat(r.code()).as(c[0] + ": " + r).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).as(c[0]).contains(c[2]).contains(c[0]);
        }
        Path text = write("text.yaml", "ratio: lots\n");
        CommandRun r = run("prune", base.toString(), "--config", text.toString(), "-o", tmp.resolve("x").toString());
        assertThat(r.code()).as("picocli's conversion of the file's text").isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--ratio").contains("lots");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aMissingConfigIsAUsageErrorAndAnUnreadableOneAnIoFailure() throws Exception {
        CommandRun r = run("convert", base.toString(), "--config", tmp.resolve("nope.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("nope.yaml: no such file");
        Files.createDirectories(tmp.resolve("dir.yaml"));
        assertThat(run("convert", base.toString(), "--config", tmp.resolve("dir.yaml").toString()).code()).isEqualTo(ExitCodes.USAGE);
        Path locked = write("locked.yaml", "dtype: bf16\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(locked), "running as root: a mode-000 file is still readable, skipping the exit-4 case");
        r = run("convert", base.toString(), "--config", locked.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.IO_FAILURE);
        assertThat(r.err()).contains("cannot read");
    }

    @Test
    void yamlScalarsStayTheTextWritten() throws Exception {
        Path cfg = write("t.yaml", "nm: 2:4\nseed: 010\nratio: 1e-1\nforce: yes\nbeta: .50\ninclude: [on, 1_0]\n");
        Map<String, Object> v = ConfigFile.read(cfg).values();
        assertThat(v.get("nm")).isEqualTo("2:4");
        assertThat(v.get("seed")).isEqualTo("010");
        assertThat(v.get("ratio")).isEqualTo("1e-1");
        assertThat(v.get("force")).isEqualTo("yes");
        assertThat(v.get("beta")).isEqualTo(".50");
        assertThat(v.get("include")).isEqualTo(List.of("on", "1_0"));
        Path json = write("t.json", "{\"ratio\": 0.20, \"force\": true, \"ft\": [\"a\", \"b\"]}");
        Map<String, Object> j = ConfigFile.read(json).values();
        assertThat(j.get("ratio")).isEqualTo("0.20");
        assertThat(j.get("force")).isEqualTo("true");
        assertThat(j.get("ft")).isEqualTo(List.of("a", "b"));
    }

    @Test
    void everyCommandAcceptsConfigAndItsKeysDoNotCollide() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        int checked = 0;
        for (CommandLine c : all) {
            boolean group = c.getParent() != null && !c.getSubcommands().isEmpty(); // "mask" only lists its subcommands
            if (group || c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            assertThat(c.getCommandSpec().findOption("--config")).as(c.getCommandSpec().qualifiedName()).isNotNull();
            var keys = ConfigDefaults.keys(c.getCommandSpec());
            int names = 0;
            for (var o : c.getCommandSpec().options()) {
                names += (int) java.util.Arrays.stream(o.names()).filter(n -> n.startsWith("--")
                        && !n.equals("--config") && !o.usageHelp() && !o.versionHelp()).count();
            }
            assertThat(keys).as(c.getCommandSpec().qualifiedName() + ": one key per long name and positional")
                    .hasSize(names + c.getCommandSpec().positionalParameters().size());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(14);
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().values().forEach(s -> collect(s, out));
    }

    @Test
    void verboseLogsTheFileAndTheEffectiveOptions() throws Exception {
        Path cfg = write("c.yaml", "dtype: f16\n");
        CommandRun r = run("convert", base.toString(), "--config", cfg.toString(), "-o", tmp.resolve("o").toString(), "-v");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("surgeon: debug: config file " + cfg.toAbsolutePath() + ": dtype")
                .contains("--dtype=f16 (config)").contains("--verbose=true");
        Console.configure(false, false);
    }
}
