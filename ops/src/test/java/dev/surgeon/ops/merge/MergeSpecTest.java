package dev.surgeon.ops.merge;

import dev.surgeon.io.error.UsageException;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MergeSpecTest {
    private static MergeFiles.Opts opts(String method, Consumer<MergeFiles.Opts> set) {
        MergeFiles.Opts o = new MergeFiles.Opts(method);
        set.accept(o);
        return o;
    }

    private static void usage(String method, int tasks, Consumer<MergeFiles.Opts> set, String message) {
        assertThatThrownBy(() -> opts(method, set).spec(tasks)).isInstanceOf(UsageException.class).hasMessageContaining(message);
    }

    @Test
    void defaults() {
        MergeSpec ties = opts("ties", o -> { }).spec(2);
        assertThat(ties.density()).isEqualTo(0.2);
        assertThat(ties.lambda()).isEqualTo(1.0);
        MergeSpec dare = opts("dare", o -> { }).spec(2);
        assertThat(dare.dropRate()).isEqualTo(0.1);
        assertThat(dare.rescale()).isTrue();
        assertThat(dare.then()).isEqualTo(MergeMethod.TASK_ARITHMETIC);
        assertThat(dare.seed()).isZero();
        assertThat(opts("slerp", o -> { }).spec(1).t()).containsExactly(0.5);
        MergeSpec lines = opts("task-arithmetic", o -> o.lines = true).spec(3);
        assertThat(lines.beta()).isEqualTo(0.5);
        assertThat(lines.lambda()).isNaN();
        assertThat(opts("task-arithmetic", o -> { o.weights = "1,3"; o.normalize = true; }).spec(2).coefficients())
                .containsExactly(0.25, 0.75);
    }

    @Test
    void rangesAndLists() {
        usage("ties", 2, o -> o.density = 1.5, "--density must be in [0, 1]");
        usage("ties", 2, o -> o.density = -0.1, "--density must be in [0, 1]");
        usage("dare", 2, o -> o.dropRate = 2.0, "--drop-rate must be in [0, 1]");
        usage("slerp", 1, o -> o.t = "0,1.2", "--t must be in [0, 1]");
        usage("slerp", 1, o -> o.t = "0,,1", "--t must be a comma-separated list");
        usage("slerp", 1, o -> o.t = "half", "--t must be a comma-separated list");
        usage("task-arithmetic", 2, o -> o.weights = "1,x", "--weights must be a comma-separated list");
        usage("task-arithmetic", 2, o -> o.weights = "1,NaN", "--weights must be a comma-separated list");
        usage("task-arithmetic", 2, o -> o.weights = "1,2,3", "--weights has 3 value(s) but 2 fine-tuned model(s)");
        usage("task-arithmetic", 2, o -> { o.weights = "1,-1"; o.normalize = true; }, "sum of the weights, which is 0");
        usage("bogus", 2, o -> { }, "--method must be");
        usage("dare", 2, o -> o.then = "slerp", "--then must be task-arithmetic or ties");
    }

    @Test
    void optionsThatDoNotApplyAreUsageErrors() {
        usage("slerp", 2, o -> { }, "exactly one model");
        usage("task-arithmetic", 2, o -> { o.lines = true; o.lambda = 0.5; }, "--lambda does not apply with --lines");
        usage("slerp", 1, o -> o.lines = true, "--lines applies only to");
        usage("slerp", 1, o -> o.lambda = 0.3, "--lambda applies only to");
        usage("task-arithmetic", 2, o -> o.beta = 0.3, "--beta applies only to --lines");
        usage("ties", 2, o -> o.weights = "1,1", "--weights applies only to");
        usage("task-arithmetic", 2, o -> o.density = 0.3, "--density applies only to");
        usage("ties", 2, o -> o.dropRate = 0.3, "--drop-rate applies only to");
        usage("task-arithmetic", 2, o -> o.t = "0.3", "--t applies only to");
        usage("ties", 2, o -> o.noRescale = true, "--no-rescale applies only to");
        usage("dare", 2, o -> { o.then = "ties"; o.weights = "1,2"; }, "--weights applies only to");
    }
}
