package dev.surgeon.io.dtype;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * FP8 E4M3FN and E5M2: all 256 patterns against an independent formula, re-encoding, known
 * values, midpoints, and the overflow rules (E4M3FN to NaN as PyTorch, E5M2 to Inf).
 */
class CodecF8BitsTest {

    /** (-1)^s * 2^(e - bias) * 1.m, or the subnormal form; NaN/Inf codes are handled by callers. */
    private static double formula(int code, int mantissaBits, int bias) {
        int e = (code & 0x7F) >>> mantissaBits;
        int m = code & ((1 << mantissaBits) - 1);
        double frac = m / (double) (1 << mantissaBits);
        double v = e == 0 ? Math.pow(2, 1 - bias) * frac : Math.pow(2, e - bias) * (1 + frac);
        return (code & 0x80) != 0 ? -v : v;
    }

    private static int e4(double d) {
        return F8E4M3.fromDouble(d) & 0xFF;
    }

    private static int e5(double d) {
        return F8E5M2.fromDouble(d) & 0xFF;
    }

    @Test
    void e4m3AllPatterns() {
        for (int c = 0; c < 256; c++) {
            float v = F8E4M3.toFloat((byte) c);
            if ((c & 0x7F) == 0x7F) {
                assertThat(v).as("%x", c).isNaN();
                assertThat(F8E4M3.fromFloat(v) & 0x7F).isEqualTo(0x7F);
                continue;
            }
            assertThat((double) v).as("%x", c).isEqualTo(formula(c, 3, 7));
            assertThat(F8E4M3.fromFloat(v) & 0xFF).as("%x", c).isEqualTo(c);
        }
        assertThat(Float.floatToRawIntBits(F8E4M3.toFloat((byte) 0x80))).isEqualTo(0x80000000);
    }

    @Test
    void e5m2AllPatterns() {
        for (int c = 0; c < 256; c++) {
            float v = F8E5M2.toFloat((byte) c);
            int mag = c & 0x7F;
            if (mag > 0x7C) {
                assertThat(v).as("%x", c).isNaN();
                assertThat(F8E5M2.fromFloat(v) & 0x7F).isGreaterThan(0x7C);
                continue;
            }
            if (mag == 0x7C) {
                assertThat(v).isInfinite();
            } else {
                assertThat((double) v).as("%x", c).isEqualTo(formula(c, 2, 15));
            }
            assertThat(F8E5M2.fromFloat(v) & 0xFF).as("%x", c).isEqualTo(c);
        }
    }

    @Test
    void e4m3KnownValues() {
        assertThat(e4(448)).isEqualTo(0x7E);
        assertThat(F8E4M3.toFloat((byte) 0x7E)).isEqualTo(448f);
        assertThat(F8E4M3.toFloat((byte) 0x08)).isEqualTo(0x1p-6f);
        assertThat(F8E4M3.toFloat((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(F8E4M3.toFloat((byte) 0x38)).isEqualTo(1f);
        assertThat(e4(-448)).isEqualTo(0xFE);
        assertThat(e4(-0.0)).isEqualTo(0x80);
    }

    @Test
    void e4m3OverflowAndSpecialsBecomeNan() {
        assertThat(e4(449)).isEqualTo(0x7E);
        assertThat(e4(464)).isEqualTo(0x7E); // tie with 480 (the NaN slot): 0x7E is even
        assertThat(e4(Math.nextUp(464.0))).isEqualTo(0x7F);
        assertThat(e4(480)).isEqualTo(0x7F);
        assertThat(e4(1e9)).isEqualTo(0x7F);
        assertThat(e4(-1e9)).isEqualTo(0xFF);
        assertThat(e4(Double.POSITIVE_INFINITY)).isEqualTo(0x7F);
        assertThat(e4(Double.NEGATIVE_INFINITY)).isEqualTo(0xFF);
        assertThat(e4(Double.NaN)).isEqualTo(0x7F);
        assertThat(F8E4M3.fromFloat(Float.intBitsToFloat(0xFFC00000)) & 0xFF).isEqualTo(0xFF);
    }

    @Test
    void e4m3RoundsToNearestEven() {
        assertThat(e4(1.0625)).isEqualTo(0x38); // midway 1 and 1.125
        assertThat(e4(1.1875)).isEqualTo(0x3A); // midway 1.125 and 1.25
        assertThat(e4(0x1p-10)).isEqualTo(0x00); // half the smallest subnormal
        assertThat(e4(Math.nextUp(0x1p-10))).isEqualTo(0x01);
        assertThat(e4(3 * 0x1p-10)).isEqualTo(0x02);
        assertThat(e4(5 * 0x1p-10)).isEqualTo(0x02);
        assertThat(e4(15 * 0x1p-10)).isEqualTo(0x08); // 7.5 subnormal steps -> smallest normal
    }

    @Test
    void e5m2KnownValuesAndOverflow() {
        assertThat(e5(57344)).isEqualTo(0x7B);
        assertThat(F8E5M2.toFloat((byte) 0x7B)).isEqualTo(57344f);
        assertThat(F8E5M2.toFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(F8E5M2.toFloat((byte) 0xFC)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(F8E5M2.toFloat((byte) 0x01)).isEqualTo(0x1p-16f);
        assertThat(F8E5M2.toFloat((byte) 0x3C)).isEqualTo(1f);
        assertThat(e5(61439)).isEqualTo(0x7B);
        assertThat(e5(61440)).isEqualTo(0x7C); // tie with odd 0x7B: up to Inf
        assertThat(e5(-61440)).isEqualTo(0xFC);
        assertThat(e5(Double.POSITIVE_INFINITY)).isEqualTo(0x7C);
        assertThat(e5(Double.NaN)).isEqualTo(0x7F);
        assertThat(e5(-Double.NaN) & 0x7F).isEqualTo(0x7F);
    }

    @Test
    void e5m2RoundsToNearestEven() {
        assertThat(e5(0x1p-17)).isEqualTo(0x00);
        assertThat(e5(Math.nextUp(0x1p-17))).isEqualTo(0x01);
        assertThat(e5(3 * 0x1p-17)).isEqualTo(0x02);
        assertThat(e5(1.125)).isEqualTo(0x3C); // midway 1 and 1.25
        assertThat(e5(1.375)).isEqualTo(0x3E); // midway 1.25 and 1.5
        assertThat(e5(-1.375)).isEqualTo(0xBE);
    }

    @Test
    void everyMidpointBetweenNeighboursTiesToEven() {
        checkMidpoints(0x7E, c -> F8E4M3.toFloat((byte) c), CodecF8BitsTest::e4);
        checkMidpoints(0x7B, c -> F8E5M2.toFloat((byte) c), CodecF8BitsTest::e5);
    }

    private static void checkMidpoints(int maxFinite, java.util.function.IntToDoubleFunction dec,
            java.util.function.DoubleToIntFunction enc) {
        for (int c = 0; c < maxFinite; c++) {
            double mid = (dec.applyAsDouble(c) + dec.applyAsDouble(c + 1)) / 2;
            int even = (c & 1) == 0 ? c : c + 1;
            assertThat(enc.applyAsInt(mid)).as("mid of %x", c).isEqualTo(even);
            assertThat(enc.applyAsInt(-mid)).isEqualTo(0x80 | even);
            assertThat(enc.applyAsInt(Math.nextDown(mid))).isEqualTo(c);
            assertThat(enc.applyAsInt(Math.nextUp(mid))).isEqualTo(c + 1);
        }
    }
}
