package io.virta.producer.control;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.config.RtpOutSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The control API's own limits, over a producer with no {@code rtpOut:} section (ControlApiTest has one). */
class AddStreamRulesTest {
    @Test
    void byDefaultTheApiMaySendRtpNowhereAndSaysWhichSettingToAdd() throws Exception {
        Map<String, Object> settings = Map.of("name", "gate", "url", "rtsp://cam/1",
                "rtpOut", Map.of("destination", "239.1.2.3:5004"));
        assertEquals(java.util.Optional.empty(), AddStreamRules.refusalBeforeParsing(settings));
        CameraConfig camera = ProducerConfig.camera(settings, "AddStream", RtpOutSettings.DEFAULTS);
        assertEquals(java.nio.file.Path.of("gate.sdp"), camera.rtpOut().sdp(), "the working directory by default");
        assertEquals("AddStream: rtpOut.destination: 239.1.2.3 is outside the ranges the producer allows the control"
                + " API to send to (rtpOut.controlApiDestinations: none); add a range such as 239.1.2.3/32 to"
                + " rtpOut.controlApiDestinations in the producer's YAML file, or configure this camera's rtpOut: there",
                AddStreamRules.refusalAfterParsing(camera, RtpOutSettings.DEFAULTS).orElseThrow());
        CameraConfig plain = ProducerConfig.camera(Map.of("name", "gate", "url", "rtsp://cam/1"), "AddStream",
                RtpOutSettings.DEFAULTS);
        assertEquals(java.util.Optional.empty(), AddStreamRules.refusalAfterParsing(plain, RtpOutSettings.DEFAULTS),
                "no rtpOut, nothing to limit");
    }
}
