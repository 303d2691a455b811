package dev.surgeon.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SurgeonCommandTest {
    @Test
    void everyListedNameIsTheNameItsCommandDeclares() {
        for (Map.Entry<String, Class<?>> e : SurgeonCommand.COMMANDS.entrySet()) {
            assertThat(e.getValue().getAnnotation(Command.class).name()).as(e.getValue().getName()).isEqualTo(e.getKey());
        }
        assertThat(SurgeonCommand.COMMANDS).hasSize(14);
    }

    @Test
    void aRunBuildsOnlyTheCommandItNames() {
        assertThat(Main.commandLine(new String[] {"-q", "inspect", "x"}).getSubcommands()).containsOnlyKeys("inspect");
        assertThat(Main.commandLine(new String[] {"help", "prune"}).getSubcommands()).containsOnlyKeys(SurgeonCommand.COMMANDS.keySet());
    }
}
