package io.virta.producer.control;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.status.CameraStatus;
import io.virta.protos.control.v1.EncodedChannelConfig;
import io.virta.protos.control.v1.Fmp4ChannelConfig;
import io.virta.protos.control.v1.RecordConfig;
import io.virta.protos.control.v1.RtpOutConfig;
import io.virta.protos.control.v1.RgbChannelConfig;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.TimestampMode;
import io.virta.protos.control.v1.Transport;
import io.virta.protos.control.v1.YuvChannelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** AddStream's configuration means exactly what the same camera in the YAML file means. */
class ControlMessagesTest {
    private static CameraConfig fromYaml(String camera) throws ConfigException {
        return ProducerConfig.parse("cameras:\n" + camera.indent(2).replaceFirst("  ", "- "), "test").cameras().getFirst();
    }

    private static CameraConfig fromProto(StreamConfig config) throws ConfigException {
        return ProducerConfig.camera(ControlMessages.settings(config), "AddStream", io.virta.producer.config.RtpOutSettings.DEFAULTS);
    }

    @Test
    void everyFieldMapsToItsYamlSetting() throws Exception {
        CameraConfig yaml = fromYaml("""
                name: lobby
                url: rtsp://admin:s3cret@10.0.0.5/stream1
                user: viewer
                password: pw
                transport: udp
                reconnectSeconds: 2.5
                decode: true
                decoderThreads: 2
                timestamps: arrival
                encoded: { cells: 32, capacity: 4194304 }
                yuv: { enabled: false, cells: 4, maxWidth: 1280, maxHeight: 720 }
                rgb: { width: 320, height: 180, fps: 5, cells: 3 }
                fmp4: { enabled: true, cells: 16, capacity: 1048576, fragmentMillis: 500 }
                rtpOut: { destination: "239.1.2.3:5004", ttl: 4, interface: lo, sdp: /tmp/lobby.sdp }
                """);
        CameraConfig proto = fromProto(StreamConfig.newBuilder()
                .setName("lobby").setUrl("rtsp://admin:s3cret@10.0.0.5/stream1").setUser("viewer").setPassword("pw")
                .setTransport(Transport.TRANSPORT_UDP).setReconnectSeconds(2.5).setDecode(true).setDecoderThreads(2)
                .setTimestamps(TimestampMode.TIMESTAMP_MODE_ARRIVAL)
                .setEncoded(EncodedChannelConfig.newBuilder().setCells(32).setCapacityBytes(4194304))
                .setYuv(YuvChannelConfig.newBuilder().setEnabled(false).setCells(4).setMaxWidth(1280).setMaxHeight(720))
                .setRgb(RgbChannelConfig.newBuilder().setWidth(320).setHeight(180).setFps(5).setCells(3))
                .setFmp4(Fmp4ChannelConfig.newBuilder().setEnabled(true).setCells(16).setCapacityBytes(1048576)
                        .setFragmentMillis(500))
                .setRtpOut(RtpOutConfig.newBuilder().setDestination("239.1.2.3:5004").setTtl(4).setInterface("lo")
                        .setSdp("/tmp/lobby.sdp"))
                .build());
        assertEquals(yaml, proto);
        // What status shows can be fed back as the same configuration.
        StreamConfig shown = ControlMessages.redacted(proto);
        assertEquals(proto.fmp4(), fromProto(shown).fmp4());
        assertEquals(proto.rtpOut(), fromProto(shown).rtpOut());
    }

    @Test
    void unsetFieldsTakeTheYamlDefaults() throws Exception {
        CameraConfig yaml = fromYaml("name: yard\nurl: rtsp://10.0.0.6/h265\n");
        CameraConfig proto = fromProto(StreamConfig.newBuilder().setName("yard").setUrl("rtsp://10.0.0.6/h265").build());
        assertEquals(yaml, proto);
        assertTrue(proto.decode() && proto.yuv().enabled() && proto.rgb().enabled());
        // decode: false must be expressible although false is proto3's default.
        assertFalse(fromProto(StreamConfig.newBuilder().setName("yard").setUrl("rtsp://10.0.0.6/h265")
                .setDecode(false).build()).decode());
    }

    @Test
    void statusCarriesTheRestreamAndRtpOutCounters() throws Exception {
        CameraConfig camera = fromYaml("name: lobby\nurl: rtsp://10.0.0.5/stream1\nrtpOut: {destination: 239.1.2.3:5004}");
        var rtpOut = new io.virta.producer.rtp.out.RtpSender.Stats("239.1.2.3:5004", true, 250, 3, 2100, 7);
        var status = ControlMessages.status(new CameraStatus("lobby", CameraStatus.State.ONLINE, null, camera, null, null,
                CameraStatus.Stats.NONE, new CameraStatus.Restream(2, 500, 4), rtpOut, CameraStatus.Recording.OFF));
        assertEquals(2, status.getRestream().getClients());
        assertEquals(500, status.getRestream().getFramesSent());
        assertEquals(4, status.getRestream().getFramesDropped());
        assertEquals("239.1.2.3:5004", status.getRtpOut().getDestination());
        assertTrue(status.getRtpOut().getSdpWritten());
        assertEquals(250, status.getRtpOut().getUnitsSent());
        assertEquals(3, status.getRtpOut().getUnitsWaiting());
        assertEquals(2100, status.getRtpOut().getPacketsSent());
        assertEquals(7, status.getRtpOut().getPacketsDropped());

        var without = ControlMessages.status(new CameraStatus("lobby", CameraStatus.State.STOPPED, null, fromYaml(
                "name: lobby\nurl: rtsp://10.0.0.5/stream1"), null, null, CameraStatus.Stats.NONE, CameraStatus.Restream.NONE, null, CameraStatus.Recording.OFF));
        assertFalse(without.hasRtpOut(), "no rtp_out without rtpOut:");
        assertFalse(without.hasRecording(), "no recording without record:");
    }

    @Test
    void recordMapsToTheYamlRecordBlockAndNeedsAStore() throws Exception {
        ProducerConfig file = ProducerConfig.parse("""
                recording: { stores: [/srv/disk1/virta, /srv/disk2/virta] }
                cameras:
                  - name: lobby
                    url: rtsp://10.0.0.5/stream1
                    record: { enabled: true, store: /srv/disk2/virta, bufferSeconds: 20 }
                """, "test");
        StreamConfig request = StreamConfig.newBuilder().setName("lobby").setUrl("rtsp://10.0.0.5/stream1")
                .setRecord(RecordConfig.newBuilder().setEnabled(true).setStore("/srv/disk2/virta").setBufferSeconds(20))
                .build();
        CameraConfig added = ProducerConfig.camera(ControlMessages.settings(request), "AddStream",
                io.virta.producer.config.RtpOutSettings.DEFAULTS, file.recording());
        assertEquals(file.cameras().getFirst(), added);
        assertEquals(java.nio.file.Path.of("/srv/disk2/virta"), added.record().store());
        assertEquals(600, added.encoded().cells(), "20 s at 30 fps");
        assertEquals(added.record(), fromProto(ControlMessages.redacted(added).toBuilder().setPassword("").build(),
                file).record(), "status shows the record block as AddStream takes it");

        ConfigException noStore = assertThrows(ConfigException.class, () -> fromProto(request));
        assertTrue(noStore.getMessage().startsWith("AddStream: record.enabled: is true, but there is no recording store"),
                noStore.getMessage());
    }

    private static CameraConfig fromProto(StreamConfig config, ProducerConfig file) throws ConfigException {
        return ProducerConfig.camera(ControlMessages.settings(config), "AddStream", file.rtpOut(), file.recording());
    }

    @Test
    void statusNeverShowsThePassword() throws Exception {
        CameraConfig camera = fromProto(StreamConfig.newBuilder().setName("lobby")
                .setUrl("rtsp://admin:s3cret@10.0.0.5/stream1").setPassword("other").build());
        StreamConfig shown = ControlMessages.redacted(camera);
        assertFalse(shown.toString().contains("s3cret") || shown.toString().contains("other"), shown.toString());
        assertEquals("", shown.getPassword());
        assertTrue(shown.getUrl().endsWith("@10.0.0.5/stream1"), shown.getUrl());
        // What status shows can be fed back as a configuration (less the credentials).
        assertEquals(camera.rgb(), fromProto(shown.toBuilder().setUrl("rtsp://10.0.0.5/stream1").build()).rgb());
    }

    @Test
    void errorsNameTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> fromProto(StreamConfig.newBuilder()
                .setName("cam").setUrl("rtsp://h/").setYuv(YuvChannelConfig.newBuilder().setCells(1)).build()));
        assertEquals("AddStream: yuv.cells: 1 is outside 2..1024", e.getMessage());
        e = assertThrows(ConfigException.class, () -> fromProto(StreamConfig.newBuilder()
                .setName("cam").setUrl("rtsp://h/").setTimestampsValue(9).build()));
        assertTrue(e.getMessage().startsWith("AddStream: timestamps: '9' is not one of"), e.getMessage());
    }
}
