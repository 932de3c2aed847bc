package io.virta.producer.source.ffmpeg;

import io.virta.producer.source.ffmpeg.FfmpegSourceOptions.InputKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FfmpegSourceOptionsTest {
    @Test
    void theKindOfInputFollowsFromItsName() {
        assertEquals(InputKind.FILE, FfmpegSourceOptions.of("/videos/lobby.mkv").kind());
        assertEquals(InputKind.FILE, FfmpegSourceOptions.of("lobby.h264").kind());
        assertEquals(InputKind.FILE, FfmpegSourceOptions.of("file:///videos/lobby.mkv").kind());
        assertEquals(InputKind.NETWORK, FfmpegSourceOptions.of("http://cam/stream.ts").kind());
        assertEquals(InputKind.NETWORK, FfmpegSourceOptions.of("HTTPS://cam/stream.ts").kind());
        FfmpegSourceOptions usb = FfmpegSourceOptions.of("/dev/video0");
        assertEquals(InputKind.DEVICE, usb.kind());
        assertEquals("v4l2", usb.format(), "v4l2 is implied for /dev/video*");
        assertEquals(InputKind.DEVICE, FfmpegSourceOptions.of("/dev/v4l/by-id/usb-cam-video-index0").kind());
    }

    @Test
    void fileUrisBecomePaths() {
        assertEquals(Path.of("/videos/lobby one.mkv"), FfmpegSourceOptions.of("file:///videos/lobby%20one.mkv").filePath());
        assertEquals(Path.of("/videos/lobby.mkv"), FfmpegSourceOptions.of("/videos/lobby.mkv").filePath());
    }

    @Test
    void v4l2SettingsBecomeDemuxerOptions() {
        FfmpegSourceOptions o = FfmpegSourceOptions.of("/dev/video0").withV4l2("1280x720", 30, "h264");
        assertEquals(Map.of("video_size", "1280x720", "framerate", "30", "input_format", "h264"), o.avOptions());
        assertEquals("v4l2", o.format());
    }

    @Test
    void messagesNeverShowThePassword() {
        assertEquals("http://***@cam/x.ts", FfmpegSourceOptions.of("http://admin:pa@ss@cam/x.ts").describeInput());
    }

    @Test
    void nonsenseIsRefusedWithASaying() {
        assertThrows(IllegalArgumentException.class, () -> FfmpegSourceOptions.of(" "));
        var e = assertThrows(IllegalArgumentException.class, () -> FfmpegSourceOptions.of("a.mkv").withSeekSeconds(-1));
        assertTrue(e.getMessage().contains("seek"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FfmpegSourceOptions.of("a.mkv").withReconnect(Duration.ZERO));
        assertTrue(e.getMessage().contains("reconnect"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FfmpegSourceOptions.of("file://host:x/%%").filePath());
        assertTrue(e.getMessage().contains("file: URI"), e.getMessage());
    }
}
