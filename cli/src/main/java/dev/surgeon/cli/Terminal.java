package dev.surgeon.cli;

/**
 * What surgeon knows about its stderr. Java cannot test file descriptor 2, so the launcher does
 * ({@code [ -t 2 ]}) and passes {@code -Dsurgeon.stderr.tty=1|0} and the width as
 * {@code -Dsurgeon.columns=N}; without the property, System.console() (stdin and stdout both a
 * terminal) stands in.
 */
public final class Terminal {
    private Terminal() {
    }

    public static boolean stderrIsTerminal() {
        String p = System.getProperty("surgeon.stderr.tty");
        if (p != null) {
            return p.equals("1") || p.equalsIgnoreCase("true");
        }
        return System.console() != null;
    }

    /** Colours only on a terminal and when NO_COLOR is unset or empty (https://no-color.org). */
    public static boolean color() {
        return stderrIsTerminal() && colorAllowed(System.getenv("NO_COLOR"));
    }

    static boolean colorAllowed(String noColor) {
        return noColor == null || noColor.isEmpty();
    }

    /** The terminal's width in columns: the launcher's measure, else $COLUMNS, else 80. */
    public static int columns() {
        Integer p = Integer.getInteger("surgeon.columns");
        if (p != null && p > 0) {
            return p;
        }
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 80 : Math.max(20, Integer.parseInt(c.trim()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
