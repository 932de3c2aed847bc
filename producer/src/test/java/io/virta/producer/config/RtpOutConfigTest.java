package io.virta.producer.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rtpOut:} and {@code fmp4.fragmentMillis} parsing, and the errors a typo gets. */
class RtpOutConfigTest {
    private static CameraConfig camera(String more) throws ConfigException {
        return ProducerConfig.parse("cameras:\n  - name: gate\n    url: rtsp://cam/1\n" + more, "cams.yaml").cameras().getFirst();
    }

    private static String error(String more) {
        return assertThrows(ConfigException.class, () -> camera(more)).getMessage();
    }

    @Test
    void offByDefaultAndDefaultsWhenOn() throws Exception {
        assertNull(camera("").rtpOut());
        assertEquals(0, camera("").fmp4().fragmentMillis());
        CameraConfig.RtpOutConfig out = camera("    rtpOut: {destination: 239.1.2.3:5004}\n").rtpOut();
        assertEquals(new CameraConfig.RtpOutConfig("239.1.2.3", 5004, 1, null, Path.of("gate.sdp"), null), out);
        assertEquals(250, camera("    fmp4: {enabled: true, fragmentMillis: 250}\n").fmp4().fragmentMillis());
    }

    @Test
    void errorsNameTheCameraAndField() {
        String noPort = error("    rtpOut: {destination: 239.1.2.3}\n");
        assertTrue(noPort.startsWith("cams.yaml: cameras[0].rtpOut.destination: '239.1.2.3' is not HOST:PORT"), noPort);
        String odd = error("    rtpOut: {destination: 10.0.0.9:5005}\n");
        assertTrue(odd.contains("cameras[0].rtpOut.destination: port 5005 is odd"), odd);
        String unicastInterface = error("    rtpOut: {destination: 10.0.0.9:5004, interface: eth0}\n");
        assertTrue(unicastInterface.contains("cameras[0].rtpOut.interface: applies only to a multicast"), unicastInterface);
        String ttl = error("    rtpOut: {destination: 239.1.2.3:5004, ttl: 0}\n");
        assertTrue(ttl.contains("cameras[0].rtpOut.ttl"), ttl);
        String unknown = error("    rtpOut: {destination: 239.1.2.3:5004, port: 5}\n");
        assertTrue(unknown.contains("cameras[0].rtpOut"), unknown);
        String fragment = error("    fmp4: {enabled: true, fragmentMillis: -1}\n");
        assertTrue(fragment.contains("cameras[0].fmp4.fragmentMillis"), fragment);
    }
}
