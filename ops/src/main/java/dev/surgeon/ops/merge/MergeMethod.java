package dev.surgeon.ops.merge;

import dev.surgeon.io.error.UsageException;

/** The merges {@code surgeon merge} can do, by their command-line names. */
public enum MergeMethod {
    TASK_ARITHMETIC("task-arithmetic"),
    TIES("ties"),
    DARE("dare"),
    SLERP("slerp");

    public final String cliName;

    MergeMethod(String cliName) {
        this.cliName = cliName;
    }

    /** Parses a command-line name; anything else is a usage error listing the choices. */
    public static MergeMethod parse(String flag, String text) {
        for (MergeMethod m : values()) {
            if (m.cliName.equals(text)) {
                return m;
            }
        }
        throw new UsageException(flag + " must be task-arithmetic, ties, dare or slerp, not '" + text + "'");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
