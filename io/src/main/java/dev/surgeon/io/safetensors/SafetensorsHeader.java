package dev.surgeon.io.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated header: tensors in data order (ascending offsets), the metadata map (null when the
 * file has none or writes null) and the warnings met while reading (unknown entry keys).
 */
public final class SafetensorsHeader {
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final Map<String, String> metadata;
    private final long headerLength;
    private final long dataLength;
    private final List<String> warnings;

    SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata, long headerLength,
                      long dataLength, List<String> warnings) {
        this.tensors = List.copyOf(tensors);
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.metadata = metadata == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.headerLength = headerLength;
        this.dataLength = dataLength;
        this.warnings = List.copyOf(warnings);
    }

    /** Tensors in the order their bytes lie in the data section. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensor(String name) {
        return byName.get(name);
    }

    public Map<String, TensorInfo> byName() {
        return byName;
    }

    /** The __metadata__ map, or null when absent or null in the file. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** N, the length of the JSON header in bytes (without the 8-byte prefix). */
    public long headerLength() {
        return headerLength;
    }

    /** Offset of the data section from the start of the file. */
    public long dataStart() {
        return 8 + headerLength;
    }

    public long dataLength() {
        return dataLength;
    }

    public List<String> warnings() {
        return warnings;
    }
}
