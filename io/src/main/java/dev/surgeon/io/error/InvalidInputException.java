package dev.surgeon.io.error;

/** The input is wrong: a malformed file, a missing tensor, a shape or architecture mismatch. Exit 3. */
public class InvalidInputException extends SurgeonException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
