package dev.surgeon.io.safetensors;

import dev.surgeon.io.util.TempFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A time-bounded fuzz campaign on the reader over structured header mutations ({@link HeaderMutator}).
 * Input i is drawn from {@code new Random(seed + i * GOLDEN)} alone, so any input can be rebuilt from
 * the seed and its iteration number. Every input must open or be refused with the format's own
 * exception, in bounded time and allocation ({@link FuzzOracle}). A failing input is saved in
 * target/fuzz-crashes/ and the failure says how to keep it as a regression.
 *
 * <p>System properties: {@code surgeon.fuzz.seconds} (default 30; 600 for a long local campaign),
 * {@code surgeon.fuzz.seed} (default 20261202), {@code surgeon.fuzz.iteration} (replay one iteration only).
 */
class HeaderFuzzTest {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int MAX_CRASHES = 20;

    @Test
    void headerMutationsOpenOrAreRefusedWithTheFormatsError() throws IOException {
        long seconds = Long.getLong("surgeon.fuzz.seconds", 30);
        long seed = Long.getLong("surgeon.fuzz.seed", 20261202L);
        long only = Long.getLong("surgeon.fuzz.iteration", -1);
        Path dir = Files.createTempDirectory("surgeon-fuzz-");
        Path crashes = Path.of("target", "fuzz-crashes");
        List<String> failures = new ArrayList<>();
        Map<HeaderMutator.Kind, Map<String, Integer>> byKind = new EnumMap<>(HeaderMutator.Kind.class);
        Map<String, Integer> outcomes = new TreeMap<>();
        long iterations = 0;
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        try (FuzzOracle oracle = new FuzzOracle(dir, Duration.ofSeconds(5))) {
            List<byte[]> bases = FuzzBases.load(dir);
            for (long i = Math.max(only, 0); only >= 0 ? i == only : System.nanoTime() < deadline; i++) {
                Random r = new Random(seed + i * GOLDEN);
                byte[] base = bases.get(r.nextInt(bases.size()));
                HeaderMutator.Kind kind = HeaderMutator.Kind.values()[r.nextInt(HeaderMutator.Kind.values().length)];
                byte[] mutant = HeaderMutator.mutate(base, kind, r);
                FuzzOracle.Outcome o = oracle.judge(mutant);
                iterations++;
                outcomes.merge(o.label(), 1, Integer::sum);
                byKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(o.label(), 1, Integer::sum);
                if (o.crashed()) {
                    Files.createDirectories(crashes);
                    Path saved = crashes.resolve("crash-" + seed + "-" + i + ".safetensors");
                    Files.write(saved, mutant);
                    failures.add("iteration " + i + " (" + kind + "): " + o.crash() + "; input saved as " + saved);
                    if (failures.size() >= MAX_CRASHES || o.label().equals("hang")) {
                        break;
                    }
                }
            }
        } finally {
            TempFiles.deleteQuietly(dir);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        String summary = String.format("fuzz: seed %d, %d inputs in %.1f s (%.0f/s), %d crashes%noutcomes: %s%nby mutation: %s%n",
                seed, iterations, secs, iterations / secs, failures.size(), outcomes, byKind);
        System.out.print(summary);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fuzz-report.txt"), summary + String.join("\n", failures) + "\n", StandardCharsets.UTF_8);
        assertThat(failures).as("fuzz crashes (seed %d). Reproduce one with -Dsurgeon.fuzz.seed=%d -Dsurgeon.fuzz.iteration=N; "
                + "once fixed, keep it: cp target/fuzz-crashes/crash-*.safetensors io/src/test/resources/fuzz/regressions/ "
                + "(FuzzRegressionTest replays that folder on every build)", seed, seed).isEmpty();
        assertThat(iterations).as("inputs tried").isPositive();
        assertThat(outcomes).containsKey("ok");
    }
}
