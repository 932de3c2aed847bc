package io.virta.protos.events;

import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An event as one line of JSON with the proto's field names, attributes sorted by key: what
 * {@code virta worker --print} prints and what the web view sends its pages. Stateless and thread-safe.
 */
public final class EventJson {
    private EventJson() {}

    public static String toJson(Event e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"type\":");
        string(b, e.getType());
        b.append(",\"camera\":");
        string(b, e.getCamera());
        b.append(",\"capture_time_micros\":").append(e.getCaptureTimeMicros());
        b.append(",\"source\":");
        string(b, e.getSource());
        b.append(",\"boxes\":[");
        for (int i = 0; i < e.getBoxesCount(); i++) {
            BoundingBox box = e.getBoxes(i);
            b.append(i == 0 ? "{" : ",{");
            b.append("\"x\":").append(number(box.getX())).append(",\"y\":").append(number(box.getY()))
                    .append(",\"width\":").append(number(box.getWidth())).append(",\"height\":")
                    .append(number(box.getHeight())).append(",\"label\":");
            string(b, box.getLabel());
            b.append(",\"score\":").append(number(box.getScore())).append('}');
        }
        b.append("],\"attributes\":{");
        boolean first = true;
        for (Map.Entry<String, String> a : new TreeMap<>(e.getAttributesMap()).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, a.getKey());
            b.append(':');
            string(b, a.getValue());
        }
        b.append("}}");
        return b.toString();
    }

    private static String number(float v) {
        String s = String.format(Locale.ROOT, "%.6f", v);
        int end = s.length();
        while (end > 1 && s.charAt(end - 1) == '0' && s.charAt(end - 2) != '.') {
            end--;
        }
        return s.substring(0, end);
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
