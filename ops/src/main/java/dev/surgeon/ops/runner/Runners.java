package dev.surgeon.ops.runner;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;

import java.util.Locale;

/** Picks the runner for a model's architecture (from its config.json). */
public final class Runners {
    /** The model_type values with a built-in runner, as listed in error messages. */
    static final String SUPPORTED = "llama, mistral, qwen2, gpt2";

    private Runners() {
    }

    /**
     * The runner for {@code model}: GPT-2 when config.json's model_type is "gpt2" (or, without a
     * model_type, an architecture named GPT2*), else LLaMA-family; an architecture without one is
     * an invalid-input error.
     */
    public static TransformerRunner open(Checkpoint model) {
        JsonObject c = model.config();
        if (c != null && isGpt2(c)) {
            return Gpt2Runner.open(model);
        }
        if (c != null) {
            String type = modelType(c);
            if (type != null && !LlamaConfig.MODEL_TYPES.contains(type)) {
                throw new InvalidInputException(model.reference() + ": no built-in runner for model_type " + type
                        + " (supported: " + SUPPORTED + ")");
            }
        }
        return LlamaRunner.open(model);
    }

    static boolean isGpt2(JsonObject c) {
        String type = modelType(c);
        if (type != null) {
            return type.equals("gpt2");
        }
        if (c.has("architectures") && c.get("architectures").isJsonArray()) {
            JsonArray a = c.getAsJsonArray("architectures");
            for (JsonElement e : a) {
                if (e.isJsonPrimitive() && e.getAsString().toUpperCase(Locale.ROOT).startsWith("GPT2")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String modelType(JsonObject c) {
        JsonElement e = c.get("model_type");
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}
