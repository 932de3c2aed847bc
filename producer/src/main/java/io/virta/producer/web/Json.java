package io.virta.producer.web;

import java.util.Locale;

/** Just enough JSON writing for the status API and the event stream (no library for two shapes). */
final class Json {
    private final StringBuilder out = new StringBuilder(256);
    private boolean needComma;

    Json open() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    /** An object as the value of {@code key}. */
    Json open(String key) {
        key(key);
        out.append('{');
        needComma = false;
        return this;
    }

    Json close() {
        out.append('}');
        needComma = true;
        return this;
    }

    Json openArray(String key) {
        key(key);
        out.append('[');
        needComma = false;
        return this;
    }

    Json closeArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    Json field(String key, String value) {
        key(key);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json field(String key, long value) {
        key(key);
        out.append(value);
        needComma = true;
        return this;
    }

    Json field(String key, double value) {
        key(key);
        out.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
        needComma = true;
        return this;
    }

    private void key(String key) {
        comma();
        string(key);
        out.append(':');
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // Also '<' and '>': the text may end up in a page, and this keeps it inert there.
                    if (c < 0x20 || c == '<' || c == '>' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
