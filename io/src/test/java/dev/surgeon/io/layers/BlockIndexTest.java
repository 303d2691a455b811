package dev.surgeon.io.layers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlockIndexTest {
    @Test
    void leadingZerosAreDroppedButZeroItselfIsAnIndex() {
        assertThat(Architecture.parseIndex("0")).isEqualTo(0);
        assertThat(Architecture.parseIndex("000")).isEqualTo(0);
        assertThat(Architecture.parseIndex("007")).isEqualTo(7);
        assertThat(Architecture.parseIndex("31")).isEqualTo(31);
        assertThat(Architecture.parseIndex("0000000012")).isEqualTo(12);
    }

    @Test
    void indicesPastTheLimitAreNoBlock() {
        assertThat(Architecture.parseIndex("1000000")).isEqualTo(1_000_000);
        assertThat(Architecture.parseIndex("1000001")).isEqualTo(TensorRole.NO_BLOCK);
        assertThat(Architecture.parseIndex("99999999999999999999")).isEqualTo(TensorRole.NO_BLOCK);
    }
}
