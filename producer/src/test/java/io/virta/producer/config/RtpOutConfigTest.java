package io.virta.producer.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void producerWideSettings() throws Exception {
        ProducerConfig defaults = ProducerConfig.parse("cameras: []\n", "cams.yaml");
        assertEquals(RtpOutSettings.DEFAULTS, defaults.rtpOut());
        assertEquals(java.util.List.of(), defaults.rtpOut().controlApiDestinations(), "the API may send nowhere");
        ProducerConfig config = ProducerConfig.parse("""
                rtpOut: { sdpDirectory: /run/virta/sdp, controlApiDestinations: [239.192.0.0/16, 10.0.5.7, "ff15::/16"] }
                cameras:
                  - { name: gate, url: rtsp://cam/1, rtpOut: { destination: 239.1.2.3:5004 } }
                  - { name: yard, url: rtsp://cam/2, rtpOut: { destination: 239.1.2.3:5006, sdp: yard.sdp } }
                """, "cams.yaml");
        assertEquals(Path.of("/run/virta/sdp/gate.sdp"), config.cameras().get(0).rtpOut().sdp());
        assertEquals(Path.of("yard.sdp"), config.cameras().get(1).rtpOut().sdp(), "a YAML camera still names its own");
        RtpOutSettings settings = config.rtpOut();
        assertTrue(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("239.192.255.1")));
        assertTrue(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("10.0.5.7")));
        assertTrue(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("ff15::1")));
        assertFalse(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("239.193.0.1")));
        assertFalse(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("10.0.5.8")));
        assertFalse(settings.allowsOverControlApi(java.net.InetAddress.ofLiteral("::ffff:10.0.5.9")));
    }

    @Test
    void producerWideErrorsNameTheSetting() {
        String hostBits = assertThrows(ConfigException.class, () -> ProducerConfig.parse(
                "rtpOut: { controlApiDestinations: [10.0.0.1/8] }\n", "cams.yaml")).getMessage();
        assertEquals("cams.yaml: rtpOut.controlApiDestinations[0]: '10.0.0.1/8' has host bits set; did you mean"
                + " 10.0.0.0/8?", hostBits);
        String name = assertThrows(ConfigException.class, () -> ProducerConfig.parse(
                "rtpOut: { controlApiDestinations: [cams.example.com/24] }\n", "cams.yaml")).getMessage();
        assertTrue(name.contains("rtpOut.controlApiDestinations[0]: 'cams.example.com/24' is not an address range"), name);
        String prefix = assertThrows(ConfigException.class, () -> ProducerConfig.parse(
                "rtpOut: { controlApiDestinations: [10.0.0.0/33] }\n", "cams.yaml")).getMessage();
        assertTrue(prefix.contains("the prefix must be 0..32"), prefix);
        String group = assertThrows(ConfigException.class, () -> ProducerConfig.parse(
                "rtpOut: { sdpGroup: no-such-group-here }\n", "cams.yaml")).getMessage();
        assertTrue(group.startsWith("cams.yaml: rtpOut.sdpGroup: unknown group 'no-such-group-here'"), group);
        String typo = assertThrows(ConfigException.class, () -> ProducerConfig.parse(
                "rtpOut: { sdpDir: /tmp }\n", "cams.yaml")).getMessage();
        assertTrue(typo.contains("rtpOut.sdpDir: unknown setting; known here: sdpDirectory, sdpGroup,"
                + " controlApiDestinations"), typo);
    }
}
