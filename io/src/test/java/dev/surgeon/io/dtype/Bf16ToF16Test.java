package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Bf16ToF16Test {
    /** Every one of the 65,536 BF16 patterns converts as the F32 value it is would encode. */
    @Test
    void everyBf16PatternConvertsAsItsFloatValueEncodes() {
        int n = 1 << 16;
        ByteBuffer in = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < n; h++) {
            in.putShort((short) h);
        }
        in.flip();
        ByteBuffer out = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        ElementCodec.convert(DType.BF16, DType.F16, in, out, n);
        assertThat(in.position()).isEqualTo(2 * n);
        assertThat(out.position()).isEqualTo(2 * n);
        out.flip();
        for (int h = 0; h < n; h++) {
            short expected = F16.fromFloat(Float.intBitsToFloat(h << 16));
            assertThat(out.getShort()).as("bf16 0x%04x", h).isEqualTo(expected);
        }
    }

    /**
     * Blocks of normal values take the two-to-an-int path; one value outside the normal range
     * (zero, subnormal, overflow, NaN, in either half of a pair, first or last of a block) sends
     * its block element by element. Odd counts and odd byte positions (the int view unaligned)
     * leave the bytes around the range untouched.
     */
    @Test
    void normalBlocksAndBlocksWithOneSpecialValueConvertAsEachValueEncodes() {
        short[] specials = {0, (short) 0x8000, 0x0001, 0x3800, 0x387F, 0x4780, (short) 0xC780, 0x7F80, 0x7FC1, (short) 0xFF80};
        int[] counts = {1, 2, 3, FastPaths.PAIRS, 2 * FastPaths.PAIRS - 1, 2 * FastPaths.PAIRS, 2 * FastPaths.PAIRS + 1, 7 * FastPaths.PAIRS + 5};
        Random random = new Random(7);
        for (int count : counts) {
            for (int shift : new int[] {0, 1, 2, 3}) {
                for (int at : new int[] {-1, 0, 1, count / 2, count - 1, Math.min(count - 1, 2 * FastPaths.PAIRS)}) {
                    short[] values = new short[count];
                    for (int i = 0; i < count; i++) {
                        // normal F16 range in BF16: magnitude bits 0x3880 .. 0x477F, either sign
                        values[i] = (short) ((0x3880 + random.nextInt(0x477F - 0x3880 + 1)) | (random.nextBoolean() ? 0x8000 : 0));
                    }
                    if (at >= 0 && at < count) {
                        values[at] = specials[random.nextInt(specials.length)];
                    }
                    assertConverts(values, shift);
                }
            }
        }
    }

    private static void assertConverts(short[] values, int shift) {
        int n = values.length;
        ByteBuffer in = ByteBuffer.allocate(2 * n + shift).order(ByteOrder.LITTLE_ENDIAN);
        in.position(shift);
        for (short v : values) {
            in.putShort(v);
        }
        in.position(shift);
        ByteBuffer out = ByteBuffer.allocate(2 * n + shift + 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put(out.capacity() - 1, (byte) 0x5A);
        out.position(shift);
        ElementCodec.convert(DType.BF16, DType.F16, in, out, n);
        assertThat(in.position()).isEqualTo(shift + 2 * n);
        assertThat(out.position()).isEqualTo(shift + 2 * n);
        short[] got = new short[n];
        short[] expected = new short[n];
        for (int i = 0; i < n; i++) {
            got[i] = out.getShort(shift + 2 * i);
            expected[i] = F16.fromFloat(Float.intBitsToFloat(values[i] << 16));
        }
        assertThat(got).as("n %d shift %d", n, shift).isEqualTo(expected);
        assertThat(out.get(out.capacity() - 1)).isEqualTo((byte) 0x5A);
    }
}
