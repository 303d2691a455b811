package dev.surgeon.io.dtype;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exact BF16 bit patterns: ties to even, overflow, NaN, signed zero and F32 subnormals. */
class CodecBf16BitsTest {

    private static short enc(int f32Bits) {
        return Bf16.fromFloat(Float.intBitsToFloat(f32Bits));
    }

    private static int hex(short s) {
        return s & 0xFFFF;
    }

    @Test
    void oneAndSimpleValues() {
        assertThat(hex(Bf16.fromFloat(1.0f))).isEqualTo(0x3F80);
        assertThat(hex(Bf16.fromFloat(-2.0f))).isEqualTo(0xC000);
        assertThat(Bf16.toFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(Bf16.toFloat((short) 0xC000)).isEqualTo(-2.0f);
    }

    @Test
    void tiesGoToEven() {
        assertThat(hex(enc(0x3F808000))).isEqualTo(0x3F80);
        assertThat(hex(enc(0x3F818000))).isEqualTo(0x3F82);
        assertThat(hex(enc(0x3F808001))).isEqualTo(0x3F81);
        assertThat(hex(enc(0x3F807FFF))).isEqualTo(0x3F80);
        assertThat(hex(enc(0xBF818000))).isEqualTo(0xBF82);
    }

    @Test
    void roundingPastLargestFiniteGivesInfinity() {
        assertThat(hex(enc(0x7F7FFFFF))).isEqualTo(0x7F80);
        assertThat(hex(enc(0xFF7FFFFF))).isEqualTo(0xFF80);
        // 0x7F7F has an odd mantissa, so the tie above it rounds up into Inf.
        assertThat(hex(enc(0x7F7F8000))).isEqualTo(0x7F80);
        assertThat(hex(enc(0x7F7F7FFF))).isEqualTo(0x7F7F);
        assertThat(hex(enc(0x7F7E8000))).isEqualTo(0x7F7E);
    }

    @Test
    void infinitiesAreExact() {
        assertThat(hex(Bf16.fromFloat(Float.POSITIVE_INFINITY))).isEqualTo(0x7F80);
        assertThat(hex(Bf16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(0xFF80);
        assertThat(Bf16.toFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Bf16.toFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void nanStaysNanWithItsSign() {
        // Payload only in the bits that are dropped: must not collapse to Inf.
        assertThat(hex(enc(0x7F800001))).isEqualTo(0x7FC0);
        assertThat(hex(enc(0xFF800001))).isEqualTo(0xFFC0);
        assertThat(hex(enc(0x7FC00000))).isEqualTo(0x7FC0);
        assertThat(hex(enc(0x7FFFFFFF))).isEqualTo(0x7FFF);
        assertThat(hex(enc(0x7FA00000))).isEqualTo(0x7FE0);
        assertThat(Bf16.toFloat((short) 0x7FC1)).isNaN();
        assertThat(Bf16.toFloat((short) 0x7F81)).isNaN();
        assertThat(hex(Bf16.fromDouble(Double.NaN)) & 0x7FFF).isGreaterThan(0x7F80);
    }

    @Test
    void signedZero() {
        assertThat(hex(Bf16.fromFloat(0.0f))).isEqualTo(0x0000);
        assertThat(hex(Bf16.fromFloat(-0.0f))).isEqualTo(0x8000);
        assertThat(Float.floatToRawIntBits(Bf16.toFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(hex(Bf16.fromDouble(-0.0))).isEqualTo(0x8000);
    }

    @Test
    void f32SubnormalsRoundToNearestEven() {
        assertThat(hex(enc(0x00000001))).isEqualTo(0x0000);
        assertThat(hex(enc(0x00008000))).isEqualTo(0x0000);
        assertThat(hex(enc(0x00008001))).isEqualTo(0x0001);
        assertThat(hex(enc(0x00018000))).isEqualTo(0x0002);
        assertThat(hex(enc(0x80018000))).isEqualTo(0x8002);
        // The largest F32 subnormal rounds up to the smallest normal.
        assertThat(hex(enc(0x007FFFFF))).isEqualTo(0x0080);
        assertThat(Bf16.toFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
    }

    @Test
    void doubleRoundsOnceNotTwice() {
        // Just above the tie between 0x3F80 and 0x3F81, but float keeps only the tie itself.
        double d = 1.0 + 0x1p-8 + 0x1p-40;
        assertThat(hex(Bf16.fromFloat((float) d))).isEqualTo(0x3F80);
        assertThat(hex(Bf16.fromDouble(d))).isEqualTo(0x3F81);
        assertThat(hex(Bf16.fromDouble(1e300))).isEqualTo(0x7F80);
        assertThat(hex(Bf16.fromDouble(-1e300))).isEqualTo(0xFF80);
        assertThat(hex(Bf16.fromDouble(Double.MIN_VALUE))).isEqualTo(0x0000);
        assertThat(hex(Bf16.fromDouble(-1e-300))).isEqualTo(0x8000);
        // Below half the smallest BF16 subnormal (2^-133), and just above it.
        assertThat(hex(Bf16.fromDouble(0x1p-134))).isEqualTo(0x0000);
        assertThat(hex(Bf16.fromDouble(Math.nextUp(0x1p-134)))).isEqualTo(0x0001);
    }

    @Test
    void everyMidpointBetweenNeighboursTiesToEven() {
        for (int c = 0; c < 0x7F7F; c++) { // the top gap, against Inf, is tested above
            double lo = Bf16.toFloat((short) c);
            double hi = Bf16.toFloat((short) (c + 1));
            double mid = (lo + hi) / 2; // exact: both are floats, the mean fits a double
            int even = (c & 1) == 0 ? c : c + 1;
            assertThat(hex(Bf16.fromDouble(mid))).as("mid of %x", c).isEqualTo(even);
            assertThat(hex(Bf16.fromFloat((float) mid))).as("mid of %x", c).isEqualTo(even);
            assertThat(hex(Bf16.fromDouble(Math.nextDown(mid)))).isEqualTo(c);
            assertThat(hex(Bf16.fromDouble(Math.nextUp(mid)))).isEqualTo(c + 1);
        }
    }
}
