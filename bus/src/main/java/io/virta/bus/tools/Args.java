package io.virta.bus.tools;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A minimal {@code --name value} / {@code --flag} parser that names the option in its errors. */
public final class Args {
    private final String command;
    private final List<String> positional = new java.util.ArrayList<>();
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    /** Parses {@code argv}; {@code flagNames} are options that take no value. */
    public Args(String command, String[] argv, Set<String> valueNames, Set<String> flagNames) {
        this.command = command;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                if (flagNames.contains(key)) {
                    flags.add(key);
                } else if (valueNames.contains(key)) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": option --" + key + " needs a value");
                    }
                    values.put(key, argv[++i]);
                } else {
                    throw new UsageException(command + ": unknown option " + a + " (see " + command + " --help)");
                }
            } else {
                positional.add(a);
            }
        }
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public String positional(int index, String what) {
        if (index >= positional.size()) {
            throw new UsageException(command + ": missing " + what + " (see " + command + " --help)");
        }
        return positional.get(index);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public long number(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, not '" + v + "'");
        }
    }

    public double decimal(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, not '" + v + "'");
        }
    }

    /** A command-line mistake: printed with the usage hint, exit status 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
