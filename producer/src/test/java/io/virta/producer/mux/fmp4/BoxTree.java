package io.virta.producer.mux.fmp4;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads ISO BMFF bytes back into a tree of boxes, checking that every size nests exactly. */
record BoxTree(String type, int offset, int size, List<BoxTree> children) {
    /** Containers whose content is boxes only; stsd and dref have an entry count first. */
    private static final List<String> CONTAINERS = List.of("moov", "trak", "mdia", "minf", "dinf", "stbl", "mvex",
            "moof", "traf");

    static List<BoxTree> parse(byte[] bytes, int from, int to) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        List<BoxTree> boxes = new ArrayList<>();
        int at = from;
        while (at < to) {
            assertTrue(at + 8 <= to, "a box header past the end at " + at);
            int size = b.getInt(at);
            String type = FourCc.toString(b.getInt(at + 4));
            assertTrue(size >= 8 && at + size <= to, type + " at " + at + " has size " + size + ", parent ends at " + to);
            List<BoxTree> children = List.of();
            if (CONTAINERS.contains(type)) {
                children = parse(bytes, at + 8, at + size);
            } else if (type.equals("stsd") || type.equals("dref")) {
                children = parse(bytes, at + 16, at + size);
            } else if (type.equals("avc1") || type.equals("hvc1")) {
                children = parse(bytes, at + 86, at + size);
            }
            boxes.add(new BoxTree(type, at, size, children));
            at += size;
        }
        assertEquals(to, at, "boxes end exactly where their parent does");
        return boxes;
    }

    /** The box at a slash-separated path such as {@code moov/trak/tkhd}, or null. */
    static BoxTree find(List<BoxTree> boxes, String path) {
        String[] parts = path.split("/", 2);
        for (BoxTree box : boxes) {
            if (box.type.equals(parts[0])) {
                return parts.length == 1 ? box : find(box.children, parts[1]);
            }
        }
        return null;
    }

    List<String> childTypes() {
        return children.stream().map(BoxTree::type).toList();
    }
}
