package io.virta.bench.viewer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One stream's counters as the viewer prints them ({@code stats} every {@code --stats} seconds and
 * {@code summary} at exit), parsed back; the difference of two of them is what happened in between.
 */
record StreamCounters(long presented, long received, long late, long superseded, long overflow, long torn,
        long reallocating, long busLost, long reattaches) {

    private static final Pattern LINE = Pattern.compile("(?:stats|summary) (.+): presented (\\d+) of (\\d+) frames"
            + " in [\\d.]+ s; dropped: late (\\d+), superseded (\\d+), overflow (\\d+), torn (\\d+), reallocating"
            + " (\\d+); bus lost (\\d+); re-attaches (\\d+); (\\S+)");

    static final StreamCounters ZERO = new StreamCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The counters of a viewer's {@code stats} or {@code summary} line, or null for any other line. */
    static StreamCounters parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        long[] v = new long[9];
        for (int i = 0; i < v.length; i++) {
            v[i] = Long.parseLong(m.group(i + 2));
        }
        return new StreamCounters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    StreamCounters minus(StreamCounters o) {
        return new StreamCounters(presented - o.presented, received - o.received, late - o.late,
                superseded - o.superseded, overflow - o.overflow, torn - o.torn, reallocating - o.reallocating,
                busLost - o.busLost, reattaches - o.reattaches);
    }

    StreamCounters plus(StreamCounters o) {
        return new StreamCounters(presented + o.presented, received + o.received, late + o.late,
                superseded + o.superseded, overflow + o.overflow, torn + o.torn, reallocating + o.reallocating,
                busLost + o.busLost, reattaches + o.reattaches);
    }

    static StreamCounters sum(List<StreamCounters> streams) {
        StreamCounters total = ZERO;
        for (StreamCounters s : streams) {
            total = total.plus(s);
        }
        return total;
    }
}
