package dev.surgeon.io.error;

/** A tensor holds NaN or Inf where finite values are required. Exit 5. */
public class NumericGuardException extends SurgeonException {
    public NumericGuardException(String message) {
        super(message);
    }
}
