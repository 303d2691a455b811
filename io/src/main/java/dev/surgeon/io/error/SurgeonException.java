package dev.surgeon.io.error;

/**
 * Root of surgeon's own failures. Each subclass is one failure class; the CLI maps classes to exit
 * codes in one place ({@code dev.surgeon.cli.ExitCodes}), so code that fails only picks the class.
 */
public abstract class SurgeonException extends RuntimeException {
    protected SurgeonException(String message) {
        super(message);
    }

    protected SurgeonException(String message, Throwable cause) {
        super(message, cause);
    }
}
