package dev.surgeon.ops.diff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimilarityTest {
    @Test
    void relativeHandlesZeroNorms() {
        assertThat(Similarity.relative(0, 0)).isZero();
        assertThat(Similarity.relative(4, 0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Similarity.relative(4, 16)).isEqualTo(0.5);
    }

    @Test
    void cosineIsOneForTwoZeroVectorsAndZeroForOne() {
        assertThat(Similarity.cosine(0, 0, 0)).isEqualTo(1);
        assertThat(Similarity.cosine(0, 0, 3)).isZero();
        assertThat(Similarity.cosine(0, 3, 0)).isZero();
        assertThat(Similarity.cosine(-2, 1, 4)).isEqualTo(-1);
    }

    @Test
    void cosineIsClampedAgainstRounding() {
        assertThat(Similarity.cosine(1.0000000001, 1, 1)).isEqualTo(1);
    }
}
