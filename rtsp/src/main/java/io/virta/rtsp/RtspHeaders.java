package io.virta.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Header fields in arrival order. Names compare case-insensitively (RFC 2326 section 4.2); a name
 * may repeat, as {@code WWW-Authenticate} does when a camera offers Digest and Basic.
 */
public final class RtspHeaders {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public RtspHeaders add(String name, String value) {
        names.add(name);
        values.add(value);
        return this;
    }

    /** Replaces every field called {@code name} with one. */
    public RtspHeaders set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    public void remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return values.get(i);
            }
        }
        return null;
    }

    public List<String> getAll(String name) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                all.add(values.get(i));
            }
        }
        return all;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return names.get(index);
    }

    public String value(int index) {
        return values.get(index);
    }

    /** An integer field, or {@code fallback} when it is absent; a malformed one is a protocol error. */
    public long getLong(String name, long fallback) throws RtspProtocolException {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new RtspProtocolException("header " + name + ": '" + value + "' is not a number");
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String value = names.get(i).toLowerCase(Locale.ROOT).equals("authorization") ? "(hidden)" : values.get(i);
            text.append(names.get(i)).append(": ").append(value).append("\r\n");
        }
        return text.toString();
    }
}
