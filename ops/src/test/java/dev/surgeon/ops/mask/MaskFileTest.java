package dev.surgeon.ops.mask;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The mask file written and read back: same content, format metadata set, same bytes twice. */
class MaskFileTest {
    @TempDir
    Path tmp;

    @Test
    void roundTrip() throws Exception {
        TreeMap<String, WeightMask> w = new TreeMap<>(Map.of("model.layers.0.mlp.up_proj.weight",
                new WeightMask(new long[] {2, 3}, new byte[] {1, 0, 1, 1, 0, 0})));
        TreeMap<Integer, boolean[]> h = new TreeMap<>(Map.of(0, new boolean[] {true, true, false, false},
                2, new boolean[] {false, false, true, true}));
        Masks m = new Masks(w, h, new boolean[] {true, false, true}, Map.of("model", "tiny", "method", "gps_head"));
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        MaskFile.write(a, false, m);
        MaskFile.write(b, false, m);
        Masks back = MaskFile.read(a);
        assertThat(back.weights()).isEqualTo(m.weights());
        assertThat(back.headsOf(0)).containsExactly(true, true, false, false);
        assertThat(back.headsOf(2)).containsExactly(false, false, true, true);
        assertThat(back.headsOf(1)).isNull();
        assertThat(back.layers()).containsExactly(true, false, true);
        assertThat(back.metadata()).containsEntry("format", "surgeon-masks").containsEntry("version", "1")
                .containsEntry("model", "tiny").containsEntry("method", "gps_head");
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(back.weights().get("model.layers.0.mlp.up_proj.weight").masked()).isEqualTo(3);
    }
}
