package dev.surgeon.ops.runner;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;

import java.util.Locale;

/**
 * The sizes and constants of a GPT-2 model, read from its config.json with the defaults of Hugging
 * Face's {@code GPT2Config}.
 *
 * @param innerSize         MLP width ({@code n_inner}; null or absent: 4 · n_embd)
 * @param exactGelu         GELU with erf ({@code activation_function} "gelu") rather than the tanh
 *                          approximation ("gelu_new", "gelu_pytorch_tanh", "gelu_fast")
 * @param scaleAttnWeights  scores divided by √head_dim ({@code scale_attn_weights}, default true)
 * @param scaleByLayerIndex scores of block i further divided by i + 1
 *                          ({@code scale_attn_by_inverse_layer_idx}, default false)
 */
public record Gpt2Config(int hiddenSize, int numLayers, int numHeads, int innerSize, int maxPositions,
                         int vocabSize, double layerNormEps, boolean exactGelu, boolean tieWordEmbeddings,
                         boolean scaleAttnWeights, boolean scaleByLayerIndex) {

    public Gpt2Config {
        if (hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || innerSize <= 0 || maxPositions <= 0
                || vocabSize <= 0) {
            throw new InvalidInputException("config.json: sizes must be positive");
        }
        if (hiddenSize % numHeads != 0) {
            throw new InvalidInputException("config.json: n_embd (" + hiddenSize + ") is not divisible by n_head ("
                    + numHeads + ")");
        }
    }

    /** Per-head width. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** The config of an opened model; a model without config.json is invalid input. */
    public static Gpt2Config of(Checkpoint model) {
        if (model.config() == null) {
            throw new InvalidInputException(model.reference() + ": no config.json beside the weights; the forward "
                    + "pass needs the model's sizes (n_embd, n_layer, n_head, ...) from it");
        }
        return parse(model.config(), model.reference());
    }

    /** Parses a config.json object; {@code where} names it in error messages. */
    public static Gpt2Config parse(JsonObject c, String where) {
        String type = str(c, "model_type");
        if (type != null && !type.equals("gpt2")) {
            throw new InvalidInputException(where + ": model_type '" + type + "' is not GPT-2");
        }
        String act = str(c, "activation_function");
        act = act == null ? "gelu_new" : act.toLowerCase(Locale.ROOT);
        boolean exact = switch (act) {
            case "gelu" -> true;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> false;
            default -> throw new InvalidInputException(where + ": activation_function '" + act
                    + "' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh)");
        };
        int hidden = optInt(c, "n_embd", 768, where);
        return new Gpt2Config(hidden, optInt(c, "n_layer", 12, where), optInt(c, "n_head", 12, where),
                optInt(c, "n_inner", 4 * hidden, where), optInt(c, "n_positions", 1024, where),
                optInt(c, "vocab_size", 50257, where), optDouble(c, "layer_norm_epsilon", 1e-5, where), exact,
                optBool(c, "tie_word_embeddings", true, where), optBool(c, "scale_attn_weights", true, where),
                optBool(c, "scale_attn_by_inverse_layer_idx", false, where));
    }

    private static boolean has(JsonObject c, String key) {
        return c.has(key) && !c.get(key).isJsonNull();
    }

    private static String str(JsonObject c, String key) {
        return has(c, key) && c.get(key).isJsonPrimitive() ? c.get(key).getAsString() : null;
    }

    private static int optInt(JsonObject c, String key, int dflt, String where) {
        if (!has(c, key)) {
            return dflt;
        }
        JsonElement e = c.get(key);
        double d;
        try {
            d = e.getAsDouble();
        } catch (RuntimeException ex) {
            throw new InvalidInputException(where + ": " + key + " must be a number, not " + e);
        }
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
            throw new InvalidInputException(where + ": " + key + " must be a non-negative integer, not " + e);
        }
        return (int) d;
    }

    private static double optDouble(JsonObject c, String key, double dflt, String where) {
        try {
            return has(c, key) ? c.get(key).getAsDouble() : dflt;
        } catch (RuntimeException e) {
            throw new InvalidInputException(where + ": " + key + " must be a number, not " + c.get(key));
        }
    }

    private static boolean optBool(JsonObject c, String key, boolean dflt, String where) {
        if (!has(c, key)) {
            return dflt;
        }
        JsonElement e = c.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new InvalidInputException(where + ": " + key + " must be true or false, not " + e);
        }
        return e.getAsBoolean();
    }
}
