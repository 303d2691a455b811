package dev.surgeon.io.safetensors;

import dev.surgeon.io.error.InvalidInputException;

/** A file breaks the safetensors format. The message names the file, the tensor and the problem. */
public final class SafetensorsFormatException extends InvalidInputException {
    private final FormatError error;
    private final String file;
    private final String tensor;

    public SafetensorsFormatException(FormatError error, String file, String tensor, String detail) {
        super(compose(error, file, tensor, detail));
        this.error = error;
        this.file = file;
        this.tensor = tensor;
    }

    private static String compose(FormatError error, String file, String tensor, String detail) {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": ").append(error.referenceName());
        if (tensor != null) {
            sb.append(" in tensor '").append(tensor).append('\'');
        }
        sb.append(": ").append(detail);
        return sb.toString();
    }

    public FormatError error() {
        return error;
    }

    public String file() {
        return file;
    }

    /** The tensor at fault, or null when the fault is in the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
