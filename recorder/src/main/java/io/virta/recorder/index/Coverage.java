package io.virta.recorder.index;

import java.util.ArrayList;
import java.util.List;

/**
 * What a camera has recorded over {@code [fromMicros, toMicros]}: the spans, clipped to the range and in
 * time order, and the gaps between them and the range's ends.
 */
public record Coverage(long fromMicros, long toMicros, List<Span> spans) {
    public Coverage {
        spans = List.copyOf(spans);
    }

    /** The parts of the range no span covers, in time order. */
    public List<Span> gaps() {
        List<Span> gaps = new ArrayList<>();
        long cursor = fromMicros;
        for (Span span : spans) {
            if (span.startMicros() > cursor) {
                gaps.add(new Span(cursor, span.startMicros()));
            }
            cursor = Math.max(cursor, span.endMicros());
        }
        if (cursor < toMicros) {
            gaps.add(new Span(cursor, toMicros));
        }
        return gaps;
    }
}
