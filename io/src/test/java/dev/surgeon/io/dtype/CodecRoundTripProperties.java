package dev.surgeon.io.dtype;

import static org.assertj.core.api.Assertions.assertThat;

import dev.surgeon.io.safetensors.DType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.DoubleToIntFunction;
import java.util.function.IntToDoubleFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Codecs against an independent reference: the nearest code is found by binary search over the
 * format's own decoded values and exact BigDecimal distances, ties to the even code, so the bit
 * tricks and the scalb/rint rounding are both checked against plain arithmetic.
 */
class CodecRoundTripProperties {

    /** A narrow format as the reference sees it. Codes are sign-free magnitudes. */
    enum Fmt {
        BFLOAT16(15, 0x7F7F, 0x7F80, 0x1p128, c -> Bf16.toFloat((short) c),
                x -> Bf16.fromDouble(x) & 0xFFFF, x -> Bf16.fromFloat(x) & 0xFFFF),
        HALF(15, 0x7BFF, 0x7C00, 65536, c -> F16.toFloat((short) c),
                x -> F16.fromDouble(x) & 0xFFFF, x -> F16.fromFloat(x) & 0xFFFF),
        // E4M3FN has no Inf: what would round past 448 lands on the NaN code 0x7F (value 480).
        E4M3(7, 0x7E, 0x7F, 480, c -> F8E4M3.toFloat((byte) c),
                x -> F8E4M3.fromDouble(x) & 0xFF, x -> F8E4M3.fromFloat(x) & 0xFF),
        E5M2(7, 0x7B, 0x7C, 65536, c -> F8E5M2.toFloat((byte) c),
                x -> F8E5M2.fromDouble(x) & 0xFF, x -> F8E5M2.fromFloat(x) & 0xFF);

        final int signBit;
        final int maxFinite;
        final int overflowCode;
        final double overflowValue;
        final IntToDoubleFunction decode;
        final DoubleToIntFunction fromDouble;
        final FloatToInt fromFloat;

        Fmt(int signBit, int maxFinite, int overflowCode, double overflowValue,
                IntToDoubleFunction decode, DoubleToIntFunction fromDouble, FloatToInt fromFloat) {
            this.signBit = signBit;
            this.maxFinite = maxFinite;
            this.overflowCode = overflowCode;
            this.overflowValue = overflowValue;
            this.decode = decode;
            this.fromDouble = fromDouble;
            this.fromFloat = fromFloat;
        }

        boolean overflowIsNan() {
            return this == E4M3;
        }

        /** The reference code for x, or -1 when the answer must be a NaN. */
        int expected(double x) {
            if (Double.isNaN(x)) {
                return -1;
            }
            int sign = x < 0 || Double.doubleToRawLongBits(x) < 0 ? 1 << signBit : 0;
            if (Double.isInfinite(x)) {
                return overflowIsNan() ? -1 : sign | overflowCode;
            }
            int code = nearest(new BigDecimal(Math.abs(x)));
            return code == overflowCode && overflowIsNan() ? -1 : sign | code;
        }

        private int nearest(BigDecimal a) {
            int lo = 0;
            int hi = maxFinite;
            while (lo < hi) { // largest code whose value is <= a
                int mid = (lo + hi + 1) >>> 1;
                if (exact(mid).compareTo(a) <= 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            BigDecimal below = exact(lo);
            if (below.compareTo(a) == 0) {
                return lo;
            }
            int nextCode = lo == maxFinite ? overflowCode : lo + 1;
            BigDecimal above = lo == maxFinite ? new BigDecimal(overflowValue) : exact(lo + 1);
            int cmp = a.subtract(below).compareTo(above.subtract(a));
            if (cmp != 0) {
                return cmp < 0 ? lo : nextCode;
            }
            return (lo & 1) == 0 ? lo : nextCode;
        }

        private BigDecimal exact(int code) {
            return new BigDecimal(decode.applyAsDouble(code));
        }

        boolean isNanCode(int code) {
            return Double.isNaN(decode.applyAsDouble(code));
        }

        void check(double x, int actual) {
            int want = expected(x);
            if (want < 0) {
                assertThat(isNanCode(actual)).as("%s of %s gives NaN, got %x", this, x, actual)
                        .isTrue();
            } else {
                assertThat(actual).as("%s of %s (%a)", this, x, x).isEqualTo(want);
                // So decode(encode(x)) is the nearest representable value.
                assertThat(decode.applyAsDouble(actual)).isEqualTo(decode.applyAsDouble(want));
            }
        }
    }

    interface FloatToInt {
        int apply(float f);
    }

    @Provide
    Arbitrary<Float> anyFloat() {
        return Arbitraries.integers().map(Float::intBitsToFloat);
    }

    /** Floats spread over the exponents where the narrow formats round, incl. their edges. */
    @Provide
    Arbitrary<Float> nearRange() {
        return Combinators.combine(Arbitraries.integers().between(-30, 17),
                Arbitraries.integers(), Arbitraries.of(1f, -1f))
                .as((e, m, s) -> s * Math.scalb(1 + (m >>> 9) * 0x1p-23f, e));
    }

    @Provide
    Arbitrary<Double> nearRangeDouble() {
        return Combinators.combine(Arbitraries.integers().between(-140, 130),
                Arbitraries.longs(), Arbitraries.of(1.0, -1.0))
                .as((e, m, s) -> s * Math.scalb(1 + (m >>> 12) * 0x1p-52, e));
    }

    @Property
    void fromFloatIsNearest(@ForAll("anyFloat") float x) {
        for (Fmt f : Fmt.values()) {
            f.check(x, f.fromFloat.apply(x));
        }
    }

    @Property
    void fromFloatIsNearestInRange(@ForAll("nearRange") float x) {
        for (Fmt f : Fmt.values()) {
            f.check(x, f.fromFloat.apply(x));
        }
    }

    @Property
    void fromDoubleIsNearest(@ForAll("nearRangeDouble") double x) {
        for (Fmt f : Fmt.values()) {
            f.check(x, f.fromDouble.applyAsInt(x));
        }
    }

    @Property
    void floatAndDoublePathsAgree(@ForAll("nearRange") float x, @ForAll("anyFloat") float y) {
        for (Fmt f : Fmt.values()) {
            assertThat(f.fromFloat.apply(x)).isEqualTo(f.fromDouble.applyAsInt(x));
            if (!Float.isNaN(y)) { // NaN payload handling is allowed to differ
                assertThat(f.fromFloat.apply(y)).isEqualTo(f.fromDouble.applyAsInt(y));
            }
        }
    }

    @Example
    void every16BitPatternRoundTrips() {
        for (Fmt f : new Fmt[] {Fmt.BFLOAT16, Fmt.HALF}) {
            for (int c = 0; c < 1 << 16; c++) {
                double v = f.decode.applyAsDouble(c);
                if (Double.isNaN(v)) {
                    assertThat(f.isNanCode(f.fromFloat.apply((float) v))).isTrue();
                    assertThat(f.isNanCode(f.fromDouble.applyAsInt(v))).isTrue();
                } else {
                    assertThat(f.fromFloat.apply((float) v)).as("%s %x", f, c).isEqualTo(c);
                    assertThat(f.fromDouble.applyAsInt(v)).as("%s %x", f, c).isEqualTo(c);
                }
            }
        }
    }

    @Provide
    Arbitrary<Double> integerish() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.doubles().between(-1e20, 1e20),
                Arbitraries.integers().between(-600, 600).map(i -> i / 2.0),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        0x1p63, 0x1p64, -0x1p63, 4294967295.5, 65535.5, -128.5, 127.5));
    }

    @Property
    void integerEncodeRoundsHalfEvenAndSaturates(@ForAll("integerish") double x) {
        for (DType t : new DType[] {DType.U8, DType.I8, DType.U16, DType.I16, DType.U32,
                DType.I32, DType.U64, DType.I64}) {
            BigInteger want = integerReference(t, x);
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ElementCodec.encode(t, new double[] {x}, 0, 1, b);
            assertThat(readInteger(t, b)).as("%s of %s", t, x).isEqualTo(want);
            if (!Double.isInfinite(x) && (float) x == x) {
                b.clear();
                ElementCodec.encode(t, new float[] {(float) x}, 0, 1, b);
                assertThat(readInteger(t, b)).as("%s of float %s", t, x).isEqualTo(want);
            }
        }
    }

    private static BigInteger integerReference(DType t, double x) {
        int bits = t.bits();
        boolean unsigned = t.name().startsWith("U");
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (Double.isNaN(x)) {
            return BigInteger.ZERO;
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? max : min;
        }
        BigInteger r = new BigDecimal(x).setScale(0, RoundingMode.HALF_EVEN).toBigInteger();
        return r.max(min).min(max);
    }

    private static BigInteger readInteger(DType t, ByteBuffer b) {
        byte[] le = new byte[t.byteWidth()];
        b.flip();
        b.get(le);
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return t.name().startsWith("U") ? new BigInteger(1, be) : new BigInteger(be);
    }
}
