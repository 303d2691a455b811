package dev.surgeon.io.safetensors;

/**
 * One value per way a safetensors file can break the format. Names follow the reference reader's
 * error enum where it has one, so a message can be matched against upstream test vectors.
 */
public enum FormatError {
    /** Fewer than the 8 bytes of the header-length prefix. */
    HEADER_TOO_SMALL("HeaderTooSmall"),
    /** The header-length prefix exceeds 100,000,000. */
    HEADER_TOO_LARGE("HeaderTooLarge"),
    /** The header would end past the end of the file. */
    INVALID_HEADER_LENGTH("InvalidHeaderLength"),
    /** The header bytes are not UTF-8. */
    INVALID_HEADER_UTF8("InvalidHeaderUtf8"),
    /** The header is not one JSON object (syntax, trailing text, wrong top-level type). */
    INVALID_HEADER_JSON("InvalidHeaderDeserialization"),
    /** The same key appears twice in the header. */
    DUPLICATE_KEY("DuplicateKey"),
    /** __metadata__ is neither null nor a string-to-string map. */
    INVALID_METADATA("InvalidMetadata"),
    /** A tensor entry lacks dtype, shape or data_offsets, or one of them has the wrong JSON type. */
    INVALID_TENSOR_ENTRY("InvalidTensorEntry"),
    /** A dtype string the format does not define. */
    INVALID_DTYPE("InvalidDtype"),
    /** shape × dtype width, or an offset, does not fit in 64 bits. */
    VALIDATION_OVERFLOW("ValidationOverflow"),
    /** data_offsets span differs from shape × dtype width, or a sub-byte tensor is not whole bytes. */
    TENSOR_INVALID_INFO("TensorInvalidInfo"),
    /** Offsets do not tile the data section from 0 without hole or overlap. */
    INVALID_OFFSET("InvalidOffset"),
    /** The data section is shorter or longer than the tensors claim. */
    METADATA_INCOMPLETE_BUFFER("MetadataIncompleteBuffer");

    private final String referenceName;

    FormatError(String referenceName) {
        this.referenceName = referenceName;
    }

    /** The name of the matching error in the reference (Rust) implementation. */
    public String referenceName() {
        return referenceName;
    }
}
