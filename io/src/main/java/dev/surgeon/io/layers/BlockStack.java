package dev.surgeon.io.layers;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One run of numbered blocks: the decoder of a LLaMA, or the encoder or the decoder of a BART.
 * Stacks are numbered one after another, in template order, into a single block index space.
 *
 * @param blockPattern anchored regex on the module path; group 1 is the block index
 * @param countKeys    config.json keys that give this stack's block count, first present wins
 * @param skipIfFalse  config key that, when false, means the stack does not exist (BART's
 *                     {@code is_encoder_decoder} is false for BartForCausalLM); null if none
 */
record BlockStack(String name, Pattern blockPattern, List<String> countKeys, String skipIfFalse) {
}
