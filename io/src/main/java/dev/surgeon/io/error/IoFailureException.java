package dev.surgeon.io.error;

/** Reading or writing failed: unreadable input, disk full, output exists, concurrent writer. Exit 4. */
public class IoFailureException extends SurgeonException {
    public IoFailureException(String message) {
        super(message);
    }

    public IoFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
