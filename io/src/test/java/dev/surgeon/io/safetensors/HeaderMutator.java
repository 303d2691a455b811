package dev.surgeon.io.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structured damage to a valid safetensors file for the fuzz campaign: edits that know the header
 * is JSON with dtype, shape, data_offsets and __metadata__, so most mutants get past the JSON
 * syntax check and test the format's rules. The header length prefix is recomputed after an edit
 * most of the time (so the parser sees the edited text) and left stale otherwise.
 */
final class HeaderMutator {
    /** One way to damage a file; the campaign counts its outcomes per kind. */
    enum Kind {
        LENGTH_PREFIX, JSON_STRUCTURE, DTYPE, SHAPE, OFFSETS, METADATA, UNICODE, WHITESPACE, DUPLICATE_KEY,
        HUGE_NUMBER, TRUNCATE, BYTE_FLIP, SEVERAL
    }

    private static final Pattern DTYPE = Pattern.compile("\"dtype\"\\s*:\\s*\"[^\"]*\"");
    private static final Pattern SHAPE = Pattern.compile("\"shape\"\\s*:\\s*\\[[^\\]]*\\]");
    private static final Pattern OFFSETS = Pattern.compile("\"data_offsets\"\\s*:\\s*\\[[^\\]]*\\]");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final Pattern ENTRY = Pattern.compile("\"[^\"]*\"\\s*:\\s*\\{[^{}]*\\}");
    private static final Pattern FIELD = Pattern.compile("\"(dtype|shape|data_offsets)\"\\s*:\\s*(\"[^\"]*\"|\\[[^\\]]*\\])");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]++|\\\\.)*+\""); // possessive: no recursion on long strings

    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I8", "U8", "I16", "U16", "I32", "U32", "I64",
        "U64", "BOOL", "F8_E4M3", "F8_E5M2", "F4", "F6_E2M3", "F6_E3M2", "E8M0", "C64", "f32", "bf16", "F33", "",
        "F32 ", "\\u0046\\u0033\\u0032", "F\\u00332", "FLOAT", "I128", "F8_E4M3FNUZ", "null"};
    private static final String[] SHAPES = {"[]", "[0]", "[1]", "[-1]", "[1.0]", "[1e2]", "[\"2\"]", "[[2]]", "[null]",
        "[2,2,2,2,2,2,2,2]", "[4294967296,4294967296]", "[9223372036854775807]", "[18446744073709551615]",
        "[9223372036854775807,2]", "[3037000500,3037000500]", "{}", "null", "\"[2]\"", "[2,]", "[,2]", "[ 2 , 3 ]"};
    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "1.0", "1e3", "1E+2", "01", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
        "99999999999999999999999999999999", "1e309", "-1e309", "0.5", "4294967296", "2147483648", "NaN", "Infinity"};
    private static final String[] METADATA = {"null", "{}", "{\"a\":\"b\"}", "{\"a\":1}", "{\"a\":null}", "{\"a\":{}}",
        "{\"a\":[\"b\"]}", "[]", "\"x\"", "1", "{\"a\":\"b\",\"a\":\"c\"}", "{\"\":\"\"}", "{\"\\u0000\":\"\\ud800\"}",
        "{\"format\":\"pt\",\"format\":\"np\"}", "{\"k\":\"" + "v".repeat(3000) + "\"}"};
    private static final String[] UNICODE = {"é", "中", "\uD83D\uDE00", "\\u00e9", "\\ud800", "\\udc00", "\\ud800\\udc00",
        "\\u0000", "\u0000", "\u007f", "\uFEFF", "\\uZZZZ", "\\", "\\x", "\u00a0", "\u2028", "\\\"", "\n"};
    private static final String[] WHITESPACE = {" ", "\t", "\n", "\r", "\r\n", "  \n\t ", "\u00a0", "\u000b", "\f",
        "\u3000"};
    private static final byte[] RAW = {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0,
        (byte) 0xf8, (byte) 0xef, (byte) 0xbb, (byte) 0xbf, 0};

    private HeaderMutator() {
    }

    /** A mutant of {@code base} (a valid file) of the given kind, chosen by {@code r}. */
    static byte[] mutate(byte[] base, Kind kind, Random r) {
        long n = ByteBuffer.wrap(base, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(base, 8, (int) n, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(base, (int) (8 + n), base.length);
        switch (kind) {
            case LENGTH_PREFIX:
                return MutationProperties.mutate(base, r.nextBoolean() ? MutationProperties.Kind.SET_PREFIX
                        : MutationProperties.Kind.FLIP_PREFIX, r);
            case TRUNCATE:
                return MutationProperties.mutate(base, MutationProperties.Kind.TRUNCATE, r);
            case BYTE_FLIP:
                return MutationProperties.mutate(base, MutationProperties.Kind.FLIP_HEADER, r);
            case SEVERAL: {
                byte[] b = base;
                int times = 2 + r.nextInt(3);
                for (int i = 0; i < times; i++) {
                    Kind k = Kind.values()[r.nextInt(Kind.TRUNCATE.ordinal())]; // text edits only, so b stays parseable as a file
                    long bn = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    if (k == Kind.LENGTH_PREFIX || bn < 0 || 8 + bn > b.length) {
                        continue;
                    }
                    byte[] next = mutate(b, k, r);
                    long nn = ByteBuffer.wrap(next, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    if (nn >= 0 && 8 + nn <= next.length && validUtf8(next, 8, (int) nn)) {
                        b = next;
                    }
                }
                return b;
            }
            default:
                break;
        }
        byte[] edited = edit(header, kind, r);
        long prefix = r.nextInt(8) == 0 ? n : edited.length; // a stale prefix one time in eight
        return concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(prefix).array(), edited, data);
    }

    private static byte[] edit(String h, Kind kind, Random r) {
        switch (kind) {
            case DTYPE:
                return utf8(replaceOne(h, DTYPE, r, "\"dtype\":\"" + pick(DTYPES, r) + "\""));
            case SHAPE:
                return utf8(replaceOne(h, SHAPE, r, "\"shape\":" + pick(SHAPES, r)));
            case OFFSETS:
                return utf8(replaceOne(h, OFFSETS, r, "\"data_offsets\":" + offsets(r)));
            case HUGE_NUMBER:
                return utf8(replaceOne(h, NUMBER, r, pick(NUMBERS, r)));
            case METADATA: {
                String m = "\"__metadata__\":" + pick(METADATA, r);
                int meta = h.indexOf("\"__metadata__\"");
                if (meta >= 0 && r.nextBoolean()) {
                    return utf8(h.substring(0, meta) + m + "," + h.substring(meta));
                }
                return utf8(insertAfterBrace(h, m, r));
            }
            case DUPLICATE_KEY: {
                List<int[]> spans = spans(h, r.nextBoolean() ? ENTRY : FIELD);
                if (spans.isEmpty()) {
                    return utf8(insertAfterBrace(h, "\"__metadata__\":null,\"__metadata__\":null", r));
                }
                int[] s = spans.get(r.nextInt(spans.size()));
                String dup = h.substring(s[0], s[1]);
                return utf8(h.substring(0, s[1]) + "," + dup + h.substring(s[1]));
            }
            case UNICODE: {
                if (r.nextInt(4) == 0) { // raw bytes that are not UTF-8
                    byte[] b = utf8(h);
                    int at = b.length == 0 ? 0 : r.nextInt(b.length);
                    byte[] out = new byte[b.length + 1];
                    System.arraycopy(b, 0, out, 0, at);
                    out[at] = RAW[r.nextInt(RAW.length)];
                    System.arraycopy(b, at, out, at + 1, b.length - at);
                    return out;
                }
                List<int[]> strings = spans(h, STRING);
                if (strings.isEmpty()) {
                    return utf8(h);
                }
                int[] s = strings.get(r.nextInt(strings.size()));
                int at = s[0] + 1 + r.nextInt(s[1] - s[0] - 1);
                return utf8(h.substring(0, at) + pick(UNICODE, r) + h.substring(at));
            }
            case WHITESPACE: {
                String ws = pick(WHITESPACE, r);
                int at = r.nextInt(3) == 0 ? (r.nextBoolean() ? 0 : h.length()) : r.nextInt(h.length() + 1);
                return utf8(h.substring(0, at) + ws + h.substring(at));
            }
            case JSON_STRUCTURE:
                return utf8(structure(h, r));
            default:
                throw new AssertionError(kind);
        }
    }

    private static String structure(String h, Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return "[" + h + "]";
            case 1:
                return h + pick(new String[] {"{}", "x", ",", "}", "\u0000", "// c", "null"}, r);
            case 2: { // delete a structural character
                List<Integer> at = new ArrayList<>();
                for (int i = 0; i < h.length(); i++) {
                    if ("{}[]:,\"".indexOf(h.charAt(i)) >= 0) {
                        at.add(i);
                    }
                }
                if (at.isEmpty()) {
                    return h;
                }
                int i = at.get(r.nextInt(at.size()));
                return h.substring(0, i) + h.substring(i + 1);
            }
            case 3: { // insert one
                int i = r.nextInt(h.length() + 1);
                return h.substring(0, i) + "{}[]:,\"".charAt(r.nextInt(7)) + h.substring(i);
            }
            case 4: // deep nesting
                return insertAfterBrace(h, "\"deep\":" + "[".repeat(2000) + "]".repeat(2000), r);
            case 5:
                return pick(new String[] {"", "{", "}", "null", "[]", "\"x\"", "1", "{}{}", "{\"a\":}", "{,}", "{\"a\"}"}, r);
            case 6: // a tensor entry that is not an object, or lacks a field
                return insertAfterBrace(h, "\"t\":" + pick(new String[] {"null", "1", "[]", "\"x\"", "{}",
                    "{\"dtype\":\"F32\",\"shape\":[1]}", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}",
                    "{\"shape\":[1],\"data_offsets\":[0,4]}", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}"}, r), r);
            default: { // swap two tensor entries' field values
                List<int[]> fields = spans(h, OFFSETS);
                if (fields.size() < 2) {
                    return h;
                }
                int[] a = fields.get(0);
                int[] b = fields.get(fields.size() - 1);
                return h.substring(0, a[0]) + h.substring(b[0], b[1]) + h.substring(a[1], b[0]) + h.substring(a[0], a[1])
                        + h.substring(b[1]);
            }
        }
    }

    private static String offsets(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return "[" + pick(NUMBERS, r) + "," + pick(NUMBERS, r) + "]";
            case 1:
                return pick(new String[] {"[]", "[0]", "[0,0,0]", "[4,0]", "null", "{}", "[\"0\",\"4\"]", "[0,4.0]"}, r);
            default: {
                long a = r.nextInt(64);
                return "[" + a + "," + (a + r.nextInt(64)) + "]";
            }
        }
    }

    private static String insertAfterBrace(String h, String member, Random r) {
        int brace = h.indexOf('{');
        if (brace < 0) {
            return "{" + member + "}";
        }
        boolean empty = h.substring(brace + 1).trim().startsWith("}");
        return h.substring(0, brace + 1) + member + (empty ? "" : ",") + h.substring(brace + 1);
    }

    private static String replaceOne(String h, Pattern p, Random r, String with) {
        List<int[]> spans = spans(h, p);
        if (spans.isEmpty()) {
            return h;
        }
        int[] s = spans.get(r.nextInt(spans.size()));
        return h.substring(0, s[0]) + with + h.substring(s[1]);
    }

    private static List<int[]> spans(String h, Pattern p) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(h);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    private static String pick(String[] options, Random r) {
        return options[r.nextInt(options.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean validUtf8(byte[] b, int off, int len) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, off, len));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
