package dev.surgeon.io.safetensors;

import java.util.HashMap;
import java.util.Map;

/**
 * Every element type the safetensors format defines, with its width in bits. Any other dtype
 * string in a header is invalid. {@link #writeRank} is the reference writer's enum position: the
 * writer orders tensors by it, descending, then by name.
 */
public enum DType {
    BOOL(8, Kind.BOOL, 0),
    F4(4, Kind.OPAQUE, 1),
    F6_E2M3(6, Kind.OPAQUE, 2),
    F6_E3M2(6, Kind.OPAQUE, 3),
    U8(8, Kind.INT, 4),
    I8(8, Kind.INT, 5),
    F8_E5M2(8, Kind.FLOAT, 6),
    F8_E4M3(8, Kind.FLOAT, 7),
    F8_E8M0(8, Kind.OPAQUE, 8),
    F8_E4M3FNUZ(8, Kind.OPAQUE, 9),
    F8_E5M2FNUZ(8, Kind.OPAQUE, 10),
    I16(16, Kind.INT, 11),
    U16(16, Kind.INT, 12),
    F16(16, Kind.FLOAT, 13),
    BF16(16, Kind.FLOAT, 14),
    I32(32, Kind.INT, 15),
    U32(32, Kind.INT, 16),
    F32(32, Kind.FLOAT, 17),
    C64(64, Kind.OPAQUE, 18),
    F64(64, Kind.FLOAT, 19),
    I64(64, Kind.INT, 20),
    U64(64, Kind.INT, 21);

    /** How surgeon can treat the elements. */
    public enum Kind {
        /** Floating point that surgeon decodes for math. */
        FLOAT,
        /** Integers that surgeon decodes for math. */
        INT,
        BOOL,
        /** Carried through untouched: C64, F8_E8M0, the FNUZ types, F6, F4. */
        OPAQUE
    }

    private static final Map<String, DType> BY_NAME = new HashMap<>();

    static {
        for (DType d : values()) {
            BY_NAME.put(d.name(), d);
        }
    }

    private final int bits;
    private final Kind kind;
    private final int writeRank;

    DType(int bits, Kind kind, int writeRank) {
        this.bits = bits;
        this.kind = kind;
        this.writeRank = writeRank;
    }

    public int bits() {
        return bits;
    }

    public Kind kind() {
        return kind;
    }

    public int writeRank() {
        return writeRank;
    }

    /** True for the types math can read and write (every 8-bit-or-wider float, integer or bool). */
    public boolean decodable() {
        return kind != Kind.OPAQUE;
    }

    public boolean isFloat() {
        return kind == Kind.FLOAT;
    }

    /** Bytes per element for whole-byte types; sub-byte types have none. */
    public int byteWidth() {
        if (bits % 8 != 0) {
            throw new IllegalStateException(name() + " is a sub-byte type");
        }
        return bits / 8;
    }

    /** The dtype spelled exactly as in a header, or null when the format does not define it. */
    public static DType fromHeader(String s) {
        return BY_NAME.get(s);
    }

    /** A user-given dtype name, case-insensitive (bf16, F32, ...), or null. */
    public static DType parseUserName(String s) {
        return s == null ? null : BY_NAME.get(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
