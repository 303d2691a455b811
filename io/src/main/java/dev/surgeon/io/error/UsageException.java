package dev.surgeon.io.error;

/** The command line or a config file asks for something that cannot be done as asked. Exit 2. */
public class UsageException extends SurgeonException {
    public UsageException(String message) {
        super(message);
    }
}
