package dev.surgeon.ops.runner;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;

import java.util.Locale;
import java.util.Set;

/**
 * The sizes and constants of a LLaMA-family model (LLaMA, Mistral, Qwen2), read from its
 * config.json with the defaults of Hugging Face's {@code LlamaConfig}.
 *
 * @param ropeScaling       how rotary frequencies are rescaled; {@link RopeScaling#NONE} for plain RoPE
 * @param intermediateSizes the MLP width of each block where they differ (config.json
 *                          {@code intermediate_sizes}, written by structured pruning); null: every
 *                          block has {@code intermediateSize}
 */
public record LlamaConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
                          int headDim, double rmsNormEps, double ropeTheta, int vocabSize, boolean tieWordEmbeddings,
                          boolean attentionBias, int maxPositionEmbeddings, RopeScaling ropeScaling,
                          int[] intermediateSizes) {

    /** The model_type values this forward pass serves (GPT-2 has its own, {@link Gpt2Runner}). */
    static final Set<String> MODEL_TYPES = Set.of("llama", "mistral", "qwen2");

    /**
     * A rotary-frequency rescaling as in transformers' {@code modeling_rope_utils}.
     *
     * @param type {@code default}, {@code linear} or {@code llama3}
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

        /** Rescales the inverse frequencies of plain RoPE in place. */
        void apply(double[] invFreq) {
            switch (type) {
                case "default" -> {
                }
                case "linear" -> {
                    for (int i = 0; i < invFreq.length; i++) {
                        invFreq[i] /= factor;
                    }
                }
                case "llama3" -> {
                    double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
                    double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
                    for (int i = 0; i < invFreq.length; i++) {
                        double wavelen = 2 * Math.PI / invFreq[i];
                        double scaled = wavelen > lowFreqWavelen ? invFreq[i] / factor : invFreq[i];
                        boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
                        if (medium) {
                            double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                                    / (highFreqFactor - lowFreqFactor);
                            scaled = (1 - smooth) * scaled / factor + smooth * scaled;
                        }
                        invFreq[i] = scaled;
                    }
                }
                default -> throw new IllegalStateException(type);
            }
        }
    }

    public LlamaConfig {
        if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0
                || headDim <= 0 || vocabSize <= 0) {
            throw new InvalidInputException("config.json: sizes must be positive");
        }
        if (numHeads % numKvHeads != 0) {
            throw new InvalidInputException("config.json: num_attention_heads (" + numHeads
                    + ") is not a multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new InvalidInputException("config.json: head_dim must be even for rotary embeddings, not " + headDim);
        }
        if (intermediateSizes != null) {
            if (intermediateSizes.length != numLayers) {
                throw new InvalidInputException("config.json: intermediate_sizes lists " + intermediateSizes.length
                        + " widths for " + numLayers + " blocks (num_hidden_layers)");
            }
            for (int w : intermediateSizes) {
                if (w <= 0) {
                    throw new InvalidInputException("config.json: intermediate_sizes must be positive, not " + w);
                }
            }
            intermediateSizes = intermediateSizes.clone();
        }
    }

    /** The MLP width of block {@code i}. */
    public int intermediateSize(int i) {
        return intermediateSizes == null ? intermediateSize : intermediateSizes[i];
    }

    @Override
    public int[] intermediateSizes() {
        return intermediateSizes == null ? null : intermediateSizes.clone();
    }

    /** The config of an opened model; a model without config.json is invalid input. */
    public static LlamaConfig of(Checkpoint model) {
        if (model.config() == null) {
            throw new InvalidInputException(model.reference() + ": no config.json beside the weights; the forward "
                    + "pass needs the model's sizes (hidden_size, num_hidden_layers, ...) from it");
        }
        return parse(model.config(), model.reference());
    }

    /** Parses a config.json object; {@code where} names it in error messages. */
    public static LlamaConfig parse(JsonObject c, String where) {
        String type = str(c, "model_type");
        if (type != null && !MODEL_TYPES.contains(type)) {
            throw new InvalidInputException(where + ": no built-in LLaMA-family runner for model_type " + type
                    + (type.equals("gpt2") ? " (use Gpt2Runner, or Runners.open)" : " (supported: " + Runners.SUPPORTED + ")"));
        }
        String act = str(c, "hidden_act");
        if (act != null && !act.equals("silu")) {
            throw new InvalidInputException(where + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        int hidden = required(c, "hidden_size", where);
        int heads = required(c, "num_attention_heads", where);
        int kv = optInt(c, "num_key_value_heads", heads);
        if (heads > 0 && hidden % heads != 0 && !has(c, "head_dim")) {
            throw new InvalidInputException(where + ": hidden_size " + hidden + " is not divisible by "
                    + "num_attention_heads " + heads + " and head_dim is not given");
        }
        int headDim = optInt(c, "head_dim", heads > 0 ? hidden / heads : 0);
        return new LlamaConfig(hidden, required(c, "intermediate_size", where), required(c, "num_hidden_layers", where),
                heads, kv, headDim, optDouble(c, "rms_norm_eps", 1e-6), optDouble(c, "rope_theta", 10000.0),
                required(c, "vocab_size", where), optBool(c, "tie_word_embeddings", false),
                optBool(c, "attention_bias", false), optInt(c, "max_position_embeddings", 2048),
                ropeScaling(c, where), intList(c, "intermediate_sizes", where));
    }

    private static RopeScaling ropeScaling(JsonObject c, String where) {
        if (!has(c, "rope_scaling")) {
            return RopeScaling.NONE;
        }
        if (!c.get("rope_scaling").isJsonObject()) {
            throw new InvalidInputException(where + ": rope_scaling must be an object");
        }
        JsonObject r = c.getAsJsonObject("rope_scaling");
        String type = str(r, "rope_type");
        if (type == null) {
            type = str(r, "type");
        }
        type = type == null ? "default" : type.toLowerCase(Locale.ROOT);
        switch (type) {
            case "default":
                return RopeScaling.NONE;
            case "linear":
                return new RopeScaling("linear", positive(r, "factor", where), 0, 0, 0);
            case "llama3": {
                double low = positive(r, "low_freq_factor", where);
                double high = positive(r, "high_freq_factor", where);
                if (high <= low) {
                    throw new InvalidInputException(where + ": rope_scaling high_freq_factor must exceed low_freq_factor");
                }
                int orig = (int) positive(r, "original_max_position_embeddings", where);
                return new RopeScaling("llama3", positive(r, "factor", where), low, high, orig);
            }
            default:
                throw new InvalidInputException(where + ": rope_scaling type '" + type
                        + "' is not supported (supported: linear, llama3)");
        }
    }

    /** Number of query heads sharing one key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Rotary inverse frequencies (length head_dim / 2), rescaled as rope_scaling says. */
    public double[] inverseFrequencies() {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            // transformers computes these in float32
            inv[i] = (float) (1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim));
        }
        ropeScaling.apply(inv);
        return inv;
    }

    private static boolean has(JsonObject c, String key) {
        return c.has(key) && !c.get(key).isJsonNull();
    }

    private static String str(JsonObject c, String key) {
        return has(c, key) && c.get(key).isJsonPrimitive() ? c.get(key).getAsString() : null;
    }

    private static int required(JsonObject c, String key, String where) {
        if (!has(c, key)) {
            throw new InvalidInputException(where + ": config.json lacks " + key);
        }
        return asInt(c.get(key), key, where);
    }

    /** An optional list of non-negative integers; null when absent. */
    private static int[] intList(JsonObject c, String key, String where) {
        if (!has(c, key)) {
            return null;
        }
        if (!c.get(key).isJsonArray()) {
            throw new InvalidInputException(where + ": " + key + " must be a list of integers");
        }
        com.google.gson.JsonArray a = c.getAsJsonArray(key);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asInt(a.get(i), key, where);
        }
        return out;
    }

    private static int optInt(JsonObject c, String key, int dflt) {
        return has(c, key) ? asInt(c.get(key), key, "config.json") : dflt;
    }

    private static int asInt(JsonElement e, String key, String where) {
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new InvalidInputException(where + ": " + key + " must be a non-negative integer, not " + e);
            }
            return (int) d;
        } catch (RuntimeException ex) {
            if (ex instanceof InvalidInputException iie) {
                throw iie;
            }
            throw new InvalidInputException(where + ": " + key + " must be a number, not " + e);
        }
    }

    private static double optDouble(JsonObject c, String key, double dflt) {
        try {
            return has(c, key) ? c.get(key).getAsDouble() : dflt;
        } catch (RuntimeException e) {
            throw new InvalidInputException("config.json: " + key + " must be a number, not " + c.get(key));
        }
    }

    private static double positive(JsonObject c, String key, String where) {
        double v = optDouble(c, key, Double.NaN);
        if (!(v > 0)) {
            throw new InvalidInputException(where + ": rope_scaling." + key + " must be a positive number");
        }
        return v;
    }

    private static boolean optBool(JsonObject c, String key, boolean dflt) {
        return has(c, key) ? c.get(key).getAsBoolean() : dflt;
    }
}
