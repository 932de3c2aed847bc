package io.virta.producer.control;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.ingest.CameraPipeline.PublishedChannel;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.supervise.WorkerStatus;
import io.virta.protos.control.v1.ChannelDescriptor;
import io.virta.protos.control.v1.ChannelType;
import io.virta.protos.control.v1.Codec;
import io.virta.protos.control.v1.EncodedChannelConfig;
import io.virta.protos.control.v1.Fmp4ChannelConfig;
import io.virta.protos.control.v1.PixelFormat;
import io.virta.protos.control.v1.RecordConfig;
import io.virta.protos.control.v1.RecordingState;
import io.virta.protos.control.v1.RecordingStats;
import io.virta.protos.control.v1.RestreamStats;
import io.virta.protos.control.v1.RtpOutConfig;
import io.virta.protos.control.v1.RtpOutStats;
import io.virta.protos.control.v1.RgbChannelConfig;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.StreamState;
import io.virta.protos.control.v1.StreamStats;
import io.virta.protos.control.v1.StreamStatus;
import io.virta.protos.control.v1.TimestampMode;
import io.virta.protos.control.v1.Transport;
import io.virta.protos.control.v1.WorkerState;
import io.virta.protos.control.v1.YuvChannelConfig;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.client.RtspTransport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Converts between the control API's protobuf messages and the producer's types. A
 * {@link StreamConfig} becomes the same key/value tree a YAML {@code cameras:} entry loads into, so
 * that AddStream is validated by exactly the code that validates the file.
 */
final class ControlMessages {
    private ControlMessages() {
    }

    /** YAML-shaped settings: only the fields the client set, so the rest take the file's defaults. */
    static Map<String, Object> settings(StreamConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        putText(m, "name", c.getName());
        putText(m, "url", c.getUrl());
        putText(m, "user", c.getUser());
        putText(m, "password", c.getPassword());
        if (c.getTransportValue() != Transport.TRANSPORT_UNSPECIFIED_VALUE) {
            m.put("transport", enumChoice(c.getTransport(), c.getTransportValue(), "TRANSPORT_"));
        }
        if (c.getReconnectSeconds() != 0) {
            m.put("reconnectSeconds", c.getReconnectSeconds());
        }
        if (c.hasDecode()) {
            m.put("decode", c.getDecode());
        }
        if (c.getDecoderThreads() != 0) {
            m.put("decoderThreads", c.getDecoderThreads());
        }
        if (c.getTimestampsValue() != TimestampMode.TIMESTAMP_MODE_UNSPECIFIED_VALUE) {
            m.put("timestamps", enumChoice(c.getTimestamps(), c.getTimestampsValue(), "TIMESTAMP_MODE_"));
        }
        if (c.getOnLossValue() != io.virta.protos.control.v1.LossPolicy.LOSS_POLICY_UNSPECIFIED_VALUE) {
            m.put("onLoss", enumChoice(c.getOnLoss(), c.getOnLossValue(), "LOSS_POLICY_"));
        }
        if (c.hasEncoded()) {
            Map<String, Object> e = new LinkedHashMap<>();
            putNumber(e, "cells", c.getEncoded().getCells());
            putNumber(e, "capacity", c.getEncoded().getCapacityBytes());
            m.put("encoded", e);
        }
        if (c.hasYuv()) {
            YuvChannelConfig y = c.getYuv();
            Map<String, Object> e = new LinkedHashMap<>();
            if (y.hasEnabled()) {
                e.put("enabled", y.getEnabled());
            }
            putNumber(e, "cells", y.getCells());
            putNumber(e, "maxWidth", y.getMaxWidth());
            putNumber(e, "maxHeight", y.getMaxHeight());
            m.put("yuv", e);
        }
        if (c.hasRgb()) {
            RgbChannelConfig r = c.getRgb();
            Map<String, Object> e = new LinkedHashMap<>();
            if (r.hasEnabled()) {
                e.put("enabled", r.getEnabled());
            }
            putNumber(e, "width", r.getWidth());
            putNumber(e, "height", r.getHeight());
            if (r.getFps() != 0) {
                e.put("fps", r.getFps());
            }
            putNumber(e, "cells", r.getCells());
            m.put("rgb", e);
        }
        if (c.hasFmp4()) {
            Fmp4ChannelConfig f = c.getFmp4();
            Map<String, Object> e = new LinkedHashMap<>();
            if (f.hasEnabled()) {
                e.put("enabled", f.getEnabled());
            }
            putNumber(e, "cells", f.getCells());
            putNumber(e, "capacity", f.getCapacityBytes());
            putNumber(e, "fragmentMillis", f.getFragmentMillis());
            m.put("fmp4", e);
        }
        if (c.hasRtpOut()) {
            RtpOutConfig r = c.getRtpOut();
            Map<String, Object> e = new LinkedHashMap<>();
            putText(e, "destination", r.getDestination());
            putNumber(e, "ttl", r.getTtl());
            putText(e, "interface", r.getInterface());
            putText(e, "sdp", r.getSdp());
            m.put("rtpOut", e);
        }
        if (c.hasRecord()) {
            RecordConfig r = c.getRecord();
            Map<String, Object> e = new LinkedHashMap<>();
            if (r.hasEnabled()) {
                e.put("enabled", r.getEnabled());
            }
            putText(e, "store", r.getStore());
            if (r.getBufferSeconds() != 0) {
                e.put("bufferSeconds", r.getBufferSeconds());
            }
            m.put("record", e);
        }
        return m;
    }

    /** The configuration as status shows it: credentials out of the URL, no password. */
    static StreamConfig redacted(CameraConfig c) {
        StreamConfig.Builder b = StreamConfig.newBuilder()
                .setName(c.name())
                .setUrl(c.url() == null ? "" : RtspUrl.shown(c.url()))
                .setTransport(transport(c.transport()))
                .setReconnectSeconds(c.reconnect().toMillis() / 1000.0)
                .setDecode(c.decode())
                .setDecoderThreads(c.decoderThreads())
                .setTimestamps(TimestampMode.valueOf("TIMESTAMP_MODE_" + c.timestamps().name()))
                .setOnLoss(io.virta.protos.control.v1.LossPolicy.valueOf("LOSS_POLICY_" + c.onLoss().name()))
                .setEncoded(EncodedChannelConfig.newBuilder().setCells(c.encoded().cells())
                        .setCapacityBytes(c.encoded().capacityBytes()))
                .setYuv(YuvChannelConfig.newBuilder().setEnabled(c.yuv().enabled()).setCells(c.yuv().cells())
                        .setMaxWidth(c.yuv().maxWidth()).setMaxHeight(c.yuv().maxHeight()))
                .setRgb(RgbChannelConfig.newBuilder().setEnabled(c.rgb().enabled()).setWidth(c.rgb().width())
                        .setHeight(c.rgb().height()).setFps(c.rgb().fps()).setCells(c.rgb().cells()));
        if (c.fmp4().enabled()) {
            b.setFmp4(Fmp4ChannelConfig.newBuilder().setEnabled(true).setCells(c.fmp4().cells())
                    .setCapacityBytes(c.fmp4().capacityBytes()).setFragmentMillis(c.fmp4().fragmentMillis()));
        }
        if (c.rtpOut() != null) {
            RtpOutConfig.Builder r = RtpOutConfig.newBuilder().setDestination(c.rtpOut().destination())
                    .setTtl(c.rtpOut().ttl()).setSdp(c.rtpOut().sdp().toString());
            if (c.rtpOut().networkInterface() != null) {
                r.setInterface(c.rtpOut().networkInterface());
            }
            b.setRtpOut(r);
        }
        if (c.record().enabled()) {
            b.setRecord(RecordConfig.newBuilder().setEnabled(true).setStore(c.record().store().toString())
                    .setBufferSeconds(c.record().buffer().toMillis() / 1000.0));
        }
        if (c.user() != null) {
            b.setUser(c.user());
        }
        return b.build();
    }

    static StreamStatus status(CameraStatus s) {
        CameraStatus.Stats t = s.stats();
        StreamStatus.Builder b = StreamStatus.newBuilder()
                .setName(s.name())
                .setState(StreamState.valueOf("STREAM_STATE_" + s.state().name()))
                .setConfig(redacted(s.config()))
                .setActiveTransport(s.activeTransport() == null ? Transport.TRANSPORT_UNSPECIFIED
                        : transport(s.activeTransport()))
                .setCodec(codec(s.codec()))
                .setStats(StreamStats.newBuilder()
                        .setFpsIn(t.fpsIn())
                        .setFpsOut(t.fpsOut())
                        .setBitrate(t.bitrate())
                        .setUnitsReceived(t.unitsReceived())
                        .setBytesReceived(t.bytesReceived())
                        .setPacketsReceived(t.packetsReceived())
                        .setPacketsLost(t.packetsLost())
                        .setUnitsDropped(t.unitsDropped())
                        .setFramesDecoded(t.framesDecoded())
                        .setDecodeMicrosPerFrame(t.decodeMicrosPerFrame())
                        .setDecoderOverruns(t.decoderOverruns())
                        .setDecoderSkipped(t.decoderSkipped())
                        .setYuvPublished(t.yuvPublished())
                        .setRgbPublished(t.rgbPublished())
                        .setReconnects(t.reconnects())
                        .setOnlineCount(t.onlineCount())
                        .setOfflineCount(t.offlineCount())
                        .setUptimeSeconds(t.uptimeSeconds())
                        .setPictureWidth(t.pictureWidth())
                        .setPictureHeight(t.pictureHeight())
                        .setPacketsRejected(t.packetsRejected())
                        .setUnitsDamaged(t.unitsDamaged()))
                .setRestream(RestreamStats.newBuilder()
                        .setClients(s.restream().clients())
                        .setFramesSent(s.restream().framesSent())
                        .setFramesDropped(s.restream().framesDropped()));
        if (s.rtpOut() != null) {
            var r = s.rtpOut();
            b.setRtpOut(RtpOutStats.newBuilder().setDestination(r.destination()).setSdpWritten(r.sdpWritten())
                    .setUnitsSent(r.unitsSent()).setUnitsWaiting(r.unitsWaiting()).setPacketsSent(r.packetsSent())
                    .setPacketsDropped(r.packetsDropped()));
        }
        if (s.recording().enabled()) {
            b.setRecording(recording(s.recording()));
        }
        if (s.lastError() != null) {
            // Errors quote URLs already redacted; redact again in case one did not.
            b.setLastError(RtspUrl.redact(s.lastError()));
        }
        return b.build();
    }

    static RecordingStats recording(CameraStatus.Recording r) {
        CameraStatus.StoreUsage usage = r.usage();
        return RecordingStats.newBuilder()
                .setState(switch (r.state()) {
                    case OFF, STOPPED -> RecordingState.RECORDING_STATE_STOPPED;
                    case STARTING -> RecordingState.RECORDING_STATE_STARTING;
                    case WAITING_FOR_WRITER -> RecordingState.RECORDING_STATE_WAITING_FOR_WRITER;
                    case RECORDING -> RecordingState.RECORDING_STATE_RECORDING;
                    case PAUSED -> RecordingState.RECORDING_STATE_PAUSED;
                })
                .setStoreDirectory(String.valueOf(r.store()))
                .setFramesWritten(r.framesWritten())
                .setBytesWritten(r.bytesWritten())
                .setLag(Math.max(0, r.lag()))
                .setFramesLost(r.framesLost())
                .setFramesSkipped(r.framesSkipped())
                .setLastSyncMicros(r.lastSyncMicros())
                .setPauses(r.pauses())
                .setProblem(r.problem())
                .setStoreUsedBytes(usage.storeBytes())
                .setCameraUsedBytes(usage.cameraBytes())
                .setDiskFreeBytes(usage.freeBytes())
                .setUsageSampledMicros(usage.sampledAtMicros())
                .build();
    }

    static ChannelDescriptor channel(PublishedChannel c, VideoCodec codec) {
        ChannelType type = switch (c.type()) {
            case ENCODED -> ChannelType.CHANNEL_TYPE_ENCODED;
            case YUV420P -> ChannelType.CHANNEL_TYPE_YUV420P;
            case RGB24 -> ChannelType.CHANNEL_TYPE_RGB24;
            case FMP4 -> ChannelType.CHANNEL_TYPE_FMP4;
            default -> ChannelType.CHANNEL_TYPE_UNSPECIFIED;
        };
        PixelFormat format = switch (c.format()) {
            case I420 -> PixelFormat.PIXEL_FORMAT_I420;
            case RGB24 -> PixelFormat.PIXEL_FORMAT_RGB24;
            case FMP4 -> PixelFormat.PIXEL_FORMAT_FMP4;
            case H264, H265 -> null; // the encoded channel: its codec says it (see below)
            default -> PixelFormat.PIXEL_FORMAT_UNSPECIFIED;
        };
        if (format == null) {
            format = codec == VideoCodec.H265 ? PixelFormat.PIXEL_FORMAT_H265 : PixelFormat.PIXEL_FORMAT_H264;
        }
        return ChannelDescriptor.newBuilder()
                .setName(c.name())
                .setType(type)
                .setPixelFormat(format)
                .setWidth(c.width())
                .setHeight(c.height())
                .setCells(c.cells())
                .setCellCapacity(c.cellCapacity())
                .setCodec(codec(codec))
                .setFramesPublished(Math.max(0, c.framesPublished()))
                .build();
    }

    static io.virta.protos.control.v1.WorkerStatus worker(WorkerStatus w) {
        return io.virta.protos.control.v1.WorkerStatus.newBuilder()
                .setName(w.name())
                .setCamera(w.camera())
                .setState(switch (w.state()) {
                    case RUNNING -> WorkerState.WORKER_STATE_RUNNING;
                    case BACKOFF -> WorkerState.WORKER_STATE_BACKOFF;
                    case STOPPED -> WorkerState.WORKER_STATE_STOPPED;
                })
                .setPid(w.pid())
                .addAllCommand(w.command())
                .setRestarts(w.restarts())
                .setLastExitCode(w.lastExitCode())
                .setLastError(w.lastError())
                .setUptimeSeconds(w.uptimeSeconds())
                .setNextStartSeconds(w.nextStartSeconds())
                .build();
    }

    private static Transport transport(RtspTransport t) {
        return switch (t) {
            case AUTO -> Transport.TRANSPORT_AUTO;
            case UDP -> Transport.TRANSPORT_UDP;
            case TCP -> Transport.TRANSPORT_TCP;
        };
    }

    private static Codec codec(VideoCodec c) {
        if (c == null) {
            return Codec.CODEC_UNSPECIFIED;
        }
        return c == VideoCodec.H265 ? Codec.CODEC_H265 : Codec.CODEC_H264;
    }

    /**
     * The YAML spelling of an enum value ({@code TRANSPORT_UDP} becomes {@code udp}); a number this
     * version does not know stays a number, which the validation then reports with the choices.
     */
    private static String enumChoice(Enum<?> value, int number, String prefix) {
        String name = value.name();
        if (!name.startsWith(prefix) || name.equals("UNRECOGNIZED")) {
            return Integer.toString(number);
        }
        return name.substring(prefix.length()).toLowerCase(Locale.ROOT);
    }

    private static void putText(Map<String, Object> m, String key, String value) {
        if (!value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static void putNumber(Map<String, Object> m, String key, long value) {
        if (value != 0) {
            m.put(key, value);
        }
    }
}
