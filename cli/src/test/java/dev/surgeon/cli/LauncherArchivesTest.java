package dev.surgeon.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher script ({@code surgeon} at the project root) and its class-data archives, run as a
 * user runs it: the script is copied into a temporary install laid out as the build lays it out
 * ({@code cli/target/surgeon.jar} naming {@code lib/*.jar} in its manifest), made from this test's
 * own classpath, with the module folders packed into jars (class-data archives take jars only).
 */
class LauncherArchivesTest {
    @TempDir
    static Path install;
    @TempDir
    Path work;
    private static Path script;
    private static Path target;

    @BeforeAll
    static void layOut() throws IOException {
        Path source = Path.of("").toAbsolutePath().getParent().resolve("surgeon");
        assumeTrue(Files.isRegularFile(source), "launcher script not found at " + source + ": skipping");
        script = install.resolve("surgeon");
        Files.copy(source, script);
        target = install.resolve("cli/target");
        Path lib = Files.createDirectories(target.resolve("lib"));
        List<String> classPath = new ArrayList<>();
        Path mainClasses = null;
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                if (p.endsWith("test-classes")) {
                    continue;
                }
                if (Files.exists(p.resolve("dev/surgeon/cli/Main.class"))) {
                    mainClasses = p;
                    continue;
                }
                String name = "module-" + (n++) + ".jar";
                pack(p, lib.resolve(name), null);
                classPath.add("lib/" + name);
            } else if (entry.endsWith(".jar")) {
                String name = (n++) + "-" + p.getFileName();
                Files.copy(p, lib.resolve(name));
                classPath.add("lib/" + name);
            }
        }
        assertThat(mainClasses).as("cli's classes on the test classpath").isNotNull();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.surgeon.cli.Main");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        pack(mainClasses, target.resolve("surgeon.jar"), m);
        // the libraries are older than the jar, as after a build
        FileTime past = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        try (Stream<Path> s = Files.list(lib)) {
            for (Path p : s.toList()) {
                Files.setLastModifiedTime(p, past);
            }
        }
        Files.setLastModifiedTime(target.resolve("surgeon.jar"), FileTime.fromMillis(System.currentTimeMillis() - 30_000));
    }

    private static void pack(Path dir, Path jar, Manifest manifest) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar);
             JarOutputStream out = manifest == null ? new JarOutputStream(os) : new JarOutputStream(os, manifest);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private record Run(int code, String stdout, String stderr) {
    }

    private Run surgeon(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", script.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SURGEON_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("surgeon finished within 120 s").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static List<String> archives() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".jar") && !n.equals("lib")).sorted().toList();
        }
    }

    /** An archive, or the class list it will be made from, whose name starts with prefix. */
    private static boolean has(List<String> names, String prefix) {
        return names.stream().anyMatch(n -> n.startsWith(prefix) && (n.endsWith(".jsa") || n.endsWith(".classes")));
    }

    private static String named(String prefix, String suffix) throws IOException {
        return archives().stream().filter(n -> n.startsWith(prefix) && n.endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError(prefix + "*" + suffix + " not in " + uncheckedArchives()));
    }

    private static List<String> uncheckedArchives() {
        try {
            return archives();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    @Test
    void aCommandGetsAnArchiveOfItsOwnFromItsFirstRunsClassesAndRunsFromIt() throws Exception {
        Path base = TestModels.tinyLlama(work.resolve("base"), 1);
        Path ft = TestModels.tinyLlama(work.resolve("ft"), 2);
        Run first = surgeon(Map.of(), "scale", base.toString(), ft.toString(), "--alpha", "0.5",
                "-o", work.resolve("out1").toString(), "--no-card", "-q");
        assertThat(first.code()).as(first.stderr()).isZero();
        List<String> after = archives();
        assertThat(has(after, "surgeon-help-")).as("help archive in %s", after).isTrue();
        // the first run leaves the list of the classes it loaded, under its process id
        named("surgeon-run-scale-", ".classes");
        assertThat(after).as("no archive yet").noneMatch(n -> n.startsWith("surgeon-run-scale-") && n.endsWith(".jsa"));
        assertThat(after).as("no temporary files left").noneMatch(n -> n.contains(".tmp"));

        // the second run makes the archive from it and runs on it: the LiNeS classes come from it,
        // and the output and what it prints are those of the first run
        Run second = surgeon(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + work.resolve("classes.log")
                        + " -Xlog:cds=info:file=" + work.resolve("cds.log")),
                "scale", base.toString(), ft.toString(), "--alpha", "0.5",
                "-o", work.resolve("out2").toString(), "--no-card", "-q");
        assertThat(second.code()).as(second.stderr()).isZero();
        assertThat(Files.readString(work.resolve("classes.log")))
                .containsPattern("dev\\.surgeon\\.ops\\.scale\\.\\S+ source: shared objects file");
        assertThat(Files.readString(work.resolve("cds.log"))).contains("Opened archive " + target.toRealPath().resolve(named("surgeon-run-scale-", ".jsa")));
        assertThat(second.stdout()).isEqualTo(first.stdout());
        assertThat(Files.readAllBytes(work.resolve("out2/model.safetensors")))
                .isEqualTo(Files.readAllBytes(work.resolve("out1/model.safetensors")));
        named("surgeon-run-scale-", ".jsa");
        assertThat(archives()).noneMatch(n -> n.startsWith("surgeon-run-scale-") && (n.endsWith(".classes") || n.contains(".tmp")));
    }

    @Test
    void aListCutShortStillMakesAnArchiveAndOneStillBeingWrittenIsLeftAlone() throws Exception {
        Path base = TestModels.tinyLlama(work.resolve("base"), 1);
        // (a command no other test here runs: the install is shared)
        Run first = surgeon(Map.of(), "prune", "--method", "magnitude", "--ratio", "0.5", base.toString(),
                "-o", work.resolve("a").toString(), "--no-card", "-q");
        assertThat(first.code()).as(first.stderr()).isZero();
        String list = named("surgeon-run-prune-", ".classes");
        String archive = list.substring(0, list.indexOf(".jsa.") + ".jsa".length());
        // as a kill would leave it: the list cut mid-name, its writer gone (a process id no process has);
        // cut inside a lambda's line, which -Xshare:dump rejects as a format error
        String whole = Files.readString(target.resolve(list));
        Files.delete(target.resolve(list));
        Path cut = target.resolve(archive + ".999999991.classes");
        int lambda = whole.indexOf("\n@lambda-proxy dev/surgeon/", whole.length() / 2);
        assertThat(lambda).as("a lambda of surgeon's in the second half of the list").isPositive();
        Files.writeString(cut, whole.substring(0, lambda + "\n@lambda-proxy dev/surg".length()));
        Path live = target.resolve(archive + "." + ProcessHandle.current().pid() + ".classes");
        Files.writeString(live, whole);
        try {
            Run second = surgeon(Map.of("JAVA_OPTS", "-Xlog:cds=info:file=" + work.resolve("cds.log")),
                    "prune", "--method", "magnitude", "--ratio", "0.5", base.toString(),
                    "-o", work.resolve("b").toString(), "--no-card", "-q");
            assertThat(second.code()).as(second.stderr()).isZero();
            assertThat(second.stderr()).isEmpty();
            assertThat(second.stdout()).isEqualTo(first.stdout());
            assertThat(Files.readString(work.resolve("cds.log"))).contains("Opened archive " + target.toRealPath().resolve(archive));
            assertThat(Files.readAllBytes(work.resolve("b/model.safetensors")))
                    .isEqualTo(Files.readAllBytes(work.resolve("a/model.safetensors")));
            assertThat(target.resolve(archive)).exists();
            assertThat(cut).doesNotExist();
            assertThat(live).as("its writer is still running").exists();
        } finally {
            Files.deleteIfExists(live);
        }
    }

    @Test
    void dryRunsHelpFailuresOfTheJvmOptionsAndArchivesTurnedOffMakeNoArchive() throws Exception {
        Path base = TestModels.tinyLlama(work.resolve("base"), 1);
        Path ft = TestModels.tinyLlama(work.resolve("ft"), 2);
        Run dry = surgeon(Map.of(), "average", base.toString(), ft.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.stderr()).isZero();
        Run help = surgeon(Map.of(), "average", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.stdout()).contains("Usage: surgeon average");
        // archives off: the run works and makes none
        Run off = surgeon(Map.of("JAVA_OPTS", "-Xshare:off"), "average", base.toString(), ft.toString(),
                "-o", work.resolve("off").toString(), "--no-card", "-q");
        assertThat(off.code()).as(off.stderr()).isZero();
        assertThat(off.stdout() + off.stderr()).doesNotContain("CDS").doesNotContain("shared archive");
        assertThat(has(archives(), "surgeon-run-average-")).as("%s", archives()).isFalse();

        Run real = surgeon(Map.of(), "average", base.toString(), ft.toString(),
                "-o", work.resolve("real").toString(), "--no-card", "-q");
        assertThat(real.code()).as(real.stderr()).isZero();
        assertThat(real.stdout() + real.stderr()).doesNotContain("CDS").doesNotContain("cds");
        assertThat(has(archives(), "surgeon-run-average-")).as("%s", archives()).isTrue();
        assertThat(Files.readAllBytes(work.resolve("real/model.safetensors")))
                .isEqualTo(Files.readAllBytes(work.resolve("off/model.safetensors")));
    }

    @Test
    void runsWithAnAgentMakeNoArchiveAndEveryRunWorks() throws Exception {
        // -Xshare:dump refuses to run with an agent loaded (as from JAVA_TOOL_OPTIONS)
        Path agent = work.resolve("agent.jar");
        Path classes = Path.of(NoOpAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoOpAgent.class.getName());
        Path agentClasses = Files.createDirectories(work.resolve("agent/dev/surgeon/cli"));
        Files.copy(classes.resolve("dev/surgeon/cli/NoOpAgent.class"), agentClasses.resolve("NoOpAgent.class"));
        pack(work.resolve("agent"), agent, m);
        String[] synth = {"synth", "--arch", "llama", "--layers", "2", "--hidden", "64", "--intermediate", "172",
            "--heads", "4", "--kv-heads", "2", "--vocab", "256", "--no-card", "-q", "-o"};
        List<Map<String, String>> envs = List.of(
                Map.of("JAVA_OPTS", "-javaagent:" + agent),
                Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + agent),
                Map.of(),
                // (a patched java.base turns archives off in the JVM itself)
                Map.of("JAVA_OPTS", "--patch-module java.base=" + Files.createDirectories(work.resolve("empty"))));
        int i = 0;
        for (Map<String, String> env : envs) {
            Path out = work.resolve("out" + i++);
            List<String> args = new ArrayList<>(List.of(synth));
            args.add(out.toString());
            Run r = surgeon(env, args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", env, r.stderr()).isZero();
            assertThat(r.stderr()).as("%s", env).doesNotContain("CDS").doesNotContain("shared archive");
            assertThat(out.resolve("model.safetensors")).exists();
            assertThat(has(archives(), "surgeon-run-synth-")).as("%s: %s", env, archives()).isEqualTo(i > 2);
        }
        assertThat(archives()).as("the plain run's list made into the archive").contains(named("surgeon-run-synth-", ".jsa"));
    }

    @Test
    void theLauncherKnowsEveryCommandThatReadsModelsAndAMisspeltOneMakesNoArchive() throws Exception {
        String text = Files.readString(script);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("case \"\\$cmd\" in ([a-z|]+)\\) own=1").matcher(text);
        assertThat(m.find()).as("the launcher's list of commands").isTrue();
        java.util.Set<String> expected = new java.util.TreeSet<>(SurgeonCommand.COMMANDS.keySet());
        expected.removeAll(List.of("help", "completion"));
        assertThat(new java.util.TreeSet<>(List.of(m.group(1).split("\\|")))).isEqualTo(expected);

        Run typo = surgeon(Map.of(), "scael", "model");
        assertThat(typo.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(archives()).noneMatch(n -> n.contains("scael"));
    }

    @Test
    void aNewerJarRemakesTheArchives() throws Exception {
        Path base = TestModels.tinyLlama(work.resolve("base"), 1);
        for (String out : List.of("a", "b")) { // the second run makes the archive from the first's classes
            assertThat(surgeon(Map.of(), "convert", base.toString(), "--dtype", "bf16",
                    "-o", work.resolve(out).toString(), "--no-card", "-q").code()).isZero();
        }
        Path own = target.resolve(named("surgeon-run-convert-", ".jsa"));
        Path help = target.resolve(named("surgeon-help-", ".jsa"));
        // a rebuilt jar: newer than every archive
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(help, FileTime.fromMillis(now - 20_000));
        Files.setLastModifiedTime(own, FileTime.fromMillis(now - 15_000));
        Path jar = target.resolve("surgeon.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(now - 10_000));
        for (String out : List.of("c", "d")) { // the help archive remade and a class list, then the archive
            Run again = surgeon(Map.of(), "convert", base.toString(), "--dtype", "bf16",
                    "-o", work.resolve(out).toString(), "--no-card", "-q");
            assertThat(again.code()).as(again.stderr()).isZero();
            assertThat(Files.readAllBytes(work.resolve(out + "/model.safetensors")))
                    .isEqualTo(Files.readAllBytes(work.resolve("a/model.safetensors")));
        }
        assertThat(Files.getLastModifiedTime(help)).isGreaterThan(Files.getLastModifiedTime(jar));
        assertThat(Files.getLastModifiedTime(own)).isGreaterThan(Files.getLastModifiedTime(help));
        assertThat(archives()).noneMatch(n -> n.startsWith("surgeon-run-convert-") && n.endsWith(".classes"));
    }
}
