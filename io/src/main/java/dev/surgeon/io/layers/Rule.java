package dev.surgeon.io.layers;

import java.util.regex.Pattern;

/** One template rule: a module path (matched whole) and the role it gives. */
record Rule(Pattern regex, Role role, boolean transposed, String part) {

    boolean matches(String modulePath) {
        return regex.matcher(modulePath).matches();
    }
}
