package io.virta.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker's own options, as {@code virta worker} passes them (e.g. {@code --ignore}, {@code --min-area}):
 * each name with its values in order. Typed getters name the option in their errors.
 *
 * <pre>{@code
 * WorkerArguments args = WorkerArguments.builder().add("ignore", "0.8,0,0.2,0.1").add("min-area", "0.01").build();
 * List<Region> ignore = args.regions("ignore");
 * double minArea = args.decimal("min-area", 0.002);
 * }</pre>
 */
public final class WorkerArguments {
    private static final WorkerArguments EMPTY = new WorkerArguments(Map.of());

    private final Map<String, List<String>> values;

    private WorkerArguments(Map<String, List<String>> values) {
        this.values = values;
    }

    public static WorkerArguments empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every value given for {@code name}, in order; empty if none. */
    public List<String> strings(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** The last value given for {@code name}, or {@code fallback}. */
    public String string(String name, String fallback) {
        List<String> v = strings(name);
        return v.isEmpty() ? fallback : v.getLast();
    }

    public double decimal(String name, double fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, not '" + v + "'");
        }
    }

    /** Every value of {@code name} read as a normalized rectangle {@code x,y,w,h}. */
    public List<Region> regions(String name) {
        List<Region> out = new ArrayList<>();
        for (String v : strings(name)) {
            out.add(Region.parse(v, "--" + name));
        }
        return out;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Collects options; {@link #build()} freezes them. */
    public static final class Builder {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        public Builder add(String name, String value) {
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        public WorkerArguments build() {
            Map<String, List<String>> frozen = new LinkedHashMap<>();
            values.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
            return new WorkerArguments(java.util.Collections.unmodifiableMap(frozen));
        }
    }
}
