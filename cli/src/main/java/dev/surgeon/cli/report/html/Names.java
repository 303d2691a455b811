package dev.surgeon.cli.report.html;

import java.util.Map;

/** How a report field is called on the page (the JSON name stays in data-field and the tables' captions). */
final class Names {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("lambda", "λ(ℓ)"),
            Map.entry("norm_delta", "‖Δ‖"),
            Map.entry("norm_a", "‖A‖"),
            Map.entry("relative", "‖Δ‖ / ‖A‖"),
            Map.entry("cosine", "cosine(A, B)"),
            Map.entry("weight", "POST weight W"),
            Map.entry("ratio", "POST weight W"),
            Map.entry("sparsity", "sparsity"),
            Map.entry("target_sparsity", "target sparsity"),
            Map.entry("width_before", "MLP width before"),
            Map.entry("width_after", "MLP width after"),
            Map.entry("error_before", "error before"),
            Map.entry("error_after", "error after"),
            Map.entry("nll_target", "NLL target"),
            Map.entry("nll_control", "NLL control"),
            Map.entry("target_kept", "target kept"),
            Map.entry("control_recovered", "control recovered"),
            Map.entry("calibration_nll", "calibration NLL"));

    private Names() {
    }

    static String of(String field) {
        return NAMES.getOrDefault(field, field.replace('_', ' '));
    }
}
