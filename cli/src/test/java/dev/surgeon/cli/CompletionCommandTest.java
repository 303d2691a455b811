package dev.surgeon.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** surgeon completion: a bash script naming every command and their options, loadable by bash. */
class CompletionCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theScriptNamesEveryCommandAndSomeOptions() throws Exception {
        CommandRun r = CommandRun.of("completion");
        assertThat(r.code()).isZero();
        for (String c : Main.commandLine().getSubcommands().keySet()) {
            assertThat(r.out()).as(c).contains(c);
        }
        assertThat(r.out()).contains("compute").contains("apply")
                .contains("--max-shard-size").contains("--ratio").contains("--config").contains("--method")
                .contains("complete -F _complete_surgeon");
        Path script = Files.writeString(tmp.resolve("surgeon.bash"), r.out());
        Path bash = Path.of("/bin/bash");
        Assumptions.assumeTrue(Files.isExecutable(bash), "no /bin/bash: the script is not sourced");
        Process p = new ProcessBuilder(bash.toString(), "-c", "source '" + script + "' && complete -p surgeon")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("surgeon");
    }
}
