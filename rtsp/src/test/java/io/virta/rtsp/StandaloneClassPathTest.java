package io.virta.rtsp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code mvn -pl rtsp -am test} runs the protocol tests alone: none of the heavier libraries the rest
 * of Virta uses is on this module's test class path (issue 14). A test that needs one belongs in the
 * module that has it; peers such as ffmpeg run as processes, not as jars.
 */
class StandaloneClassPathTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "org.bytedeco.javacv.FFmpegFrameGrabber", "org.bytedeco.ffmpeg.global.avcodec", "org.bytedeco.javacpp.Loader",
        "net.openhft.chronicle.queue.ChronicleQueue", "io.grpc.Server", "com.google.protobuf.Message",
        "org.yaml.snakeyaml.Yaml", "io.virta.bus.ChannelWriter"})
    void isNotOnTheClassPath(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false, getClass().getClassLoader()));
    }
}
