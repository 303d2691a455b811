package dev.surgeon.ops.prune.comp;

import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.checkpoint.TensorRef;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.TensorInfo;

import java.util.Arrays;

/**
 * The MLP of every block as the layer map sees it: one gate_proj, up_proj and down_proj weight
 * each ([I, d], [I, d], [d, I], PyTorch layout), optional biases, and the width I. Structured
 * neuron pruning needs exactly this (SwiGLU with separate projections); anything else (a fused
 * gate_up_proj, Conv1D layout, experts, LoRA or quantized factors) is refused here, before any
 * output is written.
 */
final class MlpBlocks {
    private final String[][] names; // [block][role: gate weight, up weight, down weight, gate bias, up bias]
    private final int[] widths;
    private final long hidden;

    /** What to do instead, appended to each refusal that is about the architecture. */
    static final String INSTEAD = "; for other architectures use --method magnitude, wanda or ecoflap";

    private static final int GATE = 0;
    private static final int UP = 1;
    private static final int DOWN = 2;
    private static final int GATE_BIAS = 3;
    private static final int UP_BIAS = 4;

    private MlpBlocks(String[][] names, int[] widths, long hidden) {
        this.names = names;
        this.widths = widths;
        this.hidden = hidden;
    }

    static MlpBlocks of(Checkpoint in, LayerMap layers) {
        int blocks = layers.blockCount();
        String[][] names = new String[blocks][5];
        for (String name : in.names()) {
            TensorRole r = layers.roleOf(name);
            if (r.role() == Role.MLP_GATE_UP) {
                throw new InvalidInputException(in.reference() + ": '" + name + "' is a fused gate/up projection; "
                        + "structured MLP pruning needs separate gate_proj, up_proj and down_proj" + INSTEAD);
            }
            if (!r.role().isMlp()) {
                continue;
            }
            if (!r.inBlock() || r.transposed() || (r.kind() != Kind.WEIGHT && r.kind() != Kind.BIAS)) {
                throw new InvalidInputException(in.reference() + ": MLP tensor '" + name + "' cannot be sliced by "
                        + "structured pruning (only plain [out, in] weights and biases inside blocks can)" + INSTEAD);
            }
            int slot = switch (r.role()) {
                case MLP_GATE -> r.isBias() ? GATE_BIAS : GATE;
                case MLP_UP -> r.isBias() ? UP_BIAS : UP;
                default -> r.isBias() ? -1 : DOWN; // down_proj's bias is [d]: copied as it is
            };
            if (slot < 0) {
                continue;
            }
            if (names[r.block()][slot] != null) {
                throw new InvalidInputException(in.reference() + ": block " + r.block() + " has more than one "
                        + r.role().jsonName() + (r.isBias() ? " bias" : " weight") + " ('" + names[r.block()][slot]
                        + "', '" + name + "'); structured pruning supports one dense MLP per block" + INSTEAD);
            }
            names[r.block()][slot] = name;
        }
        int[] widths = new int[blocks];
        long hidden = -1;
        for (int b = 0; b < blocks; b++) {
            for (int s = GATE; s <= DOWN; s++) {
                if (names[b][s] == null) {
                    throw new InvalidInputException(in.reference() + ": block " + b + " has no "
                            + new String[] {"gate_proj", "up_proj", "down_proj"}[s] + " weight (architecture "
                            + layers.architectureName() + "); structured pruning needs a SwiGLU MLP in every block" + INSTEAD);
                }
                requireFloat(in.tensor(names[b][s]));
            }
            TensorInfo gate = in.tensor(names[b][GATE]).info();
            long[] g = gate.shape();
            if (g.length != 2) {
                throw shape(in, gate, "[I, hidden]");
            }
            widths[b] = Math.toIntExact(g[0]);
            hidden = hidden < 0 ? g[1] : hidden;
            expect(in, names[b][GATE], hidden, widths[b], hidden);
            expect(in, names[b][UP], hidden, widths[b], hidden);
            expect(in, names[b][DOWN], hidden, hidden, widths[b]);
            for (int s = GATE_BIAS; s <= UP_BIAS; s++) {
                if (names[b][s] != null) {
                    requireFloat(in.tensor(names[b][s]));
                    expect(in, names[b][s], hidden, widths[b]);
                }
            }
        }
        return new MlpBlocks(names, widths, hidden);
    }

    int blockCount() {
        return widths.length;
    }

    /** The names and sizes of block {@code b}'s MLP. */
    MlpTensors block(int b) {
        String[] n = names[b];
        return new MlpTensors(b, n[GATE], n[UP], n[DOWN], n[GATE_BIAS], n[UP_BIAS], widths[b], Math.toIntExact(hidden));
    }

    /** MLP width of input block {@code b}. */
    int width(int b) {
        return widths[b];
    }

    int[] widths() {
        return widths.clone();
    }

    /** True when {@code name} is a gate/up_proj weight or bias (its rows, or entries, are neurons). */
    boolean isNeuronRows(int block, String name) {
        String[] n = names[block];
        return name.equals(n[GATE]) || name.equals(n[UP]) || name.equals(n[GATE_BIAS]) || name.equals(n[UP_BIAS]);
    }

    /** True when {@code name} is the down_proj weight of the block (its columns are neurons). */
    boolean isNeuronColumns(int block, String name) {
        return name.equals(names[block][DOWN]);
    }

    private static void requireFloat(TensorRef t) {
        if (!t.info().dtype().isFloat() || !t.info().dtype().decodable()) {
            throw new InvalidInputException("tensor '" + t.name() + "': dtype " + t.info().dtype()
                    + " cannot be sliced by structured pruning (a decodable float dtype is needed)");
        }
    }

    private static void expect(Checkpoint in, String name, long hidden, long... shape) {
        TensorInfo t = in.tensor(name).info();
        if (!Arrays.equals(t.shape(), shape)) {
            throw shape(in, t, Arrays.toString(shape) + " (hidden " + hidden + ")");
        }
    }

    private static InvalidInputException shape(Checkpoint in, TensorInfo t, String expected) {
        return new InvalidInputException(in.reference() + ": MLP tensor '" + t.name() + "' has shape "
                + Arrays.toString(t.shape()) + ", expected " + expected);
    }
}
