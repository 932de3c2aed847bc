package io.virta.producer.source.sdp;

import io.virta.rtsp.sdp.Connection;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.RtpMap;
import io.virta.rtsp.sdp.SdpException;
import io.virta.rtsp.sdp.SessionDescription;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An SDP file checked for what receiving needs: one video track Virta decodes, sent over RTP on
 * UDP to a port this host can bind, unicast or multicast.
 *
 * <pre>{@code
 * SdpFile sdp = SdpFile.read(Path.of("/etc/virta/cam7.sdp"));   // throws SdpSourceException
 * sdp.video();      // m=video ... with its codec and parameter sets
 * sdp.where();      // "224.1.168.91:50000"
 * }</pre>
 *
 * @param path      the file, as given
 * @param text      its content, to tell whether a re-read found something new
 * @param video     the first video section with a codec Virta decodes
 * @param address   the connection address ({@code c=}, media level else session level) as a literal
 *                  IP address; null when there is none, it is a host name, or the wildcard
 * @param multicast whether {@code address} is a multicast group to join
 * @param rtpPort   the {@code m=video} port
 * @param rtcpPort  {@code a=rtcp} (RFC 3605) when given, else {@code rtpPort + 1}
 */
public record SdpFile(Path path, String text, MediaDescription video, InetAddress address, boolean multicast,
                      int rtpPort, int rtcpPort) {

    /** SDP files are a few hundred bytes; anything this big is the wrong file. */
    private static final long MAX_SIZE = 64 * 1024;

    /** Reads and checks the file. */
    public static SdpFile read(Path path) throws SdpSourceException {
        String text;
        try {
            if (Files.isDirectory(path)) {
                throw new SdpSourceException("file", "SDP file " + path + " is a directory; give the path of the .sdp file");
            }
            long size = Files.size(path);
            if (size > MAX_SIZE) {
                throw new SdpSourceException("file", "SDP file " + path + " is " + size + " bytes; an SDP file is a"
                        + " few hundred bytes of text (v=, o=, m=video ... lines): is this the right file?");
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new SdpSourceException("file", "SDP file " + path + " does not exist; the sender writes it"
                    + " (ffmpeg -sdp_file " + path.getFileName() + "), or copy it there from the camera", e);
        } catch (AccessDeniedException e) {
            throw new SdpSourceException("file", "SDP file " + path + " cannot be read: permission denied;"
                    + " make it readable by the user the producer runs as", e);
        } catch (CharacterCodingException e) {
            throw new SdpSourceException("file", "SDP file " + path + " is not text (not UTF-8): is this the right file?", e);
        } catch (IOException e) {
            throw new SdpSourceException("file", "SDP file " + path + " cannot be read: " + e, e);
        }
        return parse(text, path);
    }

    /** Checks SDP text that came from {@code path} (which only names it in messages). */
    public static SdpFile parse(String text, Path path) throws SdpSourceException {
        SessionDescription description;
        try {
            description = SessionDescription.parse(text, path.toString());
        } catch (SdpException e) {
            throw new SdpSourceException(e.field(), e.getMessage(), e);
        }
        MediaDescription video = chooseVideo(description, path);
        checkProtocol(video, path);
        int rtpPort = video.port();
        if (rtpPort == 0) {
            throw new SdpSourceException("m=video", path + " (m=video): port 0; an SDP file for RTP must name the"
                    + " port the sender sends to (port 0 is for RTSP, where SETUP picks ports: use url: rtsp://...)");
        }
        int rtcpPort = rtcpPort(video, path);
        if (rtcpPort > 65535) {
            throw new SdpSourceException("m=video", path + " (m=video): port " + rtpPort + " leaves no port for RTCP"
                    + " (RTP takes an even port, RTCP the next one); make the sender use an even port below 65535");
        }
        InetAddress address = null;
        boolean multicast = false;
        Optional<Connection> connection = video.connection();
        if (connection.isPresent()) {
            Connection c = connection.get();
            address = literal(c.address());
            multicast = address != null && address.isMulticastAddress();
            if (c.isMulticast() && !multicast) {
                throw new SdpSourceException("c=", path + " (c=): multicast group " + c.address()
                        + " is not an IP address; write the group as digits, e.g. c=IN IP4 239.1.2.3/16");
            }
            if (address != null && address.isAnyLocalAddress()) {
                address = null;
            }
        }
        return new SdpFile(path, text, video, address, multicast, rtpPort, rtcpPort);
    }

    /** {@code "224.1.168.91:50000"}, {@code "[ff15::1]:50000"}, or {@code "port 50000"} when any local address will do. */
    public String where() {
        if (address == null) {
            return "port " + rtpPort;
        }
        String host = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + rtpPort;
    }

    /** Whether {@code other} needs the same sockets: the same address and ports. */
    boolean sameEndpoint(SdpFile other) {
        return other != null && rtpPort == other.rtpPort && rtcpPort == other.rtcpPort
                && java.util.Objects.equals(address, other.address);
    }

    private static MediaDescription chooseVideo(SessionDescription description, Path path) throws SdpSourceException {
        MediaDescription firstVideo = null;
        for (MediaDescription media : description.media()) {
            if (!media.isVideo()) {
                continue;
            }
            if (media.videoCodec().isPresent()) {
                return media;
            }
            if (firstVideo == null) {
                firstVideo = media;
            }
        }
        if (firstVideo == null) {
            List<String> types = description.media().stream().map(m -> "m=" + m.type()).toList();
            throw new SdpSourceException("m=video", path + " (m=video): no video track"
                    + (types.isEmpty() ? "; the file has no m= line at all" : "; the file has only " + String.join(", ", types))
                    + ". An SDP camera needs an m=video line (ffmpeg -sdp_file writes one when the output has video)");
        }
        if (!firstVideo.isRtp()) {
            throw notRtp(firstVideo, path);
        }
        List<String> formats = new ArrayList<>();
        for (int payloadType : firstVideo.payloadTypes()) {
            Optional<RtpMap> map = firstVideo.rtpMap(payloadType);
            formats.add(map.map(m -> m.encodingName() + "/" + m.clockRate() + " (payload type " + payloadType + ")")
                    .orElse("payload type " + payloadType + " without a=rtpmap"));
        }
        throw new SdpSourceException("a=rtpmap", path + " (m=video, a=rtpmap): codec " + String.join(", ", formats)
                + " is not supported; Virta receives H264 and H265. Make the sender send one of them"
                + " (e.g. ffmpeg -c:v libx264), or use a source FFmpeg opens");
    }

    private static void checkProtocol(MediaDescription video, Path path) throws SdpSourceException {
        String protocol = video.protocol().toUpperCase(Locale.ROOT);
        if (!video.isRtp()) {
            throw notRtp(video, path);
        }
        if (protocol.contains("SAVP")) {
            throw new SdpSourceException("m=video", path + " (m=video): protocol " + video.protocol()
                    + " is encrypted RTP (SRTP), which this source does not decrypt; send plain RTP/AVP");
        }
        if (protocol.startsWith("TCP")) {
            throw new SdpSourceException("m=video", path + " (m=video): protocol " + video.protocol()
                    + " is RTP over TCP; this source receives RTP over UDP (RTP/AVP)");
        }
    }

    private static SdpSourceException notRtp(MediaDescription video, Path path) {
        return new SdpSourceException("m=video", path + " (m=video): protocol " + video.protocol()
                + " is not RTP; this source receives RTP/AVP (an MPEG-TS stream over plain UDP needs a source FFmpeg opens)");
    }

    private static int rtcpPort(MediaDescription video, Path path) throws SdpSourceException {
        Optional<String> attribute = video.attribute("rtcp");
        if (attribute.isEmpty()) {
            return video.port() + 1;
        }
        // RFC 3605: "a=rtcp:53020" or "a=rtcp:53020 IN IP4 192.0.2.1"; the address, when given, is
        // the sender's business: reports go back to where its sender reports come from.
        String first = attribute.get().strip().split("\\s+", 2)[0];
        try {
            int port = Integer.parseInt(first);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new SdpSourceException("a=rtcp", path + " (a=rtcp): \"" + attribute.get().strip()
                + "\" does not start with a port from 1 to 65535");
    }

    /** A literal IPv4 or IPv6 address, or null for a host name: an SDP file must not make us resolve names. */
    private static InetAddress literal(String address) {
        try {
            return InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException notLiteral) {
            return null;
        }
    }
}
