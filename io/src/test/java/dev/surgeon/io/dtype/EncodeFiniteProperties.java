package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-pass encode-and-check of the write pass gives the plain encoder's bytes, or declines. */
class EncodeFiniteProperties {
    private static float[] values(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // every bit pattern but NaN/Inf: subnormals, ties, values that round up to infinity
            int bits;
            do {
                bits = r.nextInt();
            } while ((bits & 0x7F800000) == 0x7F800000);
            v[i] = Float.intBitsToFloat(bits);
        }
        return v;
    }

    @Property(tries = 60)
    void finiteValuesEncodeExactlyAsThePlainEncoder(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20_000) int n,
                                                    @ForAll("floatTypes") DType t) {
        float[] v = values(seed, n);
        ByteBuffer a = ByteBuffer.allocate(3 + n * t.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.allocate(3 + n * t.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
        a.position(3);
        b.position(3);
        assertThat(ElementCodec.encodeFinite(t, v, 0, n, a)).isTrue();
        ElementCodec.encode(t, v, 0, n, b);
        assertThat(a.position()).isEqualTo(b.position());
        assertThat(a.array()).isEqualTo(b.array());
    }

    @Property(tries = 60)
    void anyNanOrInfinityDeclinesAndLeavesThePosition(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20_000) int n,
                                                      @ForAll @IntRange(min = 0, max = 2) int kind, @ForAll("floatTypes") DType t) {
        float[] v = values(seed, n);
        v[(int) Math.floorMod(seed, (long) n)] = kind == 0 ? Float.NaN : kind == 1 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        ByteBuffer a = ByteBuffer.allocate(n * t.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ElementCodec.encodeFinite(t, v, 0, n, a)).isFalse();
        assertThat(a.position()).isZero();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<DType> floatTypes() {
        return net.jqwik.api.Arbitraries.of(DType.BF16, DType.F16, DType.F32);
    }
}
