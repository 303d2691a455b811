package dev.surgeon.io.safetensors;

import static dev.surgeon.io.safetensors.StBytes.concat;
import static dev.surgeon.io.safetensors.StBytes.file;
import static dev.surgeon.io.safetensors.StBytes.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.surgeon.io.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One byte-literal file per way the format can break (and per edge case the reference accepts).
 * Each rejection must carry the exact {@link FormatError} and a message naming the file and, where
 * one is at fault, the tensor.
 */
class HeaderParserErrorsTest {
    @TempDir
    Path dir;

    private int counter;

    private Path put(byte[] bytes) {
        return StBytes.write(dir.resolve("case" + (counter++) + ".safetensors"), bytes);
    }

    /** Opens the bytes, expecting a rejection with {@code error}; checks the message names file and tensor. */
    private SafetensorsFormatException reject(byte[] bytes, FormatError error, String tensor) {
        Path p = put(bytes);
        SafetensorsFormatException e = catchThrowableOfType(() -> SafetensorsFile.open(p).close(),
                SafetensorsFormatException.class);
        assertThat(e).as("expected %s for %s", error, p).isNotNull();
        assertThat(e.error()).as(e.getMessage()).isEqualTo(error);
        assertThat(e).isInstanceOf(InvalidInputException.class);
        assertThat(e.getMessage()).contains(p.toString()).contains(error.referenceName());
        assertThat(e.file()).isEqualTo(p.toString());
        if (tensor != null) {
            assertThat(e.tensor()).isEqualTo(tensor);
            assertThat(e.getMessage()).contains("'" + tensor + "'");
        }
        return e;
    }

    private SafetensorsFile accept(byte[] bytes) {
        return SafetensorsFile.open(put(bytes));
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    // ---- length prefix ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void headerTooSmall(int length) {
        byte[] bytes = Arrays.copyOf(prefix(2), length);
        reject(bytes, FormatError.HEADER_TOO_SMALL, null);
    }

    @Test
    void headerTooLargeJustOverTheLimit() {
        reject(concat(prefix(100_000_001L), "{}".getBytes(StandardCharsets.UTF_8)), FormatError.HEADER_TOO_LARGE, null);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L /* 2^64-1 */, -2L, Long.MIN_VALUE /* 2^63 */, Long.MAX_VALUE})
    void headerTooLargeNearTwoToThe64Unsigned(long n) {
        SafetensorsFormatException e = reject(concat(prefix(n), "{}      ".getBytes(StandardCharsets.UTF_8)),
                FormatError.HEADER_TOO_LARGE, null);
        assertThat(e.getMessage()).contains(Long.toUnsignedString(n));
    }

    @Test
    void headerAtTheLimitButPastEofIsInvalidLengthNotTooLarge() {
        reject(concat(prefix(100_000_000L), "{}".getBytes(StandardCharsets.UTF_8)), FormatError.INVALID_HEADER_LENGTH, null);
    }

    @Test
    void invalidHeaderLengthPastEof() {
        // like syoyo's abuse file: claims 1000 header bytes, has 80
        byte[] body = new byte[80];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[1] = '}';
        reject(concat(prefix(1000), body), FormatError.INVALID_HEADER_LENGTH, null);
    }

    @Test
    void invalidHeaderLengthOneBytePastEof() {
        reject(concat(prefix(3), "{}".getBytes(StandardCharsets.UTF_8)), FormatError.INVALID_HEADER_LENGTH, null);
    }

    @Test
    void invalidHeaderLengthEightBytesNoHeader() {
        reject(prefix(1), FormatError.INVALID_HEADER_LENGTH, null);
    }

    // ---- header text ----

    @Test
    void nonUtf8() {
        reject(file(new byte[] {(byte) 0xff}, 0), FormatError.INVALID_HEADER_UTF8, null);
    }

    @Test
    void nonUtf8InsideAName() {
        byte[] h = concat("{\"a".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xc3, (byte) 0x28},
                "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}".getBytes(StandardCharsets.UTF_8));
        reject(file(h, 1), FormatError.INVALID_HEADER_UTF8, null);
    }

    @Test
    void overlongAndSurrogateEncodingsAreNotUtf8() {
        reject(file(new byte[] {'{', (byte) 0xc0, (byte) 0x80, '}'}, 0), FormatError.INVALID_HEADER_UTF8, null);
        reject(file(new byte[] {'{', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'}, 0), FormatError.INVALID_HEADER_UTF8, null);
    }

    @Test
    void notJson() {
        reject(file("{\"a\":", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("404", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{'a':1}", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],}}", 1), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void byteOrderMarkIsNotWhitespace() {
        // serde_json (the reference) rejects a BOM before the object; only JSON whitespace may lead
        reject(file(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}, 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void otherNonJsonWhitespaceIsRejected() {
        reject(file("\f{}", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{}\u000b", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{}\u00a0", 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void rawControlCharacterInAStringIsRejected() {
        reject(file("{\"a\nb\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void unpairedSurrogateEscapeIsRejected() {
        // serde_json refuses "lone leading/trailing surrogate in hex escape"; such a name could not be
        // written back as UTF-8 unchanged
        reject(file("{\"a\\ud800\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{\"a\\udc00\\ud800\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{\"__metadata__\":{\"k\":\"\\udfff\"}}", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{\"__metadata__\":{\"\\ud83d\":\"v\"}}", 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void escapedSurrogatePairIsAccepted() {
        String h = "{\"smile\\ud83d\\ude00\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        try (SafetensorsFile f = accept(file(h, 1))) {
            assertThat(f.tensors().get(0).name()).isEqualTo("smile😀");
        }
    }

    @Test
    void jsonArrayInsteadOfObject() {
        reject(file("[]", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("[{}]    ", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("\"{}\"", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("null", 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void trailingTextAfterTheObject() {
        reject(file("{}x", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{}{}", 0), FormatError.INVALID_HEADER_JSON, null);
        reject(file("{}  ,  ", 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void nulPaddingIsRejected() {
        reject(file(new byte[] {'{', '}', 0, 0, 0, 0, 0, 0}, 0), FormatError.INVALID_HEADER_JSON, null);
    }

    @Test
    void duplicateTensorKey() {
        String h = "{" + entry("w", "U8", "[1]", 0, 1) + "," + entry("w", "U8", "[1]", 1, 2) + "}";
        reject(file(h, 2), FormatError.DUPLICATE_KEY, "w");
    }

    @Test
    void duplicateMetadataKeyAndDuplicateKeyInsideMetadata() {
        reject(file("{\"__metadata__\":{},\"__metadata__\":{}}", 0), FormatError.DUPLICATE_KEY, null);
        reject(file("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0), FormatError.DUPLICATE_KEY, null);
    }

    @Test
    void duplicateKeyInsideAnEntry() {
        String h = "{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        reject(file(h, 1), FormatError.DUPLICATE_KEY, "w");
        String h2 = "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"shape\":[1]}}";
        reject(file(h2, 1), FormatError.DUPLICATE_KEY, "w");
    }

    // ---- __metadata__ ----

    @Test
    void metadataNumberOrArrayOrNonStringValueIsInvalid() {
        reject(file("{\"__metadata__\":5}", 0), FormatError.INVALID_METADATA, null);
        reject(file("{\"__metadata__\":[\"a\",\"b\"]}", 0), FormatError.INVALID_METADATA, null);
        reject(file("{\"__metadata__\":\"pt\"}", 0), FormatError.INVALID_METADATA, null);
        reject(file("{\"__metadata__\":{\"version\":2}}", 0), FormatError.INVALID_METADATA, null);
        reject(file("{\"__metadata__\":{\"a\":null}}", 0), FormatError.INVALID_METADATA, null);
        reject(file("{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", 0), FormatError.INVALID_METADATA, null);
    }

    @Test
    void metadataNullIsAccepted() {
        try (SafetensorsFile f = accept(file("{\"__metadata__\":null," + entry("w", "U8", "[2]", 0, 2) + "}", 2))) {
            assertThat(f.metadata()).isNull();
            assertThat(f.tensors()).hasSize(1);
        }
    }

    @Test
    void metadataStringMapIsKeptInOrder() {
        try (SafetensorsFile f = accept(file("{\"__metadata__\":{\"z\":\"1\",\"a\":\"\\u00e9\\n\"}}", 0))) {
            assertThat(f.metadata()).containsExactly(java.util.Map.entry("z", "1"), java.util.Map.entry("a", "é\n"));
        }
    }

    // ---- entries ----

    @Test
    void missingDtype() {
        reject(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void missingShape() {
        reject(file("{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void missingDataOffsets() {
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void entryOfTheWrongJsonType() {
        reject(file("{\"w\":5}", 0), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":null}", 0), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":1,\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{\"a\":0}}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void dataOffsetsWithThreeOneOrNoNumbers() {
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void negativeShape() {
        reject(file("{" + entry("w", "U8", "[-1]", 0, 0) + "}", 0), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{" + entry("w", "U8", "[-2,-2]", 0, 4) + "}", 4), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void fractionalOrExponentShape() {
        reject(file("{" + entry("w", "U8", "[1.5]", 0, 1) + "}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{" + entry("w", "U8", "[2.0]", 0, 2) + "}", 2), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{" + entry("w", "U8", "[1e1]", 0, 10) + "}", 10), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{" + entry("w", "U8", "[-0]", 0, 0) + "}", 0), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @Test
    void negativeOrFractionalOffsets() {
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1.0]}}", 1), FormatError.INVALID_TENSOR_ENTRY, "w");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F128", "f32", "Bf16", "FLOAT32", "", "F8_E4M3FN", "F32 ", "C128", "BOOL8"})
    void unknownDtype(String dtype) {
        SafetensorsFormatException e = reject(file("{" + entry("w", dtype, "[1]", 0, 4) + "}", 4), FormatError.INVALID_DTYPE, "w");
        assertThat(e.getMessage()).contains("'" + dtype + "'");
    }

    /** DESIGN's list of dtypes and bit widths, verbatim. */
    private static final String DESIGN_DTYPES = "BOOL 8, U8 8, I8 8, U16 16, I16 16, U32 32, I32 32, U64 64, I64 64, "
            + "F16 16, BF16 16, F32 32, F64 64, C64 64, F8_E4M3 8, F8_E5M2 8, F8_E8M0 8, F8_E4M3FNUZ 8, "
            + "F8_E5M2FNUZ 8, F6_E2M3 6, F6_E3M2 6, F4 4";

    @Test
    void dtypeEnumIsExactlyDesignsList() {
        Set<DType> seen = EnumSet.noneOf(DType.class);
        for (String item : DESIGN_DTYPES.split(", ")) {
            String[] nb = item.split(" ");
            DType d = DType.fromHeader(nb[0]);
            assertThat(d).as(nb[0]).isNotNull();
            assertThat(d.bits()).as(nb[0]).isEqualTo(Integer.parseInt(nb[1]));
            seen.add(d);
        }
        assertThat(seen).containsExactlyInAnyOrder(DType.values());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeIsAccepted(DType d) {
        // 8 elements are a whole number of bytes for every width (F4: 4 bytes, F6: 6 bytes)
        long bytes = 8L * d.bits() / 8;
        String h = "{" + entry("t", d.name(), "[2,4]", 0, bytes) + "}";
        try (SafetensorsFile f = accept(file(h, (int) bytes))) {
            TensorInfo t = f.tensor("t");
            assertThat(t.dtype()).isEqualTo(d);
            assertThat(t.shape()).containsExactly(2, 4);
            assertThat(t.byteSize()).isEqualTo(bytes);
            assertThat(t.numel()).isEqualTo(8);
        }
    }

    @Test
    void subByteTensorNotWholeBytesIsInvalidInfo() {
        // F4 [3] is 12 bits: neither 1 nor 2 bytes
        reject(file("{" + entry("w", "F4", "[3]", 0, 2) + "}", 2), FormatError.TENSOR_INVALID_INFO, "w");
        reject(file("{" + entry("w", "F4", "[3]", 0, 1) + "}", 1), FormatError.TENSOR_INVALID_INFO, "w");
        reject(file("{" + entry("w", "F6_E2M3", "[2]", 0, 2) + "}", 2), FormatError.TENSOR_INVALID_INFO, "w");
        reject(file("{" + entry("w", "F6_E3M2", "[1,3]", 0, 3) + "}", 3), FormatError.TENSOR_INVALID_INFO, "w");
    }

    @Test
    void subByteTensorOfWholeBytesIsAccepted() {
        try (SafetensorsFile f = accept(file("{" + entry("w", "F4", "[4]", 0, 2) + "," + entry("v", "F6_E2M3", "[4]", 2, 5) + "}", 5))) {
            assertThat(f.tensor("w").byteSize()).isEqualTo(2);
            assertThat(f.tensor("v").byteSize()).isEqualTo(3);
        }
    }

    // ---- sizes and offsets ----

    @Test
    void overflowTwoTimesLongMax() {
        reject(file("{" + entry("w", "F32", "[2," + Long.MAX_VALUE + "]", 0, 8) + "}", 8), FormatError.VALIDATION_OVERFLOW, "w");
    }

    @Test
    void overflowTwoToThe64MinusTwo() {
        reject(file("{" + entry("w", "F32", "[18446744073709551614]", 0, 8) + "}", 8), FormatError.VALIDATION_OVERFLOW, "w");
        reject(file("{" + entry("w", "U8", "[2,18446744073709551614]", 0, 4) + "}", 4), FormatError.VALIDATION_OVERFLOW, "w");
    }

    @Test
    void overflowInDimensionsProductOnly() {
        // 2^32 * 2^32 elements: each dimension fits, the product does not
        reject(file("{" + entry("w", "U8", "[4294967296,4294967296]", 0, 8) + "}", 8), FormatError.VALIDATION_OVERFLOW, "w");
    }

    @Test
    void overflowInOffsets() {
        reject(file("{" + entry("w", "U8", "[1]", 0, 1)
                + ",\"v\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[18446744073709551615,18446744073709551615]}}", 1),
                FormatError.VALIDATION_OVERFLOW, "v");
        reject(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999999]}}", 1),
                FormatError.VALIDATION_OVERFLOW, "w");
    }

    @Test
    void spanMismatch() {
        SafetensorsFormatException e = reject(file("{" + entry("w", "F32", "[2]", 0, 4) + "}", 4), FormatError.TENSOR_INVALID_INFO, "w");
        assertThat(e.getMessage()).contains("8").contains("4");
        reject(file("{" + entry("w", "F32", "[2,2]", 0, 12) + "}", 12), FormatError.TENSOR_INVALID_INFO, "w");
        reject(file("{" + entry("w", "F32", "[]", 0, 0) + "}", 0), FormatError.TENSOR_INVALID_INFO, "w");
    }

    @Test
    void holeBetweenTensors() {
        String h = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 8, 12) + "}";
        reject(file(h, 12), FormatError.INVALID_OFFSET, "b");
    }

    @Test
    void holeAtTheStart() {
        reject(file("{" + entry("a", "U8", "[4]", 4, 8) + "}", 8), FormatError.INVALID_OFFSET, "a");
    }

    @Test
    void overlap() {
        String h = "{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[8]", 4, 12) + "}";
        reject(file(h, 12), FormatError.INVALID_OFFSET, "b");
    }

    @Test
    void twoTensorsOnTheSameBytes() {
        String h = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 0, 4) + "}";
        reject(file(h, 4), FormatError.INVALID_OFFSET, "b");
    }

    @Test
    void endBeforeBegin() {
        String h = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[0]", 4, 2) + "}";
        reject(file(h, 4), FormatError.INVALID_OFFSET, "b");
        String h2 = "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 8, 4) + "}";
        reject(file(h2, 8), FormatError.INVALID_OFFSET, null);
    }

    @Test
    void dataSectionLongerThanTheTensors() {
        reject(file("{" + entry("a", "U8", "[4]", 0, 4) + "}", 5), FormatError.METADATA_INCOMPLETE_BUFFER, null);
        reject(file("{}", 1), FormatError.METADATA_INCOMPLETE_BUFFER, null);
    }

    @Test
    void dataSectionShorterThanTheTensors() {
        reject(file("{" + entry("a", "U8", "[4]", 0, 4) + "}", 3), FormatError.METADATA_INCOMPLETE_BUFFER, null);
        reject(file("{" + entry("a", "U8", "[4]", 0, 4) + "}", 0), FormatError.METADATA_INCOMPLETE_BUFFER, null);
    }

    // ---- edge cases the reference accepts ----

    @Test
    void zeroSizedTensorsSharingAnOffsetAreAccepted() {
        String h = "{" + entry("z2", "F32", "[2,0]", 4, 4) + "," + entry("a", "U8", "[4]", 0, 4) + ","
                + entry("z1", "U8", "[0]", 4, 4) + "," + entry("z0", "I64", "[0,3]", 0, 0) + ","
                + entry("b", "I16", "[2]", 4, 8) + "}";
        try (SafetensorsFile f = accept(file(h, 8))) {
            assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("z0", "a", "z1", "z2", "b");
            assertThat(f.tensor("z2").numel()).isZero();
            assertThat(f.tensor("z2").byteSize()).isZero();
            assertThat(StBytes.tensorBytes(f, f.tensor("z2"))).isEmpty();
            assertThat(StBytes.tensorBytes(f, f.tensor("b"))).containsExactly(4, 5, 6, 7);
        }
    }

    @Test
    void scalarShapeIsAccepted() {
        try (SafetensorsFile f = accept(file("{" + entry("s", "F32", "[]", 0, 4) + "}", 4))) {
            TensorInfo s = f.tensor("s");
            assertThat(s.shape()).isEmpty();
            assertThat(s.rank()).isZero();
            assertThat(s.numel()).isEqualTo(1);
            assertThat(s.byteSize()).isEqualTo(4);
        }
    }

    @Test
    void emptyHeaderIsAccepted() {
        try (SafetensorsFile f = accept(file("{}", 0))) {
            assertThat(f.tensors()).isEmpty();
            assertThat(f.metadata()).isNull();
        }
    }

    @Test
    void unknownEntryKeyIsAcceptedWithAWarning() {
        String h = "{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"quant\":{\"x\":[1,2,{}]}}}";
        try (SafetensorsFile f = accept(file(h, 2))) {
            assertThat(f.tensor("w").shape()).containsExactly(2);
            List<String> warnings = f.header().warnings();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("'w'").contains("quant");
        }
    }

    @Test
    void leadingAndTrailingWhitespaceIsAccepted() {
        try (SafetensorsFile f = accept(file(" \n\t\r{" + entry("w", "U8", "[1]", 0, 1) + "}\r \t\n   ", 1))) {
            assertThat(f.tensors()).hasSize(1);
        }
        try (SafetensorsFile f = accept(file("{} \r\t\n", 0))) {
            assertThat(f.tensors()).isEmpty();
        }
    }

    @Test
    void whitespaceInsideTheJsonIsAccepted() {
        String h = "{ \"w\" : { \"dtype\" : \"U8\" , \"shape\" : [ 1 , 2 ] ,\n \"data_offsets\" : [ 0 , 2 ] } }";
        try (SafetensorsFile f = accept(file(h, 2))) {
            assertThat(f.tensor("w").shape()).containsExactly(1, 2);
        }
    }

    @Test
    void escapedNamesAreDecoded() {
        String h = "{\"a\\\"b\\\\c\\u00e9\\n\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        try (SafetensorsFile f = accept(file(h, 1))) {
            assertThat(f.tensors().get(0).name()).isEqualTo("a\"b\\cé\n");
        }
    }

    @Test
    void headerLengthChecksDirectly() {
        // the static check used before any allocation
        java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(prefix(50));
        assertThat(HeaderParser.headerLength("x", p, 58)).isEqualTo(50);
        SafetensorsFormatException e = catchThrowableOfType(
                () -> HeaderParser.headerLength("x", java.nio.ByteBuffer.wrap(prefix(51)), 58), SafetensorsFormatException.class);
        assertThat(e.error()).isEqualTo(FormatError.INVALID_HEADER_LENGTH);
    }
}
