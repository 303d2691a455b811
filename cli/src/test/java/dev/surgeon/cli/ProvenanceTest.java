package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Input and output digests, the recipe, SHA256SUMS, the model card and archive outputs, end to end. */
class ProvenanceTest {
    @TempDir
    Path tmp;

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String sha256(Path f) throws Exception {
        return sha256(Files.readAllBytes(f));
    }

    private static boolean has(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }

    private static CommandRun ok(String... args) {
        CommandRun r = CommandRun.of(args);
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    private static Map<String, Object> frontMatter(Path card) throws IOException {
        String text = Files.readString(card);
        assertThat(text).startsWith("---\n");
        int end = text.indexOf("\n---\n", 4);
        assertThat(end).isPositive();
        return new Yaml().load(text.substring(4, end + 1));
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void reportHasInputAndOutputDigestsAndTheRecipeNamesInputsWithoutPaths() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path out = tmp.resolve("out");
        JsonObject r = ok("convert", in.toString(), "-o", out.toString(), "--json").json();
        JsonObject input = r.getAsJsonArray("inputs").get(0).getAsJsonObject();
        JsonArray files = input.getAsJsonArray("files");
        assertThat(files).hasSize(2);
        StringBuilder listing = new StringBuilder();
        for (String name : List.of("config.json", "model.safetensors")) {
            String hex = sha256(in.resolve(name));
            listing.append(hex).append("  ").append(name).append('\n');
            assertThat(files).anySatisfy(f -> {
                assertThat(f.getAsJsonObject().get("path").getAsString()).endsWith(name);
                assertThat(f.getAsJsonObject().get("sha256").getAsString()).isEqualTo(hex);
            });
        }
        // a folder input's digest: SHA-256 of its SHA256SUMS-format listing, sorted by path
        String folderDigest = sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(input.get("sha256").getAsString()).isEqualTo(folderDigest);
        if (has("sha256sum")) {
            assertThat(run(in, "sha256sum", "model.safetensors")).startsWith(sha256(in.resolve("model.safetensors")));
        }
        for (JsonElement e : r.getAsJsonArray("outputs")) {
            Path p = Path.of(e.getAsJsonObject().get("path").getAsString());
            assertThat(e.getAsJsonObject().get("sha256").getAsString()).as(p.toString()).isEqualTo(sha256(p));
            assertThat(e.getAsJsonObject().get("bytes").getAsLong()).isEqualTo(Files.size(p));
        }
        String recipe;
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            recipe = f.metadata().get("surgeon.recipe");
        }
        assertThat(recipe).doesNotContain(tmp.toString()).doesNotContain("/");
        JsonObject rj = JsonParser.parseString(recipe).getAsJsonObject();
        JsonObject ri = rj.getAsJsonArray("inputs").get(0).getAsJsonObject();
        assertThat(ri.get("name").getAsString()).isEqualTo("in");
        assertThat(ri.get("sha256").getAsString()).isEqualTo(folderDigest);
        assertThat(rj.get("command").getAsString()).isEqualTo("convert");
    }

    @Test
    void singleFileInputDigestIsTheFilesDigest() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1).resolve("model.safetensors");
        Path out = tmp.resolve("one.safetensors");
        JsonObject r = ok("convert", in.toString(), "-o", out.toString(), "--json").json();
        assertThat(r.getAsJsonArray("inputs").get(0).getAsJsonObject().get("sha256").getAsString()).isEqualTo(sha256(in));
        assertThat(Files.readString(tmp.resolve("one.safetensors.sha256"))).isEqualTo(sha256(out) + "  one.safetensors\n");
        assertThat(r.getAsJsonArray("outputs")).hasSize(2);
        assertThat(tmp.resolve("README.md")).doesNotExist();
        if (has("sha256sum")) {
            run(tmp, "sha256sum", "-c", "one.safetensors.sha256");
        }
        ok("verify", out.toString());
    }

    @Test
    void sameCommandTwiceGivesByteIdenticalFoldersWithCardAndSums() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 3);
        Path out = tmp.resolve("out");
        ok("prune", in.toString(), "--method", "magnitude", "--ratio", "0.3", "--max-shard-size", "1K", "-o", out.toString(), "-q");
        Map<String, byte[]> first = contents(out);
        ok("prune", in.toString(), "--method", "magnitude", "--ratio", "0.3", "--max-shard-size", "1K", "-o", out.toString(), "-q", "--force");
        Map<String, byte[]> second = contents(out);
        assertThat(first.keySet()).contains("README.md", "SHA256SUMS", "model.safetensors.index.json").isEqualTo(second.keySet());
        first.forEach((k, v) -> assertThat(second.get(k)).as(k).isEqualTo(v));
        Path s1 = tmp.resolve("s1");
        ok("synth", "--seed", "4", "-o", s1.toString(), "-q");
        Map<String, byte[]> a = contents(s1);
        ok("synth", "--seed", "4", "-o", s1.toString(), "-q", "--force");
        Map<String, byte[]> b = contents(s1);
        assertThat(a.keySet()).isEqualTo(b.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
        assertThat(new String(first.get("README.md"), StandardCharsets.UTF_8)).doesNotContain(tmp.toString());
    }

    @Test
    void pruneCardFrontMatterParsesAndNamesTheBaseModel() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path out = tmp.resolve("out");
        ok("prune", in.toString(), "--method", "magnitude", "--ratio", "0.3", "-o", out.toString(), "-q");
        Map<String, Object> fm = frontMatter(out.resolve("README.md"));
        assertThat(fm).containsEntry("base_model", "in").containsEntry("library_name", "transformers")
                .doesNotContainKey("base_model_relation");
        assertThat(fm.get("tags")).isEqualTo(List.of("surgeon", "pruned", "magnitude"));
        String card = Files.readString(out.resolve("README.md"));
        assertThat(card).contains("## Recipe", "## Inputs", "## Files", "model.safetensors").doesNotContain(tmp.toString());

        // a Hub id in config.json's _name_or_path names the base model
        String cfg = Files.readString(in.resolve("config.json")).replace("{", "{\"_name_or_path\":\"meta-llama/Llama-2-7b-hf\",");
        Path hub = tmp.resolve("hub");
        TestModels.tinyLlama(hub, 1);
        Files.writeString(hub.resolve("config.json"), cfg);
        ok("prune", hub.toString(), "--method", "magnitude", "--ratio", "0.3", "-o", tmp.resolve("hub-out").toString(), "-q");
        assertThat(frontMatter(tmp.resolve("hub-out/README.md"))).containsEntry("base_model", "meta-llama/Llama-2-7b-hf");
    }

    @Test
    void mergeCardListsEveryBaseModelWithRelationMerge() throws Exception {
        Path base = TestModels.tinyLlama(tmp.resolve("base"), 1);
        Path ft1 = TestModels.tinyLlama(tmp.resolve("ft-one"), 2);
        Path ft2 = TestModels.tinyLlama(tmp.resolve("ft-two"), 3);
        Path out = tmp.resolve("merged");
        ok("merge", base.toString(), ft1.toString(), ft2.toString(), "--method", "ties", "-o", out.toString(), "-q");
        Map<String, Object> fm = frontMatter(out.resolve("README.md"));
        assertThat(fm.get("base_model")).isEqualTo(List.of("base", "ft-one", "ft-two"));
        assertThat(fm).containsEntry("base_model_relation", "merge");
        assertThat(fm.get("tags")).isEqualTo(List.of("surgeon", "merged", "ties"));
        String recipe;
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            recipe = f.metadata().get("surgeon.recipe");
        }
        assertThat(JsonParser.parseString(recipe).getAsJsonObject().getAsJsonArray("inputs")).hasSize(3);
    }

    @Test
    void synthCardHasNoBaseModel() throws Exception {
        Path out = tmp.resolve("s");
        ok("synth", "--seed", "1", "-o", out.toString(), "-q");
        Map<String, Object> fm = frontMatter(out.resolve("README.md"));
        assertThat(fm).doesNotContainKey("base_model").containsEntry("library_name", "transformers");
        assertThat(fm.get("tags")).isEqualTo(List.of("surgeon", "synthetic", "llama"));
        ok("verify", out.toString());
    }

    @Test
    void noCardLeavesReadmeOutOfTheFolderAndItsSums() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path out = tmp.resolve("out");
        ok("convert", in.toString(), "--no-card", "-o", out.toString(), "-q");
        assertThat(out.resolve("README.md")).doesNotExist();
        assertThat(Files.readString(out.resolve("SHA256SUMS"))).doesNotContain("README.md").contains("  config.json\n");
    }

    @Test
    void verifyPassesAndNamesATamperedShardOrCard() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path out = tmp.resolve("out");
        ok("convert", in.toString(), "--max-shard-size", "1K", "-o", out.toString(), "-q");
        ok("verify", out.toString());
        if (has("sha256sum")) {
            assertThat(run(out, "sha256sum", "-c", "SHA256SUMS")).contains("README.md: OK", "model-00001-of-");
        }
        Path shard;
        try (Stream<Path> s = Files.list(out)) {
            shard = s.filter(p -> p.getFileName().toString().startsWith("model-00002")).findFirst().orElseThrow();
        }
        byte[] original = Files.readAllBytes(shard);
        byte[] flipped = original.clone();
        flipped[flipped.length - 1] ^= 0x01; // in the data section: the header still parses
        Files.write(shard, flipped);
        CommandRun bad = CommandRun.of("verify", out.toString());
        assertThat(bad.code()).as(bad.toString()).isEqualTo(3);
        assertThat(bad.err()).contains(shard.getFileName().toString());
        Files.write(shard, original);
        ok("verify", out.toString());
        Files.writeString(out.resolve("README.md"), Files.readString(out.resolve("README.md")) + "edited\n");
        CommandRun card = CommandRun.of("verify", out.toString());
        assertThat(card.code()).as(card.toString()).isEqualTo(3);
        assertThat(card.err()).contains("README.md");
    }

    @Test
    void archiveOutputsReadBackThroughInspectAndVerifyWithTheFoldersTensors() throws Exception {
        Path in = TestModels.tinyLlama(tmp.resolve("in"), 1);
        Path folder = tmp.resolve("model");
        ok("convert", in.toString(), "--max-shard-size", "1K", "-o", folder.toString(), "-q");
        for (String name : List.of("model.tar.gz", "model.zip")) {
            Path archive = tmp.resolve("a").resolve(name);
            JsonObject r = ok("convert", in.toString(), "--max-shard-size", "1K", "-o", archive.toString(), "--json").json();
            assertThat(r.getAsJsonArray("outputs")).hasSize(2);
            assertThat(Files.readString(archive.resolveSibling(name + ".sha256"))).isEqualTo(sha256(archive) + "  " + name + "\n");
            ok("inspect", archive.toString());
            ok("verify", archive.toString());
            // the archive's own .sha256 is checked too: a wrong digest is exit 3 naming the archive
            Path side = archive.resolveSibling(name + ".sha256");
            String good = Files.readString(side);
            Files.writeString(side, "0".repeat(64) + good.substring(64));
            CommandRun bad = CommandRun.of("verify", archive.toString());
            assertThat(bad.code()).as(bad.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(bad.err()).contains(archive.getFileName().toString()).contains("SHA-256 mismatch");
            Files.writeString(side, good);
            try (Checkpoint a = Checkpoint.open(folder.toString()); Checkpoint b = Checkpoint.open(archive.toString())) {
                assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
                for (TensorRef t : a.tensors().values()) {
                    assertThat(b.tensor(t.name()).file().readAll(b.tensor(t.name()).info())).isEqualTo(t.file().readAll(t.info()));
                }
                for (String f : List.of("README.md", "SHA256SUMS", "config.json", "model.safetensors.index.json")) {
                    assertThat(b.root().resolve(f)).as(name + " " + f).exists();
                }
            }
            String lister = name.endsWith(".zip") ? "unzip" : "tar";
            if (has(lister) || lister.equals("unzip") && Files.isExecutable(Path.of("/usr/bin/unzip"))) {
                String list = name.endsWith(".zip") ? run(archive.getParent(), "unzip", "-l", name) : run(archive.getParent(), "tar", "tzf", name);
                assertThat(list).contains("model/README.md", "model/SHA256SUMS", "model/model.safetensors.index.json");
            }
        }
    }

    @Test
    void calibrateAndMaskComputeReportTheirFileAndInputDigests() throws Exception {
        Path model = SynthModels.llama(tmp.resolve("m"), 2, 32);
        Path stats = tmp.resolve("stats.safetensors");
        JsonObject c = ok("calibrate", model.toString(), "--calib", "self", "--samples", "2", "--seq-len", "8",
                "-o", stats.toString(), "--json").json();
        assertThat(c.getAsJsonArray("outputs").get(0).getAsJsonObject().get("sha256").getAsString()).isEqualTo(sha256(stats));
        assertThat(c.getAsJsonArray("inputs").get(0).getAsJsonObject().get("sha256").getAsString()).hasSize(64);
        Path masks = tmp.resolve("masks.safetensors");
        JsonObject m = ok("mask", "compute", model.toString(), "--weights", "0.5", "-o", masks.toString(), "--json").json();
        assertThat(m.getAsJsonArray("outputs").get(0).getAsJsonObject().get("sha256").getAsString()).isEqualTo(sha256(masks));
        assertThat(m.getAsJsonArray("inputs").get(0).getAsJsonObject().get("sha256").getAsString())
                .isEqualTo(c.getAsJsonArray("inputs").get(0).getAsJsonObject().get("sha256").getAsString());
    }
}
