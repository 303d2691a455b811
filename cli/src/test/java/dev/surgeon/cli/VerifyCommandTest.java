package dev.surgeon.cli;

import dev.surgeon.io.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

class VerifyCommandTest {
    @TempDir
    Path tmp;

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void goodFolderPasses() throws Exception {
        Path dir = SmallModels.llamaFolder(tmp.resolve("m"));
        CommandRun r = CommandRun.of("verify", dir.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("OK      " + dir.resolve("model.safetensors")).contains(": OK");
    }

    @Test
    void writeSumsThenPassesThenOneFlippedByteFails() throws Exception {
        Path dir = SmallModels.llamaFolder(tmp.resolve("m"));
        CommandRun w = CommandRun.of("verify", dir.toString(), "--write-sums");
        assertThat(w.code()).as(w.toString()).isZero();
        Path sums = dir.resolve("SHA256SUMS");
        assertThat(Files.readAllLines(sums)).containsExactly(
                sha256(dir.resolve("config.json")) + "  config.json",
                sha256(dir.resolve("model.safetensors")) + "  model.safetensors",
                sha256(dir.resolve("tokenizer.json")) + "  tokenizer.json");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).isEmpty();
        }

        CommandRun ok = CommandRun.of("verify", dir.toString(), "--json");
        assertThat(ok.code()).as(ok.toString()).isZero();
        JsonObject j = ok.json();
        assertThat(j.getAsJsonArray("checksums")).hasSize(3);
        assertThat(j.getAsJsonObject("summary").get("ok").getAsBoolean()).isTrue();

        SmallModels.flipByteFromEnd(dir.resolve("model.safetensors"), 3); // inside the last tensor's data
        CommandRun bad = CommandRun.of("verify", dir.toString());
        assertThat(bad.code()).as(bad.toString()).isEqualTo(3);
        assertThat(bad.err()).startsWith("surgeon: error: ").contains("model.safetensors").contains("SHA-256 mismatch");
        assertThat(bad.out()).contains("FAILED").contains("1 problem");
    }

    @Test
    void changedSideFileAndMissingListedFileFail() throws Exception {
        Path dir = SmallModels.llamaFolder(tmp.resolve("m"));
        assertThat(CommandRun.of("verify", dir.toString(), "--write-sums", "-q").code()).isZero();
        Files.writeString(dir.resolve("tokenizer.json"), "{\"changed\":1}\n");
        CommandRun r = CommandRun.of("verify", dir.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("tokenizer.json");

        Files.delete(dir.resolve("tokenizer.json"));
        CommandRun m = CommandRun.of("verify", dir.toString());
        assertThat(m.code()).as(m.toString()).isEqualTo(3);
        assertThat(m.err()).contains("tokenizer.json").contains("missing");
    }

    @Test
    void acceptsBinaryMarkerAndRejectsMalformedSums() throws Exception {
        Path dir = SmallModels.llamaFolder(tmp.resolve("m"));
        Files.writeString(dir.resolve("SHA256SUMS"), sha256(dir.resolve("model.safetensors")) + " *model.safetensors\n");
        assertThat(CommandRun.of("verify", dir.toString()).code()).isZero();
        Files.writeString(dir.resolve("SHA256SUMS"), "nonsense\n");
        CommandRun r = CommandRun.of("verify", dir.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("SHA256SUMS:1");
    }

    @Test
    void singleFileUsesItsSha256SideFile() throws Exception {
        Path f = SmallModels.write(tmp.resolve("solo.safetensors"),
                SmallModels.tensor("w", DType.F32, new long[] {4}, 1, 2, 3, 4));
        CommandRun w = CommandRun.of("verify", f.toString(), "--write-sums");
        assertThat(w.code()).as(w.toString()).isZero();
        Path side = tmp.resolve("solo.safetensors.sha256");
        assertThat(Files.readString(side)).isEqualTo(sha256(f) + "  solo.safetensors\n");
        assertThat(Files.exists(tmp.resolve("SHA256SUMS"))).isFalse();
        assertThat(CommandRun.of("verify", f.toString()).code()).isZero();
        SmallModels.flipByteFromEnd(f, 1);
        CommandRun bad = CommandRun.of("verify", f.toString());
        assertThat(bad.code()).as(bad.toString()).isEqualTo(3);
        assertThat(bad.err()).contains("solo.safetensors");
    }

    @Test
    void nanTensorExits5UnlessAllowed() throws Exception {
        Path f = SmallModels.write(tmp.resolve("nan.safetensors"),
                SmallModels.tensor("good", DType.F32, new long[] {2}, 1, 2),
                SmallModels.tensor("model.layers.0.bad", DType.BF16, new long[] {3}, 1, Double.NaN, Double.NEGATIVE_INFINITY));
        CommandRun r = CommandRun.of("verify", f.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("model.layers.0.bad").contains("1 NaN and 1 Inf");

        CommandRun allowed = CommandRun.of("verify", f.toString(), "--allow-nonfinite", "--json");
        assertThat(allowed.code()).as(allowed.toString()).isZero();
        assertThat(allowed.err()).contains("warning").contains("model.layers.0.bad");
        JsonObject j = allowed.json();
        assertThat(j.getAsJsonArray("nonfinite")).hasSize(1);
        assertThat(j.getAsJsonArray("nonfinite").get(0).getAsJsonObject().get("nan").getAsInt()).isEqualTo(1);
        assertThat(j.getAsJsonArray("warnings").toString()).contains("model.layers.0.bad");
    }

    @Test
    void nanDoesNotGetSumsWritten() throws Exception {
        Path f = SmallModels.write(tmp.resolve("nan.safetensors"),
                SmallModels.tensor("bad", DType.F32, new long[] {1}, Double.NaN));
        assertThat(CommandRun.of("verify", f.toString(), "--write-sums").code()).isEqualTo(5);
        assertThat(Files.exists(tmp.resolve("nan.safetensors.sha256"))).isFalse();
    }

    @Test
    void truncatedFileExits3() throws Exception {
        Path f = SmallModels.write(tmp.resolve("cut.safetensors"),
                SmallModels.tensor("w", DType.F32, new long[] {8}, 1, 2, 3, 4, 5, 6, 7, 8));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(f) - 4);
        }
        CommandRun r = CommandRun.of("verify", f.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("cut.safetensors");
    }

    @Test
    void archiveVerifiesButTakesNoSums() throws Exception {
        Path dir = SmallModels.llamaFolder(tmp.resolve("m"));
        Path zip = tmp.resolve("m.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                out.putNextEntry(new java.util.zip.ZipEntry("m/" + p.getFileName()));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        CommandRun r = CommandRun.of("verify", zip.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        CommandRun w = CommandRun.of("verify", zip.toString(), "--write-sums");
        assertThat(w.code()).as(w.toString()).isEqualTo(2);
        assertThat(w.err()).contains("archive");
    }

    @Test
    void realFixturesVerify() {
        for (String name : List.of("gpt2-tiny-random-lmhead", "sharded-dtypes-hfhub", "alldtypes-torch-metadata")) {
            Path p = SharedFixtures.real(name);
            CommandRun r = CommandRun.of("verify", p.toString(), "--json");
            assertThat(r.code()).as(name + "\n" + r).isZero();
            assertThat(r.json().getAsJsonObject("summary").get("ok").getAsBoolean()).isTrue();
        }
    }

    @Test
    void helpStatesEveryDefault() {
        CommandRun r = CommandRun.of("verify", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--write-sums").contains("--allow-nonfinite").contains("Default: off");
    }
}
