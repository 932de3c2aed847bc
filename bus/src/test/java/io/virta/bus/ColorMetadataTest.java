package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;
import io.virta.bus.layout.ChannelLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;

import static org.junit.jupiter.api.Assertions.*;

/** The colour matrix and range of a frame: codes, the cell bytes they live in, and how writers and readers treat them. */
class ColorMetadataTest extends ChannelTestBase {

    @Test
    void codesAreThoseOfTheSpec() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, java.util.Arrays.stream(ColorMatrix.values()).mapToInt(ColorMatrix::code).toArray());
        assertEquals(ColorMatrix.BT601, ColorMatrix.fromCode(1));
        assertEquals(ColorMatrix.BT709, ColorMatrix.fromCode(2));
        assertEquals(ColorMatrix.BT2020, ColorMatrix.fromCode(3));
        assertArrayEquals(new int[] {0, 1, 2}, java.util.Arrays.stream(ColorRange.values()).mapToInt(ColorRange::code).toArray());
        assertEquals(ColorRange.LIMITED, ColorRange.fromCode(1));
        assertEquals(ColorRange.FULL, ColorRange.fromCode(2));
    }

    @Test
    void unknownCodesAreUnspecifiedNotAnError() {
        for (int code : new int[] {4, 9, 255, -1, Integer.MAX_VALUE}) {
            assertEquals(ColorMatrix.UNSPECIFIED, ColorMatrix.fromCode(code), "matrix code " + code);
        }
        for (int code : new int[] {3, 255, -1}) {
            assertEquals(ColorRange.UNSPECIFIED, ColorRange.fromCode(code), "range code " + code);
        }
    }

    @Test
    void unspecifiedColourHasTheSpecsAssumptions() {
        assertEquals(ColorMatrix.BT709, ColorMatrix.UNSPECIFIED.assumedFor(720));
        assertEquals(ColorMatrix.BT601, ColorMatrix.UNSPECIFIED.assumedFor(719));
        assertEquals(ColorMatrix.BT601, ColorMatrix.BT601.assumedFor(1080), "a tag wins over the height");
        assertEquals(ColorMatrix.BT2020, ColorMatrix.BT2020.assumedFor(240));
        assertEquals(ColorRange.LIMITED, ColorRange.UNSPECIFIED.assumed());
        assertEquals(ColorRange.FULL, ColorRange.FULL.assumed());
    }

    @Test
    void parsingNamesTheChoices() {
        assertEquals(ColorMatrix.BT709, ColorMatrix.parse("bt709"));
        assertEquals(ColorRange.FULL, ColorRange.parse("FULL"));
        var e = assertThrows(IllegalArgumentException.class, () -> ColorMatrix.parse("bt470bg"));
        assertTrue(e.getMessage().contains("'bt470bg'") && e.getMessage().contains("bt601"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ColorRange.parse("tv"));
        assertTrue(e.getMessage().contains("'tv'") && e.getMessage().contains("limited"), e.getMessage());
    }

    @Test
    void theFieldsTakeTheOnceReservedWordBetweenPlaneOffsetsAndCaptureTime() {
        assertEquals(CellDescriptor.PLANE_OFFSETS_OFFSET + 4 * (CellDescriptor.MAX_PLANES - 1),
                CellDescriptor.COLOR_MATRIX_OFFSET);
        assertEquals(60, CellDescriptor.COLOR_MATRIX_OFFSET);
        assertEquals(61, CellDescriptor.COLOR_RANGE_OFFSET);
        assertEquals(64, CellDescriptor.CAPTURE_TIME_MICROS_OFFSET, "62..63 stay reserved");
    }

    @Test
    void colourIsWrittenWhereTheSpecSaysAndReadBack() throws IOException {
        String name = name("color");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 32, 16));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writer.claim().color(ColorMatrix.BT709, ColorRange.FULL);
            writer.commit();
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(ColorMatrix.BT709, reader.frame().colorMatrix());
            assertEquals(ColorRange.FULL, reader.frame().colorRange());
            byte[] bytes = new byte[4];
            try (RandomAccessFile file = firstCellsColour(writer, "r")) {
                file.readFully(bytes);
            }
            assertArrayEquals(new byte[] {2, 2, 0, 0}, bytes, "u8 matrix, u8 range, u16 reserved zero");
        }
    }

    @Test
    void everyClaimStartsUnspecified() {
        String name = name("color.reset");
        // Two cells: frame 3 reuses the cell frame 1 was tagged in.
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 32, 16).cells(2));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writer.claim().color(ColorMatrix.BT601, ColorRange.LIMITED).keyframe(true);
            writer.commit();
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(ColorMatrix.BT601, reader.frame().colorMatrix());
            for (int i = 0; i < 2; i++) {
                writer.claim();
                writer.commit();
                assertEquals(PullStatus.FRAME, reader.poll());
                assertEquals(ColorMatrix.UNSPECIFIED, reader.frame().colorMatrix(), "frame " + reader.frame().sequence());
                assertEquals(ColorRange.UNSPECIFIED, reader.frame().colorRange());
            }
        }
    }

    @Test
    void codesFromANewerWriterReadAsUnspecified() throws IOException {
        String name = name("color.newer");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 32, 16));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writer.claim().color(ColorMatrix.BT709, ColorRange.LIMITED);
            writer.commit();
            // What a later release might write: codes this one does not know, straight into the cell.
            try (RandomAccessFile file = firstCellsColour(writer, "rw")) {
                file.write(new byte[] {9, (byte) 200});
            }
            assertEquals(PullStatus.FRAME, reader.poll());
            assertEquals(ColorMatrix.UNSPECIFIED, reader.frame().colorMatrix());
            assertEquals(ColorRange.UNSPECIFIED, reader.frame().colorRange());
        }
    }

    /** The channel's object file, positioned at the colour fields of cell 0 (the first frame's). */
    private static RandomAccessFile firstCellsColour(ChannelWriter writer, String mode) throws IOException {
        ChannelSpec spec = writer.spec();
        long cell = ChannelLayout.compute(spec.cells(), spec.readerSlots(), writer.capacity()).cellMetadata(0);
        RandomAccessFile file = new RandomAccessFile(TestChannels.shm(writer.name()).toFile(), mode);
        file.seek(cell + CellDescriptor.COLOR_MATRIX_OFFSET);
        return file;
    }
}
