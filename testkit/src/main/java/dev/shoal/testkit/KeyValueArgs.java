package dev.shoal.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code key=value} arguments of the benchmarks' and tools' main methods (several may share one argument,
 * space-separated). {@link #only} refuses keys a tool does not know, naming them.
 */
public final class KeyValueArgs {

    private final Map<String, String> values = new HashMap<>();

    public KeyValueArgs(String[] args) {
        for (String arg : args) {
            for (String kv : arg.trim().split("\\s+")) {
                if (kv.isBlank()) {
                    continue;
                }
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("argument '" + kv + "' is not key=value");
                }
                values.put(p[0], p[1]);
            }
        }
    }

    public String text(String key, String otherwise) {
        return values.getOrDefault(key, otherwise);
    }

    public int integer(String key, int otherwise) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : otherwise;
    }

    public double real(String key, double otherwise) {
        return values.containsKey(key) ? Double.parseDouble(values.get(key)) : otherwise;
    }

    /** Refuses any key outside {@code known}, naming it and the known ones; returns this. */
    public KeyValueArgs only(String... known) {
        java.util.Set<String> allowed = java.util.Set.of(known);
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown argument '" + key + "' (known: " + String.join(", ", known) + ")");
            }
        }
        return this;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }
}
