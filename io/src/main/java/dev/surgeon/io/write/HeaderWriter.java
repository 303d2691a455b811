package dev.surgeon.io.write;

import dev.surgeon.io.safetensors.HeaderParser;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serializes a header as the reference writer does: compact JSON, {@code __metadata__} first (keys
 * sorted, so output is reproducible), tensor entries in data order, padded with spaces to a
 * multiple of 8 bytes. Strings are escaped as serde_json escapes them.
 */
public final class HeaderWriter {
    private HeaderWriter() {
    }

    /** The header bytes (without the 8-byte length prefix) for tensors laid out in the given order. */
    public static byte[] header(Map<String, String> metadata, List<PlannedTensor> dataOrder) {
        StringBuilder sb = new StringBuilder(64 + 96 * dataOrder.size());
        sb.append('{');
        boolean first = true;
        if (metadata != null) {
            appendString(sb, HeaderParser.METADATA_KEY);
            sb.append(":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                if (!firstMeta) {
                    sb.append(',');
                }
                firstMeta = false;
                appendString(sb, e.getKey());
                sb.append(':');
                appendString(sb, e.getValue());
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (PlannedTensor t : dataOrder) {
            if (!seen.add(t.name()) || HeaderParser.METADATA_KEY.equals(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' cannot be written twice or as __metadata__");
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            long end = offset + t.byteSize();
            appendString(sb, t.name());
            sb.append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
