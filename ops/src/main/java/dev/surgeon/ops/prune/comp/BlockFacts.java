package dev.surgeon.ops.prune.comp;

/**
 * What COMP found about one block, for the report.
 *
 * @param importance    BI = 1 − mean cos(block input, block output) on the dense model
 * @param removed       the whole block was removed
 * @param width         MLP neurons before
 * @param kept          MLP neurons after (0 for a removed block)
 * @param errorBefore   relative reconstruction error of the MLP output with the kept neurons unscaled
 * @param errorAfter    the same after mask tuning (= errorBefore without tuning or on fallback)
 * @param fallback      why mask tuning's scales were rejected, or null
 */
public record BlockFacts(int block, double importance, boolean removed, int width, int kept, double errorBefore,
                         double errorAfter, String fallback) {
}
