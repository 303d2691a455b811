package dev.surgeon.ops.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.surgeon.io.error.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's Hugging Face {@code tokenizer.json}, run by the Rust {@code tokenizers} library through
 * DJL's binding. The binding's jar carries the native library for linux-x86_64/aarch64, macOS
 * aarch64 and Windows; DJL copies it into its cache folder ({@code DJL_CACHE_DIR}, default
 * {@code ~/.djl.ai}) on first use. Offline mode is switched on unless the user set it, so DJL never
 * tries a download: surgeon reads only what it is given.
 *
 * <p>Encoding follows {@code tokenizer(text)} in transformers: the tokenizer.json's normalizer,
 * pre-tokenizer, model, added tokens and post-processor (so a LLaMA-3 tokenizer puts its
 * {@code <|begin_of_text|>} first), with no truncation and no padding whatever the file says.
 */
public final class TextTokenizer implements AutoCloseable {
    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    /** The tokenizer.json in {@code modelFolder}. */
    public static TextTokenizer forModel(Path modelFolder) {
        Path file = modelFolder.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("text data needs the model's tokenizer.json (none in " + modelFolder + ")");
        }
        return open(file);
    }

    /** A tokenizer.json file. */
    public static TextTokenizer open(Path file) {
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            return new TextTokenizer(file, t);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            throw new InvalidInputException(file + ": cannot load the tokenizer (" + e.getMessage() + ")", e);
        }
    }

    public Path file() {
        return file;
    }

    /** Token ids of {@code text}, special tokens added as the tokenizer's post-processor says. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /** Token ids of {@code text}; without special tokens when {@code addSpecialTokens} is false. */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids;
        try {
            ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        } catch (RuntimeException e) {
            throw new InvalidInputException(file + ": tokenization failed (" + e.getMessage() + ")", e);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
