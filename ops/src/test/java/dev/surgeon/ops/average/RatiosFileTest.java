package dev.surgeon.ops.average;

import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatiosFileTest {
    @TempDir
    Path tmp;

    @Test
    void logitsWithEpsilonAndPivots() throws Exception {
        Path f = tmp.resolve("a.json");
        Files.writeString(f, "{\"logits\": [0.5, -1, 2e-1], \"epsilon\": 0.3, \"pivots\": [7, 15]}\n");
        RatiosFile r = RatiosFile.read(f);
        assertThat(r.isHma()).isTrue();
        assertThat(r.logits()).containsExactly(0.5, -1, 0.2);
        assertThat(r.epsilon()).isEqualTo(0.3);
        assertThat(r.pivots()).containsExactly(7, 15);
        assertThat(r.ratios()).isNull();
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void ratiosAndUnknownKeys() {
        RatiosFile r = RatiosFile.parse("{\"ratios\": [0, 1, 0.5], \"note\": \"hi\"}", "f");
        assertThat(r.isHma()).isFalse();
        assertThat(r.ratios()).containsExactly(0, 1, 0.5);
        assertThat(r.epsilon()).isNull();
        assertThat(r.pivots()).isNull();
        assertThat(r.warnings()).singleElement().asString().contains("note");
    }

    @Test
    void badContentIsAUsageError() {
        String[] bad = {"", "nope", "[]", "{}", "{\"logits\": 1}", "{\"logits\": []}", "{\"logits\": [\"1\"]}", "{\"ratios\": [1.5]}",
                "{\"ratios\": [-0.5]}", "{\"ratios\": [0.5], \"logits\": [1]}", "{\"ratios\": [0.5], \"epsilon\": 0.1}",
                "{\"logits\": [1], \"epsilon\": -1}", "{\"logits\": [1], \"pivots\": [0.5]}", "{\"logits\": [1], \"pivots\": \"7,15\"}",
                "{\"logits\": [1e999]}", "{\"logits\": [1],}", "{'logits': [1]}", "{\"logits\": [1]} {}"};
        for (String b : bad) {
            assertThatThrownBy(() -> RatiosFile.parse(b, "x.json")).as(b).isInstanceOf(UsageException.class).hasMessageContaining("x.json");
        }
    }

    @Test
    void unreadableFileIsAnIoFailure() {
        assertThatThrownBy(() -> RatiosFile.read(tmp.resolve("missing.json"))).isInstanceOf(IoFailureException.class);
    }
}
