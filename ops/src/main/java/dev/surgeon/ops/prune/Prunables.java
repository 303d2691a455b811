package dev.surgeon.ops.prune;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.error.UsageException;
import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.DType;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tensors of a model a pruning method edits. By default the 2-D weights inside blocks whose
 * role is attention or MLP (q, k, v, o, fused qkv, gate, up, down); never embeddings, heads, norms,
 * biases, LoRA factors or buffers. {@code --include REGEX} adds tensors whose name matches (found
 * anywhere in the name, {@link java.util.regex.Matcher#find}), {@code --exclude REGEX} removes them;
 * exclusion wins. Whatever is selected must be a 2-D floating-point tensor.
 */
public final class Prunables {
    private Prunables() {
    }

    /** The selected tensors in the model's tensor order. */
    public static List<PrunableTensor> select(Checkpoint model, LayerMap layers, List<String> include,
                                              List<String> exclude) {
        List<Pattern> inc = compile(include, "--include");
        List<Pattern> exc = compile(exclude, "--exclude");
        List<PrunableTensor> out = new ArrayList<>();
        for (TensorRef ref : model.tensors().values()) {
            String name = ref.name();
            TensorRole role = layers.roleOf(name);
            boolean included = matches(inc, name);
            if (matches(exc, name) || !(included || byDefault(ref, role))) {
                continue;
            }
            long[] shape = ref.info().shape();
            DType dt = ref.info().dtype();
            if (shape.length != 2 || !dt.isFloat() || !dt.decodable()) {
                throw new InvalidInputException("tensor '" + name + "' matches --include but is not a 2-D "
                        + "floating-point weight (" + dt + " " + java.util.Arrays.toString(shape) + ")");
            }
            long rows = role.transposed() ? shape[1] : shape[0];
            long cols = role.transposed() ? shape[0] : shape[1];
            out.add(new PrunableTensor(ref, role, rows, cols));
        }
        return out;
    }

    /** The default rule of METHODS.md: 2-D attention/MLP weights inside blocks. */
    static boolean byDefault(TensorRef ref, TensorRole role) {
        return role.inBlock() && role.kind() == Kind.WEIGHT && (role.role().isAttention() || role.role().isMlp())
                && ref.info().shape().length == 2 && ref.info().dtype().isFloat() && ref.info().dtype().decodable();
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).find()) {
                return true;
            }
        }
        return false;
    }

    private static List<Pattern> compile(List<String> regexes, String option) {
        List<Pattern> out = new ArrayList<>();
        if (regexes != null) {
            for (String r : regexes) {
                try {
                    out.add(Pattern.compile(r));
                } catch (PatternSyntaxException e) {
                    throw new UsageException(option + " '" + r + "' is not a valid regular expression: "
                            + e.getDescription());
                }
            }
        }
        return out;
    }
}
