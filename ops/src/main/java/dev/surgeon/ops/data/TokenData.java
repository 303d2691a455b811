package dev.surgeon.ops.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.dtype.ElementCodec;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.IoFailureException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.safetensors.DType;
import dev.surgeon.io.safetensors.SafetensorsFile;
import dev.surgeon.io.safetensors.TensorInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Evaluation and calibration token data, by file extension (DESIGN "Calibration and the
 * transformer runner"): {@code .bin} raw bytes as ids 0..255 (byte-level models), {@code .jsonl}
 * one JSON array of ids per line (or an object with {@code "input_ids"}), concatenated in order,
 * {@code .safetensors} an integer {@code input_ids} tensor of any shape flattened row-major, and
 * {@code .txt} UTF-8 text tokenized with the model's tokenizer.json. Every id is checked against the
 * model's vocabulary.
 */
public final class TokenData {
    private static final int CHUNK = 4 << 20;

    private TokenData() {
    }

    /** Loads {@code file} for {@code model}: vocab_size from its config.json, tokenizer.json from its folder. */
    public static int[] load(Path file, Checkpoint model) {
        return load(file, vocabSize(model), model.root());
    }

    /** Loads {@code file} for a model of {@code vocab} ids whose tokenizer.json lies in {@code modelFolder}. */
    public static int[] load(Path file, int vocab, Path modelFolder) {
        String ext = extension(file);
        switch (ext) {
            case "bin", "jsonl", "safetensors", "txt" -> {
            }
            default -> throw new UsageException(file + ": unknown token data type '" + (ext.isEmpty() ? "(none)" : "." + ext)
                    + "'; use .bin (raw bytes), .jsonl (token-id lists), .safetensors (input_ids tensor) or .txt (text)");
        }
        if (!Files.exists(file)) {
            throw new IoFailureException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IoFailureException(file + ": is a directory, not a token data file");
        }
        if (ext.equals("bin") && vocab < 256) {
            throw new UsageException("raw bytes need a byte-level model (vocab 256); " + file
                    + " is .bin but the model's vocabulary has " + vocab + " ids");
        }
        int[] ids = switch (ext) {
            case "bin" -> bytes(file);
            case "jsonl" -> jsonl(file, vocab);
            case "safetensors" -> safetensors(file, vocab);
            default -> text(file, modelFolder);
        };
        if (!ext.equals("jsonl")) {
            for (int i = 0; i < ids.length; i++) {
                checkId(file, ids[i], vocab, "token " + i);
            }
        }
        return ids;
    }

    /** vocab_size from the model's config.json (or its text_config). */
    static int vocabSize(Checkpoint model) {
        JsonObject config = model.config();
        if (config == null) {
            throw new InvalidInputException(model.reference()
                    + ": token data needs the model's vocabulary size, and there is no config.json beside the weights");
        }
        for (JsonObject c : new JsonObject[] {config, asObject(config.get("text_config"))}) {
            if (c != null && c.get("vocab_size") instanceof JsonPrimitive p && p.isNumber()) {
                try {
                    int v = p.getAsBigDecimal().intValueExact();
                    if (v > 0) {
                        return v;
                    }
                } catch (ArithmeticException e) {
                    // fall through to the error below
                }
            }
        }
        throw new InvalidInputException(model.reference() + ": config.json has no usable vocab_size");
    }

    private static JsonObject asObject(JsonElement e) {
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    static String extension(Path file) {
        Path name = file.getFileName();
        String s = name == null ? "" : name.toString();
        int dot = s.lastIndexOf('.');
        return dot < 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static void checkId(Path file, long id, int vocab, String where) {
        if (id < 0 || id >= vocab) {
            throw new InvalidInputException(file + ": " + where + " is id " + id
                    + ", outside the model's vocabulary [0, " + vocab + ")");
        }
    }

    private static byte[] readAllBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IoFailureException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IoFailureException(file + ": permission denied");
        } catch (OutOfMemoryError e) {
            throw new IoFailureException(file + ": too large to load", e);
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static int[] bytes(Path file) {
        byte[] b = readAllBytes(file);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    }

    private static int[] jsonl(Path file, int vocab) {
        Ids out = new Ids();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonElement e;
                try {
                    e = JsonParser.parseString(line);
                } catch (JsonParseException ex) {
                    throw new InvalidInputException(file + ": line " + lineNo + " is not JSON (" + ex.getMessage() + ")");
                }
                if (e.isJsonObject()) {
                    e = e.getAsJsonObject().get("input_ids");
                    if (e == null) {
                        throw new InvalidInputException(file + ": line " + lineNo + " is an object without \"input_ids\"");
                    }
                }
                if (!e.isJsonArray()) {
                    throw new InvalidInputException(file + ": line " + lineNo
                            + " is neither a JSON array of token ids nor an object with \"input_ids\"");
                }
                int[] element = {0};
                addIds(file, lineNo, e, vocab, out, element);
            }
        } catch (NoSuchFileException e) {
            throw new IoFailureException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return out.toArray();
    }

    /** Adds the ids of an array (nested arrays flattened in order, as a batch of rows would be). */
    private static void addIds(Path file, int lineNo, JsonElement array, int vocab, Ids out, int[] element) {
        for (JsonElement v : array.getAsJsonArray()) {
            if (v.isJsonArray()) {
                addIds(file, lineNo, v, vocab, out, element);
                continue;
            }
            String where = "token " + out.size() + " (line " + lineNo + ", element " + element[0] + ")";
            if (!(v instanceof JsonPrimitive p) || !p.isNumber()) {
                throw new InvalidInputException(file + ": " + where + " is " + v + ", not an integer token id");
            }
            long id;
            try {
                BigDecimal d = p.getAsBigDecimal();
                id = d.longValueExact();
            } catch (ArithmeticException | NumberFormatException ex) {
                throw new InvalidInputException(file + ": " + where + " is " + v + ", not an integer token id");
            }
            checkId(file, id, vocab, where);
            out.add((int) id);
            element[0]++;
        }
    }

    private static int[] safetensors(Path file, int vocab) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo t = f.tensor("input_ids");
            if (t == null) {
                throw new InvalidInputException(file + ": no tensor named 'input_ids' (it holds "
                        + f.tensors().stream().map(TensorInfo::name).limit(8).toList() + ")");
            }
            DType dt = t.dtype();
            if (dt.kind() != DType.Kind.INT) {
                throw new InvalidInputException(file + ": input_ids is " + dt + "; token ids need an integer dtype (I32 or I64)");
            }
            if (t.numel() > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(file + ": input_ids holds " + t.numel() + " tokens, more than surgeon loads");
            }
            int[] ids = new int[(int) t.numel()];
            double[] block = new double[CHUNK / dt.byteWidth()];
            f.forEachChunk(t, CHUNK, (ByteBuffer chunk, long offset) -> {
                int first = (int) (offset / dt.byteWidth());
                int count = chunk.remaining() / dt.byteWidth();
                ElementCodec.decode(dt, chunk, block, 0, count);
                for (int i = 0; i < count; i++) {
                    double d = block[i];
                    int pos = first + i;
                    if (d != Math.rint(d) || d < 0 || d >= vocab) {
                        throw new InvalidInputException(file + ": token " + pos + " (input_ids" + index(t.shape(), pos)
                                + ") is id " + (long) d + ", outside the model's vocabulary [0, " + vocab + ")");
                    }
                    ids[pos] = (int) d;
                }
            });
            return ids;
        } catch (IOException e) {
            throw new IoFailureException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The multi-index of flat position {@code pos} in a row-major tensor of {@code shape}, as "[i, j]". */
    private static String index(long[] shape, long pos) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : pos % shape[d];
            pos = shape[d] == 0 ? 0 : pos / shape[d];
        }
        return Arrays.toString(idx);
    }

    private static int[] text(Path file, Path modelFolder) {
        byte[] b = readAllBytes(file);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(file + ": text data is not valid UTF-8");
        }
        try (TextTokenizer t = TextTokenizer.forModel(modelFolder)) {
            return t.encode(s);
        }
    }

    /** A growing int array. */
    private static final class Ids {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
