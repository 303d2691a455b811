package dev.surgeon.ops.mask;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.io.checkpoint.Checkpoint;
import dev.surgeon.io.error.InvalidInputException;
import dev.surgeon.io.layers.Kind;
import dev.surgeon.io.layers.LayerMap;
import dev.surgeon.io.layers.Role;
import dev.surgeon.io.layers.TensorRole;
import dev.surgeon.io.safetensors.TensorInfo;

import java.util.Arrays;

/**
 * The attention of every block ({@link BlockAttention}), from config.json (head counts, per block
 * when {@code num_attention_heads_per_layer} / {@code num_key_value_heads_per_layer} say so) and
 * the layer map (which tensor is q, k, v, o or the fused qkv), checked against the tensors' shapes.
 * Only head masks need it; anything it cannot read is refused before any output is written.
 */
public final class AttentionLayout {
    private AttentionLayout() {
    }

    public static BlockAttention[] of(Checkpoint in, LayerMap layers) {
        JsonObject c = in.config();
        if (c == null) {
            throw new InvalidInputException(in.reference() + ": head masks need config.json (num_attention_heads)");
        }
        int blocks = layers.blockCount();
        int[] heads = perBlock(c, blocks, "num_attention_heads_per_layer", firstInt(c, "num_attention_heads", "n_head"));
        Integer kvAll = firstInt(c, "num_key_value_heads");
        int[] kv = perBlock(c, blocks, "num_key_value_heads_per_layer", kvAll);
        Integer hidden = firstInt(c, "hidden_size", "n_embd");
        Integer hd = firstInt(c, "head_dim");
        String[][] n = new String[blocks][8]; // q k v o qb kb vb | qkv(7) ; qkv bias kept apart
        String[] qkvBias = new String[blocks];
        for (String name : in.names()) {
            TensorRole r = layers.roleOf(name);
            if (!r.inBlock() || !r.role().isAttention() || r.isCrossAttention()) {
                continue;
            }
            if (r.kind() != Kind.WEIGHT && r.kind() != Kind.BIAS) {
                throw refuse(in, name, "is not a plain weight or bias");
            }
            boolean bias = r.kind() == Kind.BIAS;
            int slot = switch (r.role()) {
                case ATTN_Q -> bias ? 4 : 0;
                case ATTN_K -> bias ? 5 : 1;
                case ATTN_V -> bias ? 6 : 2;
                case ATTN_O -> bias ? -1 : 3; // o_proj's bias is [d]: untouched by heads
                case ATTN_QKV -> bias ? 8 : 7;
                default -> -1;
            };
            if (slot == 8) {
                qkvBias[r.block()] = name;
            } else if (slot >= 0) {
                if (n[r.block()][slot] != null) {
                    throw refuse(in, name, "is a second " + r.role().jsonName() + " tensor of block " + r.block());
                }
                n[r.block()][slot] = name;
            }
        }
        BlockAttention[] out = new BlockAttention[blocks];
        for (int b = 0; b < blocks; b++) {
            int h = heads[b];
            int k = kv[b] > 0 ? kv[b] : h;
            if (h <= 0 || k <= 0 || h % k != 0) {
                throw new InvalidInputException(in.reference() + ": block " + b + " has " + h + " query heads and " + k
                        + " KV heads; head masks need H a positive multiple of KV");
            }
            int d;
            if (hd != null) {
                d = hd;
            } else if (hidden != null && hidden % h == 0) {
                d = hidden / h;
            } else {
                throw new InvalidInputException(in.reference() + ": config.json gives no head_dim and hidden_size is not a "
                        + "multiple of the head count");
            }
            String[] s = n[b];
            BlockAttention a = new BlockAttention(h, k, d, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], qkvBias[b]);
            check(in, b, a);
            out[b] = a;
        }
        return out;
    }

    /** Every tensor a head mask touches must be there, with the shape the head counts imply. */
    private static void check(Checkpoint in, int b, BlockAttention a) {
        long q = (long) a.heads() * a.headDim();
        long kv = (long) a.kvHeads() * a.headDim();
        if (a.fused()) {
            if (a.q() != null || a.k() != null || a.v() != null || a.o() == null) {
                throw new InvalidInputException(in.reference() + ": block " + b + " mixes a fused qkv projection with "
                        + "separate ones, or has no output projection");
            }
            if (a.kvHeads() != a.heads()) {
                throw new InvalidInputException(in.reference() + ": block " + b + ": a fused qkv projection with grouped "
                        + "KV heads is not supported");
            }
            shape(in, a.qkv(), a.qkv(), -1, 3 * q);
            shape(in, a.o(), a.o(), q, -1);
            if (a.qkvBias() != null) {
                shape(in, a.qkvBias(), a.qkvBias(), 3 * q);
            }
            return;
        }
        for (String s : new String[] {a.q(), a.k(), a.v(), a.o()}) {
            if (s == null) {
                throw new InvalidInputException(in.reference() + ": block " + b + " lacks one of q/k/v/o_proj; head masks "
                        + "need all four (or GPT-2's c_attn and c_proj)");
            }
        }
        shape(in, a.q(), a.q(), q, -1);
        shape(in, a.k(), a.k(), kv, -1);
        shape(in, a.v(), a.v(), kv, -1);
        shape(in, a.o(), a.o(), -1, q);
        if (a.qBias() != null) {
            shape(in, a.qBias(), a.qBias(), q);
        }
        if (a.kBias() != null) {
            shape(in, a.kBias(), a.kBias(), kv);
        }
        if (a.vBias() != null) {
            shape(in, a.vBias(), a.vBias(), kv);
        }
    }

    /** Rank and the given dimensions (-1: any) of a tensor. */
    private static void shape(Checkpoint in, String what, String name, long... dims) {
        TensorInfo t = in.tensor(name).info();
        boolean ok = t.rank() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || t.dim(i) == dims[i];
        }
        if (!ok) {
            throw new InvalidInputException(in.reference() + ": '" + what + "' has shape " + Arrays.toString(t.shape())
                    + ", which does not match the head counts in config.json (expected " + Arrays.toString(dims)
                    + ", -1 = any)");
        }
    }

    private static int[] perBlock(JsonObject c, int blocks, String key, Integer all) {
        int[] v = new int[blocks];
        JsonElement e = c.get(key);
        if (e instanceof JsonArray a) {
            if (a.size() != blocks) {
                throw new InvalidInputException("config.json: " + key + " lists " + a.size() + " blocks, the model has " + blocks);
            }
            for (int i = 0; i < blocks; i++) {
                v[i] = a.get(i).getAsInt();
            }
            return v;
        }
        if (all == null) {
            return v; // 0: filled in by the caller (KV defaults to H); H itself is checked there
        }
        Arrays.fill(v, all);
        return v;
    }

    private static Integer firstInt(JsonObject c, String... keys) {
        for (String k : keys) {
            JsonElement e = c.get(k);
            if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsInt();
            }
        }
        return null;
    }

    private static InvalidInputException refuse(Checkpoint in, String name, String why) {
        return new InvalidInputException(in.reference() + ": attention tensor '" + name + "' " + why
                + "; head masks support the LLaMA family (q/k/v/o_proj) and GPT-2 (c_attn, c_proj)");
    }
}
