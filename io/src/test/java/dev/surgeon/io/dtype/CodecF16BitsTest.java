package dev.surgeon.io.dtype;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exact IEEE binary16 bit patterns: range ends, subnormals, ties to even, NaN. */
class CodecF16BitsTest {

    private static int enc(float f) {
        return F16.fromFloat(f) & 0xFFFF;
    }

    private static int encD(double d) {
        return F16.fromDouble(d) & 0xFFFF;
    }

    @Test
    void decodesKnownPatterns() {
        assertThat(F16.toFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(F16.toFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(F16.toFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(F16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(F16.toFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(F16.toFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(F16.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(F16.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(F16.toFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(F16.toFloat((short) 0x7E00)).isNaN();
        assertThat(F16.toFloat((short) 0x7C01)).isNaN();
        assertThat(Float.floatToRawIntBits(F16.toFloat((short) 0x8000))).isEqualTo(0x80000000);
    }

    @Test
    void largestFiniteAndOverflow() {
        assertThat(enc(65504f)).isEqualTo(0x7BFF);
        assertThat(enc(65519f)).isEqualTo(0x7BFF);
        assertThat(enc(Math.nextDown(65520f))).isEqualTo(0x7BFF);
        assertThat(enc(65520f)).isEqualTo(0x7C00);
        assertThat(enc(-65520f)).isEqualTo(0xFC00);
        assertThat(enc(1e9f)).isEqualTo(0x7C00);
        assertThat(enc(Float.MAX_VALUE)).isEqualTo(0x7C00);
        assertThat(enc(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(enc(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
        assertThat(encD(65519.99999)).isEqualTo(0x7BFF);
        assertThat(encD(65520.0)).isEqualTo(0x7C00);
        assertThat(encD(1e300)).isEqualTo(0x7C00);
    }

    @Test
    void subnormals() {
        assertThat(enc(0x1p-24f)).isEqualTo(0x0001);
        assertThat(enc(0x1p-25f)).isEqualTo(0x0000); // tie between 0 and 1: even
        assertThat(enc(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
        assertThat(enc(3 * 0x1p-25f)).isEqualTo(0x0002); // 1.5 -> 2
        assertThat(enc(5 * 0x1p-25f)).isEqualTo(0x0002); // 2.5 -> 2
        assertThat(enc(7 * 0x1p-25f)).isEqualTo(0x0004); // 3.5 -> 4
        assertThat(enc(-3 * 0x1p-25f)).isEqualTo(0x8002);
        assertThat(enc(2047 * 0x1p-25f)).isEqualTo(0x0400); // 1023.5 -> smallest normal
        assertThat(enc(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(enc(-Float.MIN_VALUE)).isEqualTo(0x8000);
        assertThat(encD(0x1p-25)).isEqualTo(0x0000);
        assertThat(encD(3 * 0x1p-25)).isEqualTo(0x0002);
    }

    @Test
    void normalTiesGoToEven() {
        assertThat(enc(1.0f)).isEqualTo(0x3C00);
        assertThat(enc(1 + 0x1p-11f)).isEqualTo(0x3C00);
        assertThat(enc(1 + 3 * 0x1p-11f)).isEqualTo(0x3C02);
        assertThat(enc(1 + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01);
        assertThat(enc(2 - 0x1p-12f)).isEqualTo(0x4000); // tie with odd 0x3BFF: carries up
    }

    @Test
    void nanStaysNan() {
        assertThat(enc(Float.NaN) & 0x7FFF).isGreaterThan(0x7C00);
        // Payload only in dropped bits: still NaN, never Inf.
        assertThat(enc(Float.intBitsToFloat(0x7F800001))).isEqualTo(0x7E00);
        assertThat(enc(Float.intBitsToFloat(0xFF800001))).isEqualTo(0xFE00);
        assertThat(encD(Double.NaN) & 0x7FFF).isGreaterThan(0x7C00);
    }

    @Test
    void signedZero() {
        assertThat(enc(0f)).isEqualTo(0x0000);
        assertThat(enc(-0f)).isEqualTo(0x8000);
        assertThat(encD(-0.0)).isEqualTo(0x8000);
    }

    @Test
    void doubleRoundsOnceNotTwice() {
        double d = 1.0 + 0x1p-11 + 0x1p-40;
        assertThat(enc((float) d)).isEqualTo(0x3C00);
        assertThat(encD(d)).isEqualTo(0x3C01);
    }

    @Test
    void everyMidpointBetweenNeighboursTiesToEven() {
        for (int c = 0; c < 0x7BFF; c++) { // the top gap, against Inf, is tested above
            double lo = F16.toFloat((short) c);
            double hi = F16.toFloat((short) (c + 1));
            double mid = (lo + hi) / 2;
            int even = (c & 1) == 0 ? c : c + 1;
            assertThat(encD(mid)).as("mid of %x", c).isEqualTo(even);
            assertThat(enc((float) mid)).as("mid of %x", c).isEqualTo(even);
            assertThat(enc(Math.nextDown((float) mid))).isEqualTo(c);
            assertThat(enc(Math.nextUp((float) mid))).isEqualTo(c + 1);
            assertThat(encD(Math.nextDown(mid))).isEqualTo(c);
            assertThat(encD(Math.nextUp(mid))).isEqualTo(c + 1);
        }
    }
}
