package io.virta.rtsp.sdp;

import io.virta.rtsp.media.VideoCodec;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One media section: the {@code m=} line and the lines after it, e.g.
 * <pre>
 * m=video 0 RTP/AVP 96
 * a=rtpmap:96 H264/90000
 * a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAFdkB...,aMuMsg==
 * a=control:stream=0
 * </pre>
 * Immutable; built by {@link SessionDescription#parse}.
 */
public final class MediaDescription {
    private final String type;
    private final int port;
    private final int portCount;
    private final String protocol;
    private final List<String> formats;
    private final Optional<Connection> connection;
    private final Optional<String> control;
    private final int controlLine;
    private final Map<Integer, RtpMap> rtpMaps;
    private final Map<Integer, Map<String, String>> formatParameters;
    private final Direction direction;
    private final OptionalDouble frameRate;
    private final List<Attribute> attributes;
    private final Optional<VideoFormat> videoFormat;

    MediaDescription(String type, int port, int portCount, String protocol, List<String> formats,
                     Optional<Connection> connection, Optional<String> control, int controlLine,
                     Map<Integer, RtpMap> rtpMaps, Map<Integer, Map<String, String>> formatParameters,
                     Direction direction, OptionalDouble frameRate, List<Attribute> attributes,
                     Optional<VideoFormat> videoFormat) {
        this.type = type;
        this.port = port;
        this.portCount = portCount;
        this.protocol = protocol;
        this.formats = List.copyOf(formats);
        this.connection = connection;
        this.control = control;
        this.controlLine = controlLine;
        this.rtpMaps = Map.copyOf(rtpMaps);
        Map<Integer, Map<String, String>> parameters = new HashMap<>();
        formatParameters.forEach((payloadType, map) -> parameters.put(payloadType, Map.copyOf(map)));
        this.formatParameters = Map.copyOf(parameters);
        this.direction = direction;
        this.frameRate = frameRate;
        this.attributes = List.copyOf(attributes);
        this.videoFormat = videoFormat;
    }

    /** The media type as written in lower case: {@code video}, {@code audio}, {@code application}... */
    public String type() {
        return type;
    }

    public boolean isVideo() {
        return type.equals("video");
    }

    /** The transport port; 0 in RTSP, where {@code SETUP} negotiates ports. */
    public int port() {
        return port;
    }

    /** From {@code m=video 5004/2 ...}; 1 when not written. */
    public int portCount() {
        return portCount;
    }

    /** The transport protocol as written: {@code RTP/AVP}, {@code RTP/AVPF}, {@code RTP/SAVP}... */
    public String protocol() {
        return protocol;
    }

    /** Whether the protocol carries RTP, so that the formats are payload types. */
    public boolean isRtp() {
        return isRtpProtocol(protocol);
    }

    static boolean isRtpProtocol(String protocol) {
        return protocol.toUpperCase(Locale.ROOT).contains("RTP/");
    }

    /** The formats of the {@code m=} line as written; for RTP, the payload types. */
    public List<String> formats() {
        return formats;
    }

    /** The payload types of an RTP section, in {@code m=} order; empty for other protocols. */
    public List<Integer> payloadTypes() {
        if (!isRtp()) {
            return List.of();
        }
        return formats.stream().map(Integer::valueOf).toList();
    }

    /** This section's {@code c=}, or else the session's. */
    public Optional<Connection> connection() {
        return connection;
    }

    /** {@code a=control} as written; see {@link SessionDescription#resolveControl} for the URL. */
    public Optional<String> control() {
        return control;
    }

    int controlLine() {
        return controlLine;
    }

    /** {@code a=rtpmap} lines by payload type. */
    public Map<Integer, RtpMap> rtpMaps() {
        return rtpMaps;
    }

    public Optional<RtpMap> rtpMap(int payloadType) {
        return Optional.ofNullable(rtpMaps.get(payloadType));
    }

    /**
     * {@code a=fmtp} of one payload type as a map: parameter names in lower case (they are
     * case-insensitive), values as written; empty when there is no such line.
     */
    public Map<String, String> formatParameters(int payloadType) {
        return formatParameters.getOrDefault(payloadType, Map.of());
    }

    /** This section's direction attribute, or else the session's, or else {@code SENDRECV}. */
    public Direction direction() {
        return direction;
    }

    /** {@code a=framerate}; empty when absent or not a positive number. */
    public OptionalDouble frameRate() {
        return frameRate;
    }

    /** Every {@code a=} line of this section, known or not, in order. */
    public List<Attribute> attributes() {
        return attributes;
    }

    /** The value of the first attribute with this name (case-insensitive); {@code ""} for a flag. */
    public Optional<String> attribute(String name) {
        return SessionDescription.firstAttribute(attributes, name);
    }

    /** The first payload type whose {@code a=rtpmap} names a codec Virta decodes, with its parameters. */
    public Optional<VideoFormat> videoFormat() {
        return videoFormat;
    }

    public Optional<VideoCodec> videoCodec() {
        return videoFormat.map(VideoFormat::codec);
    }

    /** Shorthand for {@code videoFormat().parameterSets()}: VPS, SPS, PPS; empty when none. */
    public List<byte[]> parameterSets() {
        return videoFormat.map(VideoFormat::parameterSets).orElse(List.of());
    }

    @Override
    public String toString() {
        return "m=" + type + " " + port + (portCount > 1 ? "/" + portCount : "") + " " + protocol + " "
                + String.join(" ", formats) + control.map(c -> " control " + c).orElse("")
                + videoFormat.map(f -> " (" + f + ")").orElse("");
    }
}
