package dev.surgeon.io.dtype;

import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
}
