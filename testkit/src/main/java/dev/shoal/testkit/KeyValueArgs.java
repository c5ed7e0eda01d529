package dev.shoal.embedding.bench;

import java.util.HashMap;
import java.util.Map;

/** The {@code key=value} arguments of the benchmarks' main methods (several may share one argument, space-separated). */
final class KeyValueArgs {

    private final Map<String, String> values = new HashMap<>();

    KeyValueArgs(String[] args) {
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

    String text(String key, String otherwise) {
        return values.getOrDefault(key, otherwise);
    }

    int integer(String key, int otherwise) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : otherwise;
    }

    double real(String key, double otherwise) {
        return values.containsKey(key) ? Double.parseDouble(values.get(key)) : otherwise;
    }
}
