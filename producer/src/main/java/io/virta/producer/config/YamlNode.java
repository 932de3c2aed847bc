package io.virta.producer.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A value from a parsed YAML document together with where it sits ({@code cameras[2].rgb.width}),
 * so every validation error can name the file and the field.
 */
final class YamlNode {
    private final String file;
    private final String path;
    private final Object value;

    YamlNode(String file, String path, Object value) {
        this.file = file;
        this.path = path;
        this.value = value;
    }

    String path() {
        return path;
    }

    /** The file's name, as errors start with it. */
    String file() {
        return file;
    }

    boolean isMissing() {
        return value == null;
    }

    ConfigException error(String problem) {
        return new ConfigException(file + ": " + (path.isEmpty() ? "the document" : path) + ": " + problem);
    }

    YamlNode get(String key) throws ConfigException {
        return new YamlNode(file, path.isEmpty() ? key : path + "." + key, map().get(key));
    }

    Map<?, ?> map() throws ConfigException {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw error("expected a mapping (key: value lines), found " + describe(value));
        }
        return m;
    }

    /**
     * Rejects keys outside {@code allowed}: a typo must not be ignored silently. The message lists the
     * known keys and names the nearest one when it is two edits away or less.
     */
    void allowOnly(String... allowed) throws ConfigException {
        Set<String> known = Set.of(allowed);
        for (Object key : map().keySet()) {
            String given = String.valueOf(key);
            if (!known.contains(given)) {
                throw new YamlNode(file, (path.isEmpty() ? "" : path + ".") + key, null)
                        .error("unknown setting; known here: " + String.join(", ", new LinkedHashSet<>(List.of(allowed)))
                                + nearest(given, allowed));
            }
        }
    }

    /** {@code "; did you mean 'X'?"} for the allowed key nearest {@code given}, if it is close; else empty. */
    private static String nearest(String given, String... allowed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int distance = EditDistance.between(given.toLowerCase(java.util.Locale.ROOT),
                    candidate.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= 2 ? "; did you mean '" + best + "'?" : "";
    }

    List<YamlNode> list() throws ConfigException {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> items)) {
            throw error("expected a list ('- ' items), found " + describe(value));
        }
        List<YamlNode> nodes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            nodes.add(new YamlNode(file, path + "[" + i + "]", items.get(i)));
        }
        return nodes;
    }

    String string(String fallback) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Map || value instanceof List) {
            throw error("expected a single value, found " + describe(value));
        }
        return String.valueOf(value);
    }

    String requiredString() throws ConfigException {
        String s = string(null);
        if (s == null || s.isBlank()) {
            throw error("is required");
        }
        return s;
    }

    long integer(long fallback, long min, long max) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        long v;
        if (value instanceof Number n && !(value instanceof Double || value instanceof Float)) {
            v = n.longValue();
        } else {
            throw error("expected a whole number, found " + describe(value));
        }
        if (v < min || v > max) {
            throw error(v + " is outside " + min + ".." + max);
        }
        return v;
    }

    double decimal(double fallback, double min, double max) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n)) {
            throw error("expected a number, found " + describe(value));
        }
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw error(v + " is outside " + min + ".." + max);
        }
        return v;
    }

    boolean bool(boolean fallback) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw error("expected true or false, found " + describe(value));
        }
        return b;
    }

    /** A size such as {@code 2MiB}, {@code 512KiB} or a plain byte count. */
    long bytes(long fallback, long min, long max) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number) {
            return integer(fallback, min, max);
        }
        String text = string("").trim().toLowerCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] suffix : new String[][] {{"gib", "1073741824"}, {"mib", "1048576"}, {"kib", "1024"}, {"b", "1"}}) {
            if (text.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                text = text.substring(0, text.length() - suffix[0].length());
                break;
            }
        }
        long v;
        try {
            v = Long.parseLong(text) * unit;
        } catch (NumberFormatException e) {
            throw error("'" + value + "' is not a size; write e.g. 2MiB, 512KiB or 65536");
        }
        if (v < min || v > max) {
            throw error(value + " is outside " + min + ".." + max + " bytes");
        }
        return v;
    }

    <E extends Enum<E>> E choice(Class<E> type, E fallback) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        String text = string("").trim().toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw error("'" + value + "' is not one of " + String.join(", ", names));
    }

    private static String describe(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
