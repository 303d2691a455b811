package dev.surgeon.io.safetensors;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates the JSON header of a safetensors file against the length of its data
 * section. Everything is checked before any tensor byte is touched; every failure is one
 * {@link FormatError}. A streaming reader is used (not a tree) so duplicate keys are seen.
 */
public final class HeaderParser {
    /** Largest header the reference reader accepts. */
    public static final long MAX_HEADER_LENGTH = 100_000_000L;
    public static final String METADATA_KEY = "__metadata__";

    private static final Pattern JSON_UINT = Pattern.compile("0|[1-9][0-9]*");
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final String file;

    private HeaderParser(String file) {
        this.file = file;
    }

    /**
     * Checks the 8-byte prefix against the file length and returns N, the header length.
     * Call before allocating anything for the header.
     */
    public static long headerLength(String file, ByteBuffer prefix, long fileLength) {
        if (fileLength < 8 || prefix.remaining() < 8) {
            throw new SafetensorsFormatException(FormatError.HEADER_TOO_SMALL, file, null,
                    "file is " + fileLength + " bytes, shorter than the 8-byte header length");
        }
        long n = prefix.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(n, MAX_HEADER_LENGTH) > 0) {
            throw new SafetensorsFormatException(FormatError.HEADER_TOO_LARGE, file, null,
                    "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_LENGTH);
        }
        if (8 + n > fileLength) {
            throw new SafetensorsFormatException(FormatError.INVALID_HEADER_LENGTH, file, null,
                    "header length " + n + " runs past the end of the " + fileLength + "-byte file");
        }
        return n;
    }

    /** Parses header bytes; {@code dataLength} is the file length minus 8 minus the header length. */
    public static SafetensorsHeader parse(String file, byte[] headerBytes, long dataLength) {
        return new HeaderParser(file).run(headerBytes, dataLength);
    }

    private SafetensorsHeader run(byte[] headerBytes, long dataLength) {
        String json = decodeUtf8(headerBytes);
        if (!json.isEmpty() && json.charAt(0) == '\uFEFF') {
            // the JSON reader would skip it; the reference reader does not
            throw fail(FormatError.INVALID_HEADER_JSON, null, "header starts with a byte-order mark, not a JSON value");
        }
        List<RawEntry> raw = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> metadata = null;
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw fail(FormatError.INVALID_HEADER_JSON, null, "header is not a JSON object");
            }
            r.beginObject();
            Set<String> seen = new HashSet<>();
            while (r.hasNext()) {
                String key = text(r.nextName());
                if (!seen.add(key)) {
                    throw fail(FormatError.DUPLICATE_KEY, key, "key appears more than once in the header");
                }
                if (METADATA_KEY.equals(key)) {
                    metadata = readMetadata(r);
                } else {
                    raw.add(readEntry(r, key, warnings));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw fail(FormatError.INVALID_HEADER_JSON, null, "text follows the header object");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw fail(FormatError.INVALID_HEADER_JSON, null, "header is not valid JSON (" + oneLine(e) + ")");
        }
        List<TensorInfo> tensors = validate(raw, dataLength);
        return new SafetensorsHeader(tensors, metadata, headerBytes.length, dataLength, warnings);
    }

    private String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(FormatError.INVALID_HEADER_UTF8, null, "header is not valid UTF-8");
        }
    }

    /**
     * A name or metadata string as read, refused when a {@code \\u} escape left half a surrogate
     * pair: such a string is not Unicode text, the reference reader rejects it, and it could not be
     * written back as UTF-8 unchanged.
     */
    private String text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw fail(FormatError.INVALID_HEADER_JSON, null, "a string escapes an unpaired UTF-16 surrogate (\\u"
                        + String.format("%04x", (int) c) + ")");
            }
        }
        return s;
    }

    private Map<String, String> readMetadata(JsonReader r) throws IOException {
        JsonToken t = r.peek();
        if (t == JsonToken.NULL) {
            r.nextNull();
            return null;
        }
        if (t != JsonToken.BEGIN_OBJECT) {
            throw fail(FormatError.INVALID_METADATA, null, "__metadata__ must be an object of strings or null, found " + t);
        }
        Map<String, String> m = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String k = text(r.nextName());
            if (r.peek() != JsonToken.STRING) {
                throw fail(FormatError.INVALID_METADATA, null, "__metadata__ value of '" + k + "' is " + r.peek() + ", not a string");
            }
            if (m.put(k, text(r.nextString())) != null) {
                throw fail(FormatError.DUPLICATE_KEY, null, "__metadata__ key '" + k + "' appears more than once");
            }
        }
        r.endObject();
        return m;
    }

    private RawEntry readEntry(JsonReader r, String name, List<String> warnings) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw fail(FormatError.INVALID_TENSOR_ENTRY, name, "entry is " + r.peek() + ", not an object");
        }
        String dtype = null;
        BigInteger[] shape = null;
        BigInteger[] offsets = null;
        Set<String> keys = new HashSet<>();
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            if (!keys.add(k)) {
                throw fail(FormatError.DUPLICATE_KEY, name, "entry key '" + k + "' appears more than once");
            }
            switch (k) {
                case "dtype":
                    if (r.peek() != JsonToken.STRING) {
                        throw fail(FormatError.INVALID_TENSOR_ENTRY, name, "dtype is " + r.peek() + ", not a string");
                    }
                    dtype = r.nextString();
                    break;
                case "shape":
                    shape = readUints(r, name, "shape");
                    break;
                case "data_offsets":
                    offsets = readUints(r, name, "data_offsets");
                    break;
                default:
                    r.skipValue();
                    warnings.add("tensor '" + name + "': unknown key '" + k + "' ignored");
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw fail(FormatError.INVALID_TENSOR_ENTRY, name, "entry has no '" + missing + "'");
        }
        if (offsets.length != 2) {
            throw fail(FormatError.INVALID_TENSOR_ENTRY, name, "data_offsets has " + offsets.length + " numbers, not 2");
        }
        DType dt = DType.fromHeader(dtype);
        if (dt == null) {
            throw fail(FormatError.INVALID_DTYPE, name, "unknown dtype '" + dtype + "'");
        }
        return new RawEntry(name, dt, shape, offsets[0], offsets[1]);
    }

    private BigInteger[] readUints(JsonReader r, String name, String field) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw fail(FormatError.INVALID_TENSOR_ENTRY, name, field + " is " + r.peek() + ", not an array");
        }
        List<BigInteger> out = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw fail(FormatError.INVALID_TENSOR_ENTRY, name, field + " holds " + r.peek() + ", not a number");
            }
            String s = r.nextString();
            if (!JSON_UINT.matcher(s).matches()) {
                throw fail(FormatError.INVALID_TENSOR_ENTRY, name, field + " holds " + s + ", not a non-negative integer");
            }
            out.add(new BigInteger(s));
        }
        r.endArray();
        return out.toArray(new BigInteger[0]);
    }

    private List<TensorInfo> validate(List<RawEntry> raw, long dataLength) {
        List<TensorInfo> tensors = new ArrayList<>(raw.size());
        for (RawEntry e : raw) {
            tensors.add(e.toInfo());
        }
        // Sorted by offsets the tensors must tile the data section; ties (zero-sized tensors) by name.
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name));
        long expected = 0;
        for (TensorInfo t : tensors) {
            if (t.begin() != expected) {
                throw fail(FormatError.INVALID_OFFSET, t.name(), "data starts at " + t.begin()
                        + " but the previous tensor ends at " + expected
                        + (t.begin() < expected ? " (overlap)" : " (hole)"));
            }
            if (t.end() < t.begin()) {
                throw fail(FormatError.INVALID_OFFSET, t.name(), "data_offsets end " + t.end() + " is before begin " + t.begin());
            }
            long span;
            try {
                span = Shapes.byteSize(t.dtype(), t.shape());
            } catch (ArithmeticException ex) {
                throw fail(FormatError.VALIDATION_OVERFLOW, t.name(), "shape " + Shapes.format(t.shape())
                        + " of " + t.dtype() + " overflows 64 bits");
            } catch (IllegalArgumentException ex) {
                throw fail(FormatError.TENSOR_INVALID_INFO, t.name(), ex.getMessage());
            }
            if (span != t.byteSize()) {
                throw fail(FormatError.TENSOR_INVALID_INFO, t.name(), "shape " + Shapes.format(t.shape()) + " of "
                        + t.dtype() + " needs " + span + " bytes but data_offsets span " + t.byteSize());
            }
            expected = t.end();
        }
        if (expected != dataLength) {
            throw fail(FormatError.METADATA_INCOMPLETE_BUFFER, null, "tensors cover " + expected
                    + " bytes but the data section holds " + dataLength);
        }
        return tensors;
    }

    private SafetensorsFormatException fail(FormatError e, String tensor, String detail) {
        return new SafetensorsFormatException(e, file, tensor, detail);
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** An entry as written, before the numbers are known to fit in 64 bits. */
    private final class RawEntry {
        final String name;
        final DType dtype;
        final BigInteger[] shape;
        final BigInteger begin;
        final BigInteger end;

        RawEntry(String name, DType dtype, BigInteger[] shape, BigInteger begin, BigInteger end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }

        TensorInfo toInfo() {
            long[] s = new long[shape.length];
            for (int i = 0; i < s.length; i++) {
                if (shape[i].compareTo(LONG_MAX) > 0) {
                    throw fail(FormatError.VALIDATION_OVERFLOW, name, "dimension " + shape[i] + " overflows 64 bits");
                }
                s[i] = shape[i].longValueExact();
            }
            if (begin.compareTo(LONG_MAX) > 0 || end.compareTo(LONG_MAX) > 0) {
                throw fail(FormatError.VALIDATION_OVERFLOW, name, "data_offsets [" + begin + ", " + end + "] overflow 64 bits");
            }
            return new TensorInfo(name, dtype, s, begin.longValueExact(), end.longValueExact());
        }
    }
}
