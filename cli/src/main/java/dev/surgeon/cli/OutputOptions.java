package dev.surgeon.cli;

import dev.surgeon.io.util.ByteSize;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where and how a writing command writes its model. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "Output: a folder (Hugging Face layout), a path ending in .safetensors, or an archive of the folder "
                    + "(.tar, .tar.gz, .tgz, .zip). "
                    + "Default: beside the first input, named after the command (model.safetensors -> model.<done>.safetensors, dir/ -> dir-<done>/).")
    public Path output;

    @Option(names = "--force", description = "Replace an existing output. Default: off (an existing output is refused, exit 4).")
    public boolean force;

    @Option(names = "--max-shard-size", paramLabel = "SIZE",
            description = "Split the output into shards of at most SIZE bytes of tensors (suffixes K, M, G; e.g. 5G), "
                    + "with model.safetensors.index.json. Default: one file.")
    String maxShardSize;

    @Option(names = "--no-card", description = "Do not write README.md (model card) into a folder output. Default: a card is written.")
    public boolean noCard;

    public long maxShardBytes() {
        return maxShardSize == null ? 0 : ByteSize.parse(maxShardSize);
    }
}
