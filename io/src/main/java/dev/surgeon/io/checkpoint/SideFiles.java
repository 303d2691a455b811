package dev.surgeon.io.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Non-weight files of a Hugging Face model folder that belong with the weights: config,
 * tokenizer, generation config, chat template. They are copied into a directory output.
 */
public final class SideFiles {
    private static final Set<String> NAMES = Set.of(
            "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "tokenizer.model", "vocab.json", "vocab.txt",
            "merges.txt", "chat_template.json", "chat_template.jinja", "preprocessor_config.json",
            "adapter_config.json", "sentencepiece.bpe.model", "spiece.model");

    private SideFiles() {
    }

    public static boolean isSideFile(String fileName) {
        return NAMES.contains(fileName);
    }

    /** The side files directly inside {@code dir}, sorted by name. */
    public static List<Path> in(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).filter(p -> isSideFile(p.getFileName().toString())).sorted().forEach(out::add);
        }
        return out;
    }
}
