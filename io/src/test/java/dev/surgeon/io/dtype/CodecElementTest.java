package dev.surgeon.io.dtype;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.surgeon.io.safetensors.DType;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ElementCodec: byte layout, integer rules, buffer positions, and convert against encode. */
class CodecElementTest {

    private static final List<DType> DECODABLE = new ArrayList<>();

    static {
        for (DType t : DType.values()) {
            if (t.decodable()) {
                DECODABLE.add(t);
            }
        }
    }

    /** Little-endian bytes; the buffer itself is big-endian so order must not be relied on. */
    private static ByteBuffer bytes(int... b) {
        ByteBuffer buf = ByteBuffer.allocate(b.length).order(ByteOrder.BIG_ENDIAN);
        for (int x : b) {
            buf.put((byte) x);
        }
        return buf.flip();
    }

    private static double[] decodeD(DType t, ByteBuffer b, int n) {
        double[] d = new double[n];
        ElementCodec.decode(t, b, d, 0, n);
        return d;
    }

    private static float[] decodeF(DType t, ByteBuffer b, int n) {
        float[] d = new float[n];
        ElementCodec.decode(t, b, d, 0, n);
        return d;
    }

    private static byte[] encodeD(DType t, double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * t.byteWidth());
        ElementCodec.encode(t, v, 0, v.length, b);
        assertThat(b.remaining()).isZero();
        return b.array();
    }

    private static byte[] encodeF(DType t, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * t.byteWidth());
        ElementCodec.encode(t, v, 0, v.length, b);
        return b.array();
    }

    private static byte[] le(long v, int width) {
        byte[] out = new byte[width];
        for (int i = 0; i < width; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    @Test
    void decodesEachTypeLittleEndian() {
        assertThat(decodeD(DType.BOOL, bytes(0, 1, 2, 0xFF), 4)).containsExactly(0, 1, 1, 1);
        assertThat(decodeD(DType.U8, bytes(0xFF, 7), 2)).containsExactly(255, 7);
        assertThat(decodeD(DType.I8, bytes(0xFF, 0x80), 2)).containsExactly(-1, -128);
        assertThat(decodeD(DType.U16, bytes(0xFF, 0xFF, 0x34, 0x12), 2))
                .containsExactly(65535, 0x1234);
        assertThat(decodeD(DType.I16, bytes(0xFF, 0xFF, 0x00, 0x80), 2))
                .containsExactly(-1, -32768);
        assertThat(decodeD(DType.U32, bytes(0xFF, 0xFF, 0xFF, 0xFF), 1))
                .containsExactly(4294967295.0);
        assertThat(decodeD(DType.I32, bytes(0xFE, 0xFF, 0xFF, 0xFF), 1)).containsExactly(-2);
        assertThat(decodeD(DType.U64, bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), 1))
                .containsExactly(0x1p64);
        assertThat(decodeD(DType.I64, bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), 1))
                .containsExactly(-1);
        assertThat(decodeD(DType.F16, bytes(0x00, 0x3C, 0xFF, 0x7B), 2)).containsExactly(1, 65504);
        assertThat(decodeD(DType.BF16, bytes(0x80, 0x3F, 0x00, 0xC0), 2)).containsExactly(1, -2);
        assertThat(decodeD(DType.F32, bytes(0x00, 0x00, 0x80, 0x3F), 1)).containsExactly(1);
        assertThat(decodeD(DType.F64, bytes(0, 0, 0, 0, 0, 0, 0xF0, 0x3F), 1)).containsExactly(1);
        assertThat(decodeD(DType.F8_E4M3, bytes(0x7E, 0x01), 2)).containsExactly(448, 0x1p-9);
        assertThat(decodeD(DType.F8_E5M2, bytes(0x7B, 0xFC), 2))
                .containsExactly(57344, Double.NEGATIVE_INFINITY);
        assertThat(decodeF(DType.U32, bytes(0xFF, 0xFF, 0xFF, 0xFF), 1))
                .containsExactly(4294967296f);
        assertThat(decodeF(DType.I8, bytes(0x80), 1)).containsExactly(-128f);
        assertThat(decodeF(DType.F64, bytes(0, 0, 0, 0, 0, 0, 0xF0, 0x3F), 1)).containsExactly(1f);
    }

    @Test
    void sixtyFourBitIntegersRoundCorrectly() {
        // 2^64 - 1 and 2^63 + 2^40 + 1: float/double must round, not truncate.
        assertThat(decodeF(DType.U64, ByteBuffer.wrap(le(-1L, 8)), 1)).containsExactly(0x1p64f);
        long v = (1L << 62) + (1L << 38) + 1; // just above the float tie: rounds up
        assertThat(decodeF(DType.I64, ByteBuffer.wrap(le(v, 8)), 1))
                .containsExactly((float) v).containsExactly(0x1p62f + 0x1p39f);
        long u = Long.MIN_VALUE + (1L << 39) + 1; // as U64: 2^63 + 2^39 + 1, above the tie
        assertThat(decodeF(DType.U64, ByteBuffer.wrap(le(u, 8)), 1))
                .containsExactly(0x1p63f + 0x1p40f);
        assertThat(decodeD(DType.I64, ByteBuffer.wrap(le(Long.MAX_VALUE, 8)), 1))
                .containsExactly(0x1p63);
    }

    @Test
    void readsAtPositionAdvancesAndLeavesOrderAlone() {
        ByteBuffer b = bytes(0xAA, 0x00, 0x3C, 0x00, 0x40, 0xBB).position(1);
        float[] out = new float[4];
        ElementCodec.decode(DType.F16, b, out, 1, 2);
        assertThat(out).containsExactly(0f, 1f, 2f, 0f);
        assertThat(b.position()).isEqualTo(5);
        assertThat(b.order()).isEqualTo(ByteOrder.BIG_ENDIAN);

        ByteBuffer w = ByteBuffer.allocate(7).order(ByteOrder.BIG_ENDIAN).position(1);
        ElementCodec.encode(DType.I16, new double[] {9, 0x1234, -2, 9}, 1, 2, w);
        assertThat(w.position()).isEqualTo(5);
        assertThat(w.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(w.array()).containsExactly(0, 0x34, 0x12, 0xFE, 0xFF, 0, 0);
    }

    @Test
    void directBuffersWork() {
        ByteBuffer d = ByteBuffer.allocateDirect(8);
        ElementCodec.encode(DType.F32, new float[] {1.5f, -2f}, 0, 2, d);
        d.flip();
        assertThat(decodeF(DType.F32, d, 2)).containsExactly(1.5f, -2f);
        assertThat(d.hasRemaining()).isFalse();
    }

    @Test
    void integersRoundHalfToEvenThenSaturate() {
        assertThat(encodeD(DType.I8, 2.5, 3.5, -2.5, -0.5, 0.5000001, Double.NaN))
                .containsExactly(2, 4, -2, 0, 1, 0);
        assertThat(encodeD(DType.U8, 300, -5, 255.4, 255.5, Double.POSITIVE_INFINITY))
                .containsExactly(0xFF, 0, 0xFF, 0xFF, 0xFF);
        assertThat(encodeD(DType.I8, -1e9, 127.5, -128.5)).containsExactly(0x80, 0x7F, 0x80);
        assertThat(encodeD(DType.I16, 40000, -40000)).containsExactly(0xFF, 0x7F, 0x00, 0x80);
        assertThat(encodeD(DType.U16, 65535.5)).containsExactly(0xFF, 0xFF);
        assertThat(encodeD(DType.I32, 1e10)).isEqualTo(le(Integer.MAX_VALUE, 4));
        assertThat(encodeD(DType.U32, 4294967295.4, -1)).isEqualTo(concat(le(-1L, 4), le(0, 4)));
        assertThat(encodeD(DType.I64, Double.NEGATIVE_INFINITY)).isEqualTo(le(Long.MIN_VALUE, 8));
        assertThat(encodeD(DType.I64, 0x1p63)).isEqualTo(le(Long.MAX_VALUE, 8));
        assertThat(encodeD(DType.U64, Double.POSITIVE_INFINITY)).isEqualTo(le(-1L, 8));
        assertThat(encodeD(DType.U64, 0x1p63)).isEqualTo(le(Long.MIN_VALUE, 8));
        assertThat(encodeD(DType.U64, 0x1p63 + 0x1p11)).isEqualTo(le(Long.MIN_VALUE + 2048, 8));
        assertThat(encodeD(DType.U64, -3, Double.NaN)).isEqualTo(new byte[16]);
        assertThat(encodeF(DType.I32, 2.5f, Float.NaN, 3e9f))
                .isEqualTo(concat(le(2, 4), le(0, 4), le(Integer.MAX_VALUE, 4)));
    }

    @Test
    void boolIsNonZeroAndNanIsTrue() {
        assertThat(encodeD(DType.BOOL, 0, -0.0, 0.5, -3, Double.NaN, 1e-300))
                .containsExactly(0, 0, 1, 1, 1, 1);
        assertThat(encodeF(DType.BOOL, 0f, Float.NaN, 2f)).containsExactly(0, 1, 1);
    }

    @Test
    void floatTargetsRoundToNearestEven() {
        assertThat(encodeF(DType.F16, 65520f, 1f, -0f))
                .containsExactly(0x00, 0x7C, 0x00, 0x3C, 0x00, 0x80);
        assertThat(encodeF(DType.BF16, Float.intBitsToFloat(0x3F818000)))
                .containsExactly(0x82, 0x3F);
        assertThat(encodeD(DType.BF16, 1.0 + 0x1p-8 + 0x1p-40)).containsExactly(0x81, 0x3F);
        assertThat(encodeD(DType.F8_E4M3, 500, 448)).containsExactly(0x7F, 0x7E);
        assertThat(encodeF(DType.F8_E5M2, 61440f)).containsExactly(0x7C);
        assertThat(encodeD(DType.F32, 1 + 0x1p-24)).isEqualTo(le(Float.floatToIntBits(1f), 4));
        assertThat(encodeD(DType.F32, 1 + 0x1p-24 + 0x1p-50))
                .isEqualTo(le(Float.floatToIntBits(1 + 0x1p-23f), 4));
        // F32 output keeps raw NaN payloads: the codec must not canonicalise.
        float odd = Float.intBitsToFloat(0x7FA00001);
        assertThat(encodeF(DType.F32, odd)).isEqualTo(le(0x7FA00001, 4));
        assertThat(encodeD(DType.F64, 0.1)).isEqualTo(le(Double.doubleToLongBits(0.1), 8));
    }

    @Test
    void opaqueTypesAreRefused() {
        ByteBuffer b = ByteBuffer.allocate(64);
        for (DType t : DType.values()) {
            if (t.decodable()) {
                continue;
            }
            assertThatThrownBy(() -> ElementCodec.decode(t, b, new float[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ElementCodec.decode(t, b, new double[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ElementCodec.encode(t, new float[1], 0, 1, b))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ElementCodec.encode(t, new double[1], 0, 1, b))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ElementCodec.convert(t, DType.F32, b, b.duplicate(), 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ElementCodec.convert(DType.F32, t, b, b.duplicate(), 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(b.position()).isZero();
    }

    @Test
    void shortBuffersFailWithoutMoving() {
        ByteBuffer small = ByteBuffer.allocate(6);
        assertThatThrownBy(() -> ElementCodec.decode(DType.F32, small, new float[2], 0, 2))
                .isInstanceOf(BufferUnderflowException.class);
        assertThatThrownBy(() -> ElementCodec.encode(DType.F32, new float[2], 0, 2, small))
                .isInstanceOf(BufferOverflowException.class);
        ByteBuffer other = ByteBuffer.allocate(6);
        assertThatThrownBy(() -> ElementCodec.convert(DType.BF16, DType.F32, small, other, 3))
                .isInstanceOf(BufferOverflowException.class);
        ByteBuffer readOnly = small.asReadOnlyBuffer();
        assertThatThrownBy(() -> ElementCodec.encode(DType.U8, new float[1], 0, 1, readOnly))
                .isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> ElementCodec.decode(DType.U8, small, new float[2], 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(small.position()).isZero();
        assertThat(other.position()).isZero();
    }

    @Test
    void identityConvertCopiesBytes() {
        ByteBuffer src = bytes(1, 2, 3, 4, 5, 6, 7).position(1);
        ByteBuffer dst = ByteBuffer.allocate(8).position(2);
        ElementCodec.convert(DType.F16, DType.F16, src, dst, 2);
        assertThat(src.position()).isEqualTo(5);
        assertThat(dst.position()).isEqualTo(6);
        assertThat(dst.array()).containsExactly(0, 0, 2, 3, 4, 5, 0, 0);
    }

    @Test
    void fastPathsMatchTheScalarCodecs() {
        Random r = new Random(42);
        int n = 3 * FastPaths.BLOCK + 17; // several blocks plus a ragged tail
        ByteBuffer f32 = ByteBuffer.allocate(4 * n + 3).order(ByteOrder.LITTLE_ENDIAN);
        f32.position(3);
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = i % 3 == 0 ? r.nextInt() : Float.floatToRawIntBits((float) r.nextGaussian());
            f32.putInt(3 + 4 * i, bits[i]);
        }
        ByteBuffer half = ByteBuffer.allocate(2 * n).order(ByteOrder.BIG_ENDIAN);
        ElementCodec.convert(DType.F32, DType.BF16, f32, half, n);
        assertThat(f32.hasRemaining()).isFalse();
        assertThat(half.hasRemaining()).isFalse();
        ByteBuffer view = half.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            assertThat(view.getShort(2 * i))
                    .isEqualTo(Bf16.fromFloat(Float.intBitsToFloat(bits[i])));
        }
        ByteBuffer back = ByteBuffer.allocate(4 * n);
        half.flip();
        ElementCodec.convert(DType.BF16, DType.F32, half, back, n);
        ByteBuffer bv = back.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            assertThat(bv.getInt(4 * i)).isEqualTo((view.getShort(2 * i) & 0xFFFF) << 16);
        }

        f32.position(3);
        half.clear();
        ElementCodec.convert(DType.F32, DType.F16, f32, half, n);
        for (int i = 0; i < n; i++) {
            assertThat(view.getShort(2 * i))
                    .isEqualTo(F16.fromFloat(Float.intBitsToFloat(bits[i])));
        }
        half.flip();
        back.clear();
        ElementCodec.convert(DType.F16, DType.F32, half, back, n);
        for (int i = 0; i < n; i++) {
            float want = F16.toFloat(view.getShort(2 * i));
            assertThat(bv.getInt(4 * i)).isEqualTo(Float.floatToRawIntBits(want));
        }
    }

    /**
     * Every pair of decodable types: convert equals decode-to-double then encode, element by
     * element, for sources a double holds exactly (all but I64/U64, covered separately).
     */
    @Test
    void convertMatchesEncodeOfDecodeForEveryPair() {
        Random r = new Random(7);
        int n = FastPaths.BLOCK + 100;
        for (DType from : DECODABLE) {
            byte[] raw = new byte[n * from.byteWidth()];
            r.nextBytes(raw);
            if (from == DType.I64 || from == DType.U64) {
                // Keep them within double's exact range here.
                ByteBuffer w = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    w.putLong(8 * i, w.getLong(8 * i) >> 12);
                }
            }
            double[] values = decodeD(from, ByteBuffer.wrap(raw), n);
            for (DType to : DECODABLE) {
                ByteBuffer out = ByteBuffer.allocate(n * to.byteWidth());
                ElementCodec.convert(from, to, ByteBuffer.wrap(raw), out, n);
                byte[] want = from == to ? raw : encodeD(to, values);
                assertSameElements(to, out.array(), want, from + "->" + to);
            }
        }
    }

    /** Equal bytes, except that any NaN matches any NaN (payload handling may differ). */
    private static void assertSameElements(DType t, byte[] got, byte[] want, String what) {
        if (Arrays.equals(got, want)) {
            return;
        }
        int n = got.length / t.byteWidth();
        double[] g = decodeD(t, ByteBuffer.wrap(got), n);
        double[] w = decodeD(t, ByteBuffer.wrap(want), n);
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(g[i]) && Double.isNaN(w[i])) {
                continue;
            }
            int k = t.byteWidth();
            assertThat(Arrays.copyOfRange(got, i * k, i * k + k)).as("%s element %d", what, i)
                    .isEqualTo(Arrays.copyOfRange(want, i * k, i * k + k));
        }
    }

    @Test
    void sixtyFourBitIntegersConvertWithoutLosingBits() {
        long big = (1L << 62) + 1;
        assertThat(convert(DType.I64, DType.U64, le(big, 8))).isEqualTo(le(big, 8));
        assertThat(convert(DType.I64, DType.U64, le(-5, 8))).isEqualTo(le(0, 8));
        assertThat(convert(DType.U64, DType.I64, le(-1L, 8))).isEqualTo(le(Long.MAX_VALUE, 8));
        assertThat(convert(DType.U64, DType.I32, le(Long.MIN_VALUE, 8)))
                .isEqualTo(le(Integer.MAX_VALUE, 4));
        assertThat(convert(DType.I64, DType.I32, le(Long.MIN_VALUE, 8)))
                .isEqualTo(le(Integer.MIN_VALUE, 4));
        assertThat(convert(DType.U32, DType.I16, le(0xFFFFFFFFL, 4)))
                .isEqualTo(le(Short.MAX_VALUE, 2));
        assertThat(convert(DType.I8, DType.U64, le(-1, 1))).isEqualTo(le(0, 8));
        assertThat(convert(DType.U64, DType.BOOL, le(Long.MIN_VALUE, 8))).containsExactly(1);
        assertThat(convert(DType.BOOL, DType.I64, new byte[] {7})).isEqualTo(le(1, 8));
        assertThat(convert(DType.U64, DType.F64, le(-1L, 8)))
                .isEqualTo(le(Double.doubleToLongBits(0x1p64), 8));
        assertThat(convert(DType.I64, DType.F64, le(big, 8)))
                .isEqualTo(le(Double.doubleToLongBits(0x1p62), 8));
    }

    @Test
    void sixtyFourBitIntegersRoundOnceToNarrowFloats() {
        // 2^62 + 2^54 + 1 is just above the BF16 tie; a plain long->double drops the +1 and
        // would then tie to even (0x5E80). Rounded once, it is 0x5E81.
        long v = (1L << 62) + (1L << 54) + 1;
        assertThat(convert(DType.I64, DType.BF16, le(v, 8))).containsExactly(0x81, 0x5E);
        assertThat(convert(DType.I64, DType.BF16, le(-v, 8))).containsExactly(0x81, 0xDE);
        assertThat(convert(DType.U64, DType.BF16, le(v, 8))).containsExactly(0x81, 0x5E);
        // Same trap for F32: 2^62 + 2^38 + 1 sits just above the float tie.
        long w = (1L << 62) + (1L << 38) + 1;
        assertThat(convert(DType.I64, DType.F32, le(w, 8)))
                .isEqualTo(le(Float.floatToIntBits((float) w), 4));
        assertThat(convert(DType.I64, DType.F32, le(Long.MIN_VALUE, 8)))
                .isEqualTo(le(Float.floatToIntBits(-0x1p63f), 4));
        assertThat(convert(DType.U64, DType.F8_E4M3, le(-1L, 8))).containsExactly(0x7F);
        assertThat(convert(DType.I64, DType.F8_E5M2, le(57344, 8))).containsExactly(0x7B);
    }

    private static byte[] convert(DType from, DType to, byte[] in) {
        ByteBuffer src = ByteBuffer.wrap(in);
        ByteBuffer dst = ByteBuffer.allocate(to.byteWidth());
        ElementCodec.convert(from, to, src, dst, 1);
        assertThat(src.hasRemaining()).isFalse();
        assertThat(dst.hasRemaining()).isFalse();
        return dst.array();
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
