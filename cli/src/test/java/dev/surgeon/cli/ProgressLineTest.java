package dev.surgeon.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress bar's text: rate, ETA, width, and no escape codes without colour. */
class ProgressLineTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void halfwayAtTenMegabytesPerSecond() {
        String s = ProgressLine.render("convert", 50, 100, "tensors", 50_000_000, 100_000_000, 5.0, 100, false);
        assertThat(s).startsWith("convert [").contains("  50% 50/100 tensors").contains("47.7 MiB/95.4 MiB")
                .contains("10.0 MB/s").endsWith("ETA 0:05");
        assertThat(s).hasSize(99);
        String bar = s.substring(s.indexOf('[') + 1, s.indexOf(']'));
        assertThat(bar.chars().filter(c -> c == '#').count()).isEqualTo(bar.length() / 2);
        assertThat(bar).matches("#+-+");
    }

    @Test
    void widthIsRespectedAndNarrowTerminalsLoseTheDetailsFirst() {
        for (int width : new int[] {80, 120, 200}) {
            String s = ProgressLine.render("prune", 3, 300, "tensors", 3 * MIB, 300 * MIB, 1.5, width, false);
            assertThat(s).as("width " + width).hasSize(width - 1).contains("MiB").contains("MB/s");
        }
        String sixty = ProgressLine.render("prune", 3, 300, "tensors", 3 * MIB, 300 * MIB, 1.5, 60, false);
        assertThat(sixty.length()).isLessThanOrEqualTo(59);
        assertThat(sixty).doesNotContain("MiB").contains("MB/s").contains("[");
        String bar = sixty.substring(sixty.indexOf('[') + 1, sixty.indexOf(']'));
        assertThat(bar.length()).isGreaterThanOrEqualTo(ProgressLine.MIN_BAR);
        for (int width = 10; width < 80; width++) {
            String s = ProgressLine.render("convert", 3, 300, "tensors", 3 * MIB, 300 * MIB, 1.5, width, false);
            assertThat(s.length()).as("width " + width).isLessThanOrEqualTo(width - 1);
        }
    }

    @Test
    void noEscapeCodesWithoutColourAndTheSameTextWithIt() {
        String plain = ProgressLine.render("convert", 7, 10, "tensors", 7 * MIB, 10 * MIB, 2, 80, false);
        String colored = ProgressLine.render("convert", 7, 10, "tensors", 7 * MIB, 10 * MIB, 2, 80, true);
        assertThat(plain).doesNotContain("\033").doesNotContain("\r");
        assertThat(colored).contains("\033[32m");
        assertThat(colored.replaceAll("\033\\[[0-9;]*m", "")).isEqualTo(plain);
        assertThat(ProgressLine.visibleLength(colored)).isEqualTo(plain.length());
    }

    @Test
    void etaIsUnknownAtFirstAndTheEndShowsTheTotalTime() {
        assertThat(ProgressLine.render("c", 0, 10, "tensors", 0, 1000, 0, 80, false)).contains("-- MB/s").endsWith("ETA --:--");
        assertThat(ProgressLine.render("c", 1, 10, "tensors", 100, 1000, 0.2, 80, false)).endsWith("ETA --:--");
        assertThat(ProgressLine.render("c", 10, 10, "tensors", 1000, 1000, 83, 80, false)).contains(" 100% ").endsWith("in 1:23");
        assertThat(ProgressLine.render("c", 64, 64, "sequences", 0, 0, 0, 80, false)).as("no time measured")
                .endsWith("100% 64/64 sequences done");
        assertThat(ProgressLine.eta(0.25, 30)).isEqualTo("1:30");
        assertThat(ProgressLine.clock(3725)).isEqualTo("1:02:05");
    }

    @Test
    void stepCountersShowItemsPerSecondWithoutBytes() {
        String s = ProgressLine.render("calibrate: calibrating", 3, 6, "blocks", 0, 0, 1.5, 90, false);
        assertThat(s).contains("  50% 3/6 blocks 2.0 blocks/s ETA 0:02").doesNotContain("MiB");
    }

    @Test
    void sizesAreBinary() {
        assertThat(ProgressLine.size(512)).isEqualTo("512 B");
        assertThat(ProgressLine.size(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressLine.size(1024L * 1024 * 1024)).isEqualTo("1.0 GiB");
    }

    @Test
    void noColourWhenNoColorIsSet() {
        assertThat(Terminal.colorAllowed(null)).isTrue();
        assertThat(Terminal.colorAllowed("")).isTrue();
        assertThat(Terminal.colorAllowed("1")).isFalse();
    }
}
