package dev.surgeon.ops.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds tiny byte-level BPE tokenizer.json files in the Hugging Face format, as GPT-2 and LLaMA-3
 * write them: the 256 byte symbols of GPT-2's byte-to-unicode map as ids 0..255 (id = byte value),
 * then merged symbols, then added tokens.
 */
final class TinyTokenizers {
    static final int TH = 256;
    static final int THE = 257;
    static final int SPACE_THE = 258;
    static final int N_QUOTE = 259;
    static final int QUOTE_T = 260;
    static final int EOT = 261;
    static final int BOS = 262;

    private TinyTokenizers() {
    }

    /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
    static char[] byteToUnicode() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) next++;
        }
        return map;
    }

    /**
     * Vocabulary: bytes, "th", "the", "Ġthe", "n'", "'t"; merges in that order; added token
     * {@code <|endoftext|>}; with {@code bos} also {@code <|begin_of_text|>} put first by a
     * TemplateProcessing post-processor (LLaMA-3 style), else GPT-2's ByteLevel post-processor.
     */
    static Path write(Path folder, boolean bos) throws IOException {
        char[] u = byteToUnicode();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(u[b]), b);
        }
        String g = String.valueOf(u[' ']);
        vocab.put("th", TH);
        vocab.put("the", THE);
        vocab.put(g + "the", SPACE_THE);
        vocab.put("n'", N_QUOTE);
        vocab.put("'t", QUOTE_T);
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);
        JsonArray merges = new JsonArray();
        for (String m : new String[] {"t h", "th e", g + " the", "n '", "' t"}) {
            merges.add(m);
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", null);
        model.add("unk_token", null);
        model.addProperty("continuing_subword_prefix", "");
        model.addProperty("end_of_word_suffix", "");
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.add("vocab", v);
        model.add("merges", merges);

        JsonArray added = new JsonArray();
        added.add(addedToken(EOT, "<|endoftext|>"));
        if (bos) {
            added.add(addedToken(BOS, "<|begin_of_text|>"));
        }
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        root.add("added_tokens", added);
        root.add("normalizer", null);
        root.add("pre_tokenizer", byteLevel(false));
        root.add("post_processor", bos ? template() : byteLevel(true));
        root.add("decoder", byteLevel(true));
        root.add("model", model);
        Files.createDirectories(folder);
        Path file = folder.resolve("tokenizer.json");
        Files.writeString(file, new GsonBuilder().serializeNulls().create().toJson(root), StandardCharsets.UTF_8);
        return file;
    }

    private static JsonObject addedToken(int id, String content) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", content);
        t.addProperty("single_word", false);
        t.addProperty("lstrip", false);
        t.addProperty("rstrip", false);
        t.addProperty("normalized", false);
        t.addProperty("special", true);
        return t;
    }

    private static JsonObject byteLevel(boolean addPrefixSpace) {
        JsonObject p = new JsonObject();
        p.addProperty("type", "ByteLevel");
        p.addProperty("add_prefix_space", addPrefixSpace);
        p.addProperty("trim_offsets", true);
        p.addProperty("use_regex", true);
        return p;
    }

    private static JsonObject template() {
        JsonObject bosPiece = new JsonObject();
        JsonObject special = new JsonObject();
        special.addProperty("id", "<|begin_of_text|>");
        special.addProperty("type_id", 0);
        bosPiece.add("SpecialToken", special);
        JsonObject seqPiece = new JsonObject();
        JsonObject seq = new JsonObject();
        seq.addProperty("id", "A");
        seq.addProperty("type_id", 0);
        seqPiece.add("Sequence", seq);
        JsonArray single = new JsonArray();
        single.add(bosPiece);
        single.add(seqPiece);
        JsonObject seqB = new JsonObject();
        JsonObject b = new JsonObject();
        b.addProperty("id", "B");
        b.addProperty("type_id", 1);
        seqB.add("Sequence", b);
        JsonArray pair = new JsonArray();
        pair.add(bosPiece);
        pair.add(seqPiece);
        pair.add(bosPiece);
        pair.add(seqB);
        JsonObject tokens = new JsonObject();
        JsonObject bosEntry = new JsonObject();
        bosEntry.addProperty("id", "<|begin_of_text|>");
        JsonArray ids = new JsonArray();
        ids.add(BOS);
        bosEntry.add("ids", ids);
        JsonArray toks = new JsonArray();
        toks.add("<|begin_of_text|>");
        bosEntry.add("tokens", toks);
        tokens.add("<|begin_of_text|>", bosEntry);
        JsonObject p = new JsonObject();
        p.addProperty("type", "TemplateProcessing");
        p.add("single", single);
        p.add("pair", pair);
        p.add("special_tokens", tokens);
        return p;
    }
}
