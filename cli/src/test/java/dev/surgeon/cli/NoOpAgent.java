package dev.surgeon.cli;

/** A Java agent that does nothing: {@link LauncherArchivesTest} runs surgeon with it, as a profiler or debugger would be. */
public final class NoOpAgent {
    private NoOpAgent() {
    }

    public static void premain(String args) {
        // loading an agent at all is what the test needs
    }
}
