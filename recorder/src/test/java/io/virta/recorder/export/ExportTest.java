package io.virta.recorder.export;

import io.virta.bus.PixelFormat;
import io.virta.recorder.export.TestClips.AccessUnit;
import io.virta.recorder.export.TestClips.Clip;
import io.virta.recorder.export.TestClips.Peers;
import io.virta.recorder.store.CameraWriter;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.StoreView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mp4parser.IsoFile;
import org.mp4parser.boxes.iso14496.part12.EditListBox;
import org.mp4parser.boxes.iso14496.part12.SampleSizeBox;
import org.mp4parser.boxes.iso14496.part12.SampleDescriptionBox;
import org.mp4parser.tools.Path;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Exports of real H264 and H265 video, checked by parsers that share no code with Virta: ffprobe and
 * ffmpeg's decoder (frame counts, and the decoded pictures by framemd5 against the source clip over the
 * same range), GStreamer's qtdemux and matroskademux pipelines, mkvmerge and mkvinfo, mediainfo, and
 * isoparser. The clips are encoded once for the class (4 s at 320x240); the store is a temporary directory.
 */
class ExportTest {
    static final long START = 1_796_000_000_000_000L;

    @TempDir
    static java.nio.file.Path work;
    static Clip h264;
    static Clip h265;
    static Clip h264Larger;
    static java.nio.file.Path store;
    static StoreView view;

    @BeforeAll
    static void recordClips() throws Exception {
        h264 = TestClips.encode(work, PixelFormat.H264, 320, 240, 100, "h264");
        h265 = TestClips.encode(work, PixelFormat.H265, 320, 240, 100, "h265");
        h264Larger = TestClips.encode(work, PixelFormat.H264, 352, 288, 50, "h264-352");
        store = work.resolve("store");
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT)) {
            try (CameraWriter lobby = recording.camera("lobby")) {
                TestClips.record(lobby, h264, 0, 100, START, 1);
            }
            try (CameraWriter gate = recording.camera("gate")) {
                TestClips.record(gate, h265, 0, 100, START, 1);
            }
            // 50 frames at 320x240, 5 s of nothing, then 50 frames at 352x288: a gap and a new SPS
            try (CameraWriter yard = recording.camera("yard")) {
                TestClips.record(yard, h264, 0, 50, START, 1);
                TestClips.record(yard, h264Larger, 0, 50, START + 50 * TestClips.FRAME_MICROS + 5_000_000, 51);
            }
        }
        view = StoreView.open(store);
    }

    @AfterAll
    static void close() {
        if (view != null) {
            view.close();
        }
    }

    static long frameTime(int frame) {
        return START + frame * TestClips.FRAME_MICROS;
    }

    @Test
    void h264Mp4StartsFrameAccuratelyAndDecodesToTheSourcePictures() throws Exception {
        checkMp4("lobby", h264, "h264");
    }

    @Test
    void h265Mp4StartsFrameAccuratelyAndDecodesToTheSourcePictures() throws Exception {
        checkMp4("gate", h265, "hevc");
    }

    private void checkMp4(String camera, Clip clip, String codecName) throws Exception {
        java.nio.file.Path out = work.resolve(camera + "-30-79.mp4");
        ExportResult result = Exporter.export(view, new ExportRequest(camera, frameTime(30), frameTime(79), ExportFormat.MP4), out);
        ExportSummary summary = result.summary();
        assertEquals(50, summary.frames());
        assertEquals(5, summary.prerollFrames(), "from the keyframe of frame 25");
        assertEquals(frameTime(30), summary.firstCaptureMicros());
        assertEquals(frameTime(79), summary.lastCaptureMicros());
        assertEquals(List.of(), summary.gaps());

        String probe = Peers.run(work, List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,nb_read_frames,nb_frames", "-of", "default=nw=1", out.toString()));
        assertTrue(probe.contains("codec_name=" + codecName), probe);
        assertTrue(probe.contains("width=320") && probe.contains("height=240"), probe);
        assertTrue(probe.contains("nb_frames=55"), "the samples, pre-roll included: " + probe);
        assertTrue(probe.contains("nb_read_frames=50"), "the frames the edit list shows: " + probe);
        assertEquals(sourcePictures(clip).subList(30, 80), pictures(out), "decoded pictures of frames 30 to 79");

        try (IsoFile iso = new IsoFile(out.toFile())) {
            List<String> top = iso.getBoxes().stream().map(b -> b.getType()).toList();
            assertEquals(List.of("ftyp", "moov", "mdat"), top, "moov before mdat");
            EditListBox elst = Path.getPath(iso, "moov[0]/trak[0]/edts[0]/elst[0]");
            assertEquals(1, elst.getEntries().size());
            assertEquals(5 * 3600, elst.getEntries().get(0).getMediaTime(), "the edit skips 5 frames of 90 kHz ticks");
            assertEquals(50 * 3600, elst.getEntries().get(0).getSegmentDuration());
            SampleSizeBox stsz = Path.getPath(iso, "moov[0]/trak[0]/mdia[0]/minf[0]/stbl[0]/stsz[0]");
            assertEquals(55, stsz.getSampleCount());
            for (int i = 0; i < 55; i++) {
                int expected = clip.frames().get(25 + i).units().stream().mapToInt(u -> 4 + u.length).sum();
                assertEquals(expected, stsz.getSampleSizeAtIndex(i), "sample " + i);
            }
        }
        assertSameUnits(nalUnits(clip, 25, 80), samplesOf(out), "the NAL units, byte for byte");

        // GStreamer 1.22's qtdemux ends an edit at media time = the edit's duration, so it drops the frames of
        // the last media_time ticks (here 4 of 5); it does the same with an MP4 that ffmpeg made from the clip
        long decoded = gstreamerPictures(out, "qtdemux", codecName, 320 * 240 * 3 / 2);
        assertTrue(decoded >= 46 && decoded <= 50, "qtdemux pipeline decoded " + decoded);

        String info = Peers.run(work, List.of("mediainfo", "--Inform=Video;%Format%,%Width%,%Height%,%FrameCount%", out.toString()));
        assertTrue(info.startsWith(codecName.equals("h264") ? "AVC,320,240," : "HEVC,320,240,"), info);

        Peers.run(work, List.of("sha256sum", "-c", result.checksums().getFileName().toString()));
    }

    @Test
    void h264MkvStartsAtTheKeyframeAndDecodesToTheSourcePictures() throws Exception {
        checkMkv("lobby", h264, "h264", "V_MPEG4/ISO/AVC");
    }

    @Test
    void h265MkvStartsAtTheKeyframeAndDecodesToTheSourcePictures() throws Exception {
        checkMkv("gate", h265, "hevc", "V_MPEGH/ISO/HEVC");
    }

    private void checkMkv(String camera, Clip clip, String codecName, String codecId) throws Exception {
        java.nio.file.Path out = work.resolve(camera + "-30-79.mkv");
        ExportResult result = Exporter.export(view, new ExportRequest(camera, frameTime(30), frameTime(79), ExportFormat.MKV), out);
        assertEquals(50, result.summary().frames());
        assertEquals(5, result.summary().prerollFrames());

        String probe = Peers.run(work, List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "default=nw=1", out.toString()));
        assertTrue(probe.contains("codec_name=" + codecName) && probe.contains("width=320") && probe.contains("height=240")
                && probe.contains("nb_read_frames=55"), "Matroska has no edit list: the file starts at the keyframe\n" + probe);
        assertEquals(sourcePictures(clip).subList(25, 80), pictures(out));

        String json = Peers.run(work, List.of("mkvmerge", "-J", out.toString()));
        assertTrue(json.contains("\"recognized\": true") && json.contains("\"supported\": true"), json);
        assertTrue(json.contains("\"codec_id\": \"" + codecId + "\"") && json.contains("\"pixel_dimensions\": \"320x240\""), json);
        assertTrue(json.contains("\"errors\": []") && json.contains("\"warnings\": []"), json);
        String info = Peers.run(work, List.of("mkvinfo", "--all", out.toString()));
        assertTrue(info.contains("Codec ID: " + codecId), info);
        assertEquals(3, info.lines().filter(l -> l.endsWith("+ Cluster")).count(), "a cluster per keyframe: 25, 50, 75\n" + info);
        assertEquals(3, info.lines().filter(l -> l.contains("+ Cue point")).count(), info);
        assertEquals(55, info.lines().filter(l -> l.contains("+ Simple block")).count(), info);
        assertEquals(55, gstreamerPictures(out, "matroskademux", codecName, 320 * 240 * 3 / 2));
        String media = Peers.run(work, List.of("mediainfo", "--Inform=Video;%Format%,%Width%,%Height%,%FrameCount%", out.toString()));
        assertTrue(media.startsWith(codecName.equals("h264") ? "AVC,320,240,55" : "HEVC,320,240,55"), media);
        Peers.run(work, List.of("sha256sum", "-c", result.checksums().getFileName().toString()));
    }

    @Test
    void aGapAndAResolutionChangeKeepTheTimelineAndDecodeCleanly() throws Exception {
        long to = START + 50 * TestClips.FRAME_MICROS + 5_000_000 + 49 * TestClips.FRAME_MICROS;
        java.nio.file.Path mp4 = work.resolve("yard.mp4");
        ExportResult result = Exporter.export(view, new ExportRequest("yard", frameTime(10), to, ExportFormat.MP4), mp4);
        ExportSummary summary = result.summary();
        assertEquals(90, summary.frames());
        assertEquals(1, summary.gaps().size(), summary.gaps().toString());
        assertEquals(frameTime(49), summary.gaps().get(0).startMicros());
        assertEquals(List.of(new ExportSummary.Stream(frameTime(0), 320, 240, 50),
                new ExportSummary.Stream(frameTime(50) + 5_000_000, 352, 288, 50)), summary.streams());
        assertEquals(2, summary.segments().size());

        // ffmpeg scales every picture to the first one's size for its output: compare at the larger size
        String scale = "scale=352:288";
        List<String> expected = new ArrayList<>(pictures(h264.file(), scale).subList(10, 50));
        expected.addAll(pictures(h264Larger.file(), scale));
        assertEquals(expected, pictures(mp4, scale), "both resolutions decode, with nothing in between");
        try (IsoFile iso = new IsoFile(mp4.toFile())) {
            SampleDescriptionBox stsd = Path.getPath(iso, "moov[0]/trak[0]/mdia[0]/minf[0]/stbl[0]/stsd[0]");
            assertEquals(2, stsd.getBoxes().size(), "one sample entry per parameter set");
        }
        // the frame before the gap lasts through it: the file's timeline is the wall clock's
        String durations = Peers.run(work, List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "format=duration", "-of", "csv=p=0", mp4.toString()));
        assertEquals((to - frameTime(10) + TestClips.FRAME_MICROS) / 1e6, Double.parseDouble(durations.trim()), 0.001);

        java.nio.file.Path mkv = work.resolve("yard.mkv");
        Exporter.export(view, new ExportRequest("yard", frameTime(10), to, ExportFormat.MKV), mkv);
        List<String> fromKeyframe = new ArrayList<>(pictures(h264.file(), scale).subList(0, 50));
        fromKeyframe.addAll(pictures(h264Larger.file(), scale));
        assertEquals(fromKeyframe, pictures(mkv, scale), "Matroska: the new SPS comes in-band, before the keyframe");
        Peers.run(work, List.of("gst-launch-1.0", "-q", "filesrc", "location=" + mkv, "!", "matroskademux", "!",
                "h264parse", "!", "avdec_h264", "!", "fakesink"));
        Peers.run(work, List.of("gst-launch-1.0", "-q", "filesrc", "location=" + mp4, "!", "qtdemux", "!",
                "h264parse", "!", "avdec_h264", "!", "fakesink"));
        // the manifest read by a JSON parser that is not Virta's
        Peers.run(work, List.of("python3", "-c", "import json, sys; m = json.load(open(sys.argv[1]));"
                + " assert m['format'] == 'virta-export/1' and m['camera'] == 'yard' and m['frames'] == 90, m;"
                + " assert m['gaps'][0]['after']['micros'] == " + frameTime(49) + ", m['gaps'];"
                + " assert [(s['width'], s['height']) for s in m['streams']] == [(320, 240), (352, 288)], m['streams'];"
                + " assert len(m['segments']) == 2 and m['sha256'] == sys.argv[2], m", result.manifest().toString(),
                result.sha256()));
        assertEquals(ExportFormat.MP4, ExportFormat.ofFileName(mp4).orElseThrow());
        assertEquals(ExportFormat.MKV, ExportFormat.ofFileName(java.nio.file.Path.of("x/Yard.MKV")).orElseThrow());
        assertTrue(ExportFormat.ofFileName(java.nio.file.Path.of("yard.avi")).isEmpty());
    }

    @Test
    void severalCamerasOverOneRangeGetAFileEachAndOneChecksumList() throws Exception {
        java.nio.file.Path directory = work.resolve("incident");
        Exporter.MultiExport all = Exporter.exportAll(view, List.of("lobby", "gate", "yard"), frameTime(60), frameTime(90),
                ExportFormat.MP4, directory);
        assertEquals(List.of("lobby", "gate"), all.files().stream().map(f -> f.summary().camera()).toList());
        assertEquals(1, all.skipped().size(), "the yard was in its gap");
        assertTrue(all.skipped().get(0).getMessage().contains("yard"), all.skipped().get(0).getMessage());
        String check = Peers.run(directory, List.of("sha256sum", "-c", Exporter.ALL_CHECKSUMS));
        assertEquals(4, check.lines().filter(l -> l.endsWith(": OK")).count(), check);
        assertTrue(Files.exists(directory.resolve("lobby.mp4")) && Files.exists(directory.resolve("gate.mp4.json")));
    }

    @Test
    void nothingInTheRangeNamesTheCameraTheTimesAndTheSpansNearby() {
        ExportException none = assertThrows(ExportException.class, () -> Exporter.plan(view,
                new ExportRequest("lobby", START - 100_000_000, START - 50_000_000, ExportFormat.MP4)));
        assertEquals(ExportException.Reason.NO_VIDEO, none.reason());
        assertTrue(none.getMessage().contains("camera lobby has no video between") && none.getMessage().contains(
                "recorded spans nearby: " + Instants.format(START) + " to " + Instants.format(frameTime(99))),
                none.getMessage());
        ExportException unknown = assertThrows(ExportException.class, () -> Exporter.plan(view,
                new ExportRequest("porch", START, START + 1, ExportFormat.MP4)));
        assertEquals(ExportException.Reason.NO_SUCH_CAMERA, unknown.reason());
        assertTrue(unknown.getMessage().contains("porch") && unknown.getMessage().contains("gate, lobby, yard"),
                unknown.getMessage());
        IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
                () -> new ExportRequest("lobby", START, START - 1, ExportFormat.MP4));
        assertTrue(backwards.getMessage().contains("swap"), backwards.getMessage());
    }

    @Test
    void aDamagedRecordIsLeftOutWithTheFramesThatNeedIt(@TempDir java.nio.file.Path directory) throws Exception {
        java.nio.file.Path damagedStore = directory.resolve("store");
        try (RecordingStore recording = RecordingStore.open(damagedStore, SegmentPolicy.DEFAULT);
             CameraWriter lobby = recording.camera("lobby")) {
            TestClips.record(lobby, h264, 0, 100, START, 1);
        }
        java.nio.file.Path segment;
        long recordOffset = -1;
        try (StoreView damaged = StoreView.open(damagedStore)) {
            var row = damaged.index().segments("lobby", START, frameTime(99)).get(0);
            segment = damaged.file(row);
            try (var reader = damaged.openSegment(row)) {
                while (reader.next()) {
                    if (reader.sequence() == 61) {
                        recordOffset = reader.offset();
                    }
                }
            }
        }
        try (var file = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            file.read(one, recordOffset + 32 + 40);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            file.write(one, recordOffset + 32 + 40); // a bit flip in frame 60's payload: its checksum fails
        }
        try (StoreView damaged = StoreView.open(damagedStore)) {
            java.nio.file.Path out = directory.resolve("damaged.mp4");
            ExportSummary summary = Exporter.export(damaged, new ExportRequest("lobby", START, frameTime(99),
                    ExportFormat.MP4), out).summary();
            assertEquals(new ExportSummary.Damage(1, summary.damage().skippedBytes(), 14, 0, 0), summary.damage());
            assertEquals(85, summary.frames(), "frames 60 to 74 are left out: 60 is damaged, 61 to 74 refer to it");
            assertEquals(List.of(new io.virta.recorder.index.Span(frameTime(59), frameTime(75))), summary.gaps());
            List<String> expected = new ArrayList<>(sourcePictures(h264).subList(0, 60));
            expected.addAll(sourcePictures(h264).subList(75, 100));
            assertEquals(expected, pictures(out), "no picture decoded from a broken reference");
        }
    }

    @Test
    void theSegmentBeingWrittenIsExportedAndAPlannedExportIgnoresWhatComesLater(@TempDir java.nio.file.Path directory)
            throws Exception {
        java.nio.file.Path liveStore = directory.resolve("store");
        try (RecordingStore recording = RecordingStore.open(liveStore, SegmentPolicy.DEFAULT);
             CameraWriter lobby = recording.camera("lobby")) {
            TestClips.record(lobby, h264, 0, 60, START, 1);
            try (StoreView live = StoreView.open(liveStore);
                 ExportFile file = Exporter.plan(live, new ExportRequest("lobby", frameTime(50), frameTime(200),
                         ExportFormat.MP4))) {
                assertEquals(10, file.summary().frames(), "up to the last frame appended, in the open segment");
                byte[] before = range(file, 0, file.length());
                TestClips.record(lobby, h264, 60, 100, frameTime(60), 61);
                assertArrayEquals(before, range(file, 0, file.length()), "the plan is a snapshot");
                try (ExportFile again = Exporter.plan(live, new ExportRequest("lobby", frameTime(50), frameTime(200),
                        ExportFormat.MP4))) {
                    assertEquals(50, again.summary().frames(), "a new plan sees what was appended since");
                    assertNotEquals(file.etag(), again.etag(), "so its entity tag differs");
                }
                try (ExportFile same = Exporter.plan(live, new ExportRequest("lobby", frameTime(50), frameTime(59),
                        ExportFormat.MP4))) {
                    assertEquals(file.length(), same.length());
                    try (ExportFile sameAgain = Exporter.plan(live, new ExportRequest("lobby", frameTime(50), frameTime(59),
                            ExportFormat.MP4))) {
                        assertEquals(same.etag(), sameAgain.etag(), "the same frames, the same tag");
                    }
                }
                assertEquals("lobby-" + Instants.format(frameTime(50)).replaceAll("[-:]", "").replace(".000", "") + ".mp4",
                        file.suggestedFileName());
                java.nio.file.Path out = directory.resolve("live.mp4");
                file.writeTo(out);
                assertEquals(sourcePictures(h264).subList(50, 60), pictures(out));
            }
        }
    }

    @Test
    void anyByteRangeOfTheVirtualFileEqualsThoseBytesOfTheWholeFile() throws Exception {
        for (ExportFormat format : ExportFormat.values()) {
            try (ExportFile file = Exporter.plan(view, new ExportRequest("yard", frameTime(3), frameTime(170), format))) {
                byte[] whole = range(file, 0, file.length());
                assertEquals(file.length(), whole.length);
                SplittableRandom random = new SplittableRandom(15);
                for (int i = 0; i < 200; i++) {
                    long from = random.nextLong(file.length());
                    long count = i % 3 == 0 ? random.nextLong(16) : random.nextLong(file.length() - from + 10);
                    byte[] part = range(file, from, count);
                    assertArrayEquals(Arrays.copyOfRange(whole, (int) from, (int) Math.min(whole.length, from + count)),
                            part, format + " bytes " + from + "+" + count);
                }
                assertEquals(0, range(file, file.length(), 10).length);
            }
        }
    }

    /** Decodes a file with a GStreamer pipeline into raw I420 and counts the pictures of {@code pictureBytes} each. */
    static long gstreamerPictures(java.nio.file.Path file, String demuxer, String codecName, int pictureBytes) throws Exception {
        java.nio.file.Path raw = work.resolve(file.getFileName() + ".yuv");
        boolean h264 = codecName.equals("h264");
        Peers.run(work, List.of("gst-launch-1.0", "-q", "filesrc", "location=" + file, "!", demuxer, "!",
                h264 ? "h264parse" : "h265parse", "!", h264 ? "avdec_h264" : "avdec_h265", "!", "video/x-raw,format=I420",
                "!", "filesink", "location=" + raw));
        long bytes = Files.size(raw);
        Files.delete(raw);
        assertEquals(0, bytes % pictureBytes, "whole pictures");
        return bytes / pictureBytes;
    }

    @Test
    void aPauseOfFortySecondsInsideAGopStartsAMatroskaClusterWithoutAKeyframe(@TempDir java.nio.file.Path directory)
            throws Exception {
        // a camera whose clock jumped mid-GOP: the frames go on in the same segment (no keyframe to cut at)
        java.nio.file.Path pausedStore = directory.resolve("store");
        long jump = 40_000_000;
        try (RecordingStore recording = RecordingStore.open(pausedStore, SegmentPolicy.DEFAULT);
             CameraWriter camera = recording.camera("paused")) {
            TestClips.record(camera, h264, 0, 38, START, 1);
            TestClips.record(camera, h264, 38, 50, frameTime(38) + jump, 39);
        }
        try (StoreView paused = StoreView.open(pausedStore)) {
            ExportRequest request = new ExportRequest("paused", START, frameTime(49) + jump, ExportFormat.MKV);
            java.nio.file.Path mkv = directory.resolve("paused.mkv");
            ExportResult result = Exporter.export(paused, request, mkv);
            assertEquals(List.of(new io.virta.recorder.index.Span(frameTime(37), frameTime(38) + jump)),
                    result.summary().gaps());
            String json = Peers.run(work, List.of("mkvmerge", "-J", mkv.toString()));
            assertTrue(json.contains("\"errors\": []") && json.contains("\"warnings\": []"), json);
            String info = Peers.run(work, List.of("mkvinfo", "--all", mkv.toString()));
            assertEquals(3, info.lines().filter(l -> l.endsWith("+ Cluster")).count(),
                    "at the keyframes 0 and 25, and at frame 38, 40.5 s after its cluster's start\n" + info);
            assertEquals(sourcePictures(h264).subList(0, 50), pictures(mkv));
            java.nio.file.Path mp4 = directory.resolve("paused.mp4");
            Exporter.export(paused, new ExportRequest("paused", START, frameTime(49) + jump, ExportFormat.MP4), mp4);
            assertEquals(sourcePictures(h264).subList(0, 50), pictures(mp4));
            String duration = Peers.run(work, List.of("ffprobe", "-v", "error", "-show_entries", "format=duration",
                    "-of", "csv=p=0", mp4.toString()));
            assertEquals((50 * TestClips.FRAME_MICROS + jump) / 1e6, Double.parseDouble(duration.trim()), 0.001);
        }
    }

    @Test
    void largeUnitsGoFromFileToFileInTheKernelAndMatchTheBufferedPath(@TempDir java.nio.file.Path directory)
            throws Exception {
        // units of 300 KB and more take FileChannel.transferTo to a file; to other channels they go through the window
        java.nio.file.Path bigStore = directory.resolve("store");
        noiseStore(bigStore, "big", 12, 4, 300_000, 5000, 7);
        try (StoreView big = StoreView.open(bigStore)) {
            for (ExportFormat format : ExportFormat.values()) {
                try (ExportFile file = Exporter.plan(big, new ExportRequest("big", frameTime(1), frameTime(11), format))) {
                    java.nio.file.Path out = directory.resolve("big." + format.extension());
                    try (var channel = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        long half = file.length() / 2 + 3;
                        assertEquals(half, file.transferTo(0, half, channel));
                        assertEquals(file.length() - half, file.transferTo(half, Long.MAX_VALUE, channel));
                    }
                    assertArrayEquals(range(file, 0, file.length()), Files.readAllBytes(out), format.toString());
                    // the pictures are noise: ffprobe only reads the container
                    String probe = Peers.run(work, List.of("ffprobe", "-v", "quiet", "-select_streams", "v:0",
                            "-show_entries", "stream=nb_frames", "-of", "csv=p=0", out.toString()));
                    assertEquals(format == ExportFormat.MP4 ? "12" : "", probe.trim().replace("N/A", ""), probe);
                }
            }
        }
    }

    @Test
    void manySmallUnitsGatheredFromMappedSegmentsMatchTheBufferedPath(@TempDir java.nio.file.Path directory)
            throws Exception {
        // thousands of small units: many gathering writes of up to 1024 buffers each, to a file and through
        // the manifest's hashing channel, against the window path of a plain channel
        java.nio.file.Path smallStore = directory.resolve("store");
        int frames = 3000;
        noiseStore(smallStore, "small", frames, 25, 5, 60, 11);
        try (StoreView view = StoreView.open(smallStore)) {
            ExportRequest request = new ExportRequest("small", START, START + frames * TestClips.FRAME_MICROS,
                    ExportFormat.MP4);
            try (ExportFile file = Exporter.plan(view, request)) {
                byte[] buffered = range(file, 0, file.length());
                java.nio.file.Path out = directory.resolve("small.mp4");
                try (var channel = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    assertEquals(file.length(), file.transferTo(0, file.length(), channel));
                }
                assertArrayEquals(buffered, Files.readAllBytes(out), "gathered to a file");
                ExportResult result = file.writeTo(directory.resolve("manifested.mp4"));
                assertArrayEquals(buffered, Files.readAllBytes(result.file()), "gathered through the hash");
                assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(buffered)), result.sha256());
            }
        }
    }

    /**
     * A store of {@code frames} access units of noise: the clip's parameter sets and two slices of
     * {@code sliceBytes} plus up to {@code jitter} random bytes each, a keyframe every {@code keyframeEvery}.
     */
    private static void noiseStore(java.nio.file.Path store, String cameraName, int frames, int keyframeEvery,
                                   int sliceBytes, int jitter, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] parameterSets = TestClips.parameters(PixelFormat.H264, h264.frames().get(0)).parameterSets();
        var stream = new io.virta.recorder.format.StreamParameters(PixelFormat.H264, 0, 0, parameterSets);
        try (RecordingStore recording = RecordingStore.open(store, SegmentPolicy.DEFAULT);
             CameraWriter camera = recording.camera(cameraName)) {
            for (int i = 0; i < frames; i++) {
                boolean keyframe = i % keyframeEvery == 0;
                ByteArrayOutputStream unit = new ByteArrayOutputStream();
                unit.writeBytes(parameterSets);
                for (int slice = 0; slice < 2; slice++) {
                    unit.writeBytes(new byte[] {0, 0, 1, (byte) (keyframe ? 0x65 : 0x41)});
                    for (int b = sliceBytes + random.nextInt(jitter); b > 0; b--) {
                        unit.write(1 + random.nextInt(255));
                    }
                }
                camera.append(stream, ByteBuffer.wrap(unit.toByteArray()), START + i * TestClips.FRAME_MICROS, i + 1,
                        keyframe ? io.virta.recorder.format.RecordDescriptor.FLAG_KEYFRAME : 0);
            }
        }
    }

    static byte[] range(ExportFile file, long from, long count) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long written = file.transferTo(from, count, Channels.newChannel(out));
        assertEquals(out.size(), written);
        return out.toByteArray();
    }

    /** framemd5 of each decoded picture of a file, in order. */
    static List<String> pictures(java.nio.file.Path file) throws Exception {
        return pictures(file, "null");
    }

    /** framemd5 of each decoded picture after a filter ({@code null}: none). */
    static List<String> pictures(java.nio.file.Path file, String filter) throws Exception {
        String lines = Peers.run(work, List.of("ffmpeg", "-v", "error", "-i", file.toString(), "-fps_mode", "passthrough",
                "-vf", filter, "-f", "framemd5", "-"));
        return lines.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.substring(l.lastIndexOf(',') + 1).trim()).toList();
    }

    static List<String> sourcePictures(Clip clip) throws Exception {
        return pictures(clip.file());
    }

    static List<byte[]> nalUnits(Clip clip, int from, int to) {
        List<byte[]> units = new ArrayList<>();
        for (AccessUnit unit : clip.frames().subList(from, to)) {
            units.addAll(unit.units());
        }
        return units;
    }

    /** The NAL units of every sample of an MP4's mdat, read by the 4-byte lengths (one track, samples back to back). */
    static List<byte[]> samplesOf(java.nio.file.Path mp4) throws Exception {
        byte[] bytes = Files.readAllBytes(mp4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int at = 0;
        while (at < bytes.length) {
            long size = buffer.getInt(at) & 0xFFFFFFFFL;
            String type = new String(bytes, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals("mdat")) {
                List<byte[]> units = new ArrayList<>();
                int position = at + 8;
                while (position < at + size) {
                    int length = buffer.getInt(position);
                    units.add(Arrays.copyOfRange(bytes, position + 4, position + 4 + length));
                    position += 4 + length;
                }
                return units;
            }
            at += (int) size;
        }
        throw new AssertionError("no mdat in " + mp4);
    }

    static void assertSameUnits(List<byte[]> expected, List<byte[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), what + ": unit " + i);
        }
    }
}
