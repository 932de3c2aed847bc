package io.virta.rtsp.sdp;

import io.virta.rtsp.media.H264NalType;
import io.virta.rtsp.media.VideoCodec;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds a media section's video codec from {@code a=rtpmap} and decodes its {@code a=fmtp}
 * parameters: RFC 6184 for H264, RFC 7798 for H265.
 */
final class VideoFormatParser {
    private VideoFormatParser() {
    }

    /** The first payload type, in {@code m=} order, whose encoding name is a codec Virta decodes. */
    static Optional<VideoFormat> find(SdpParser.MediaDraft media, SdpParser parser) throws SdpException {
        if (!MediaDescription.isRtpProtocol(media.protocol)) {
            return Optional.empty();
        }
        for (String format : media.formats) {
            int payloadType = Integer.parseInt(format); // checked by the m= parser
            RtpMap rtpMap = media.rtpMaps.get(payloadType);
            VideoCodec codec = rtpMap == null ? null : codecNamed(rtpMap.encodingName());
            if (codec != null) {
                Map<String, String> parameters = media.formatParameters.getOrDefault(payloadType, Map.of());
                int line = media.formatParameterLines.getOrDefault(payloadType, 0);
                return Optional.of(decode(codec, rtpMap, parameters, line, parser));
            }
        }
        return Optional.empty();
    }

    /** RTP encoding names are case-insensitive; HEVC is registered as {@code H265}, nothing else. */
    static VideoCodec codecNamed(String encodingName) {
        for (VideoCodec codec : VideoCodec.values()) {
            if (codec.rtpEncodingName.equalsIgnoreCase(encodingName)) {
                return codec;
            }
        }
        return null;
    }

    private static VideoFormat decode(VideoCodec codec, RtpMap rtpMap, Map<String, String> parameters,
                                      int line, SdpParser parser) throws SdpException {
        List<byte[]> parameterSets = new ArrayList<>();
        OptionalInt profileLevelId = OptionalInt.empty();
        int packetizationMode = 0;
        switch (codec) {
            case H264 -> {
                parameterSets.addAll(nalUnits(parameters, "sprop-parameter-sets", line, parser));
                // RFC 6184 does not fix the order; a decoder wants SPS before PPS.
                parameterSets.sort(Comparator.comparingInt(VideoFormatParser::h264Rank));
                profileLevelId = profileLevelId(parameters.get("profile-level-id"));
                packetizationMode = packetizationMode(parameters.get("packetization-mode"), line, parser);
            }
            case H265 -> {
                parameterSets.addAll(nalUnits(parameters, "sprop-vps", line, parser));
                parameterSets.addAll(nalUnits(parameters, "sprop-sps", line, parser));
                parameterSets.addAll(nalUnits(parameters, "sprop-pps", line, parser));
            }
        }
        return new VideoFormat(codec, rtpMap.payloadType(), rtpMap.clockRate(), parameterSets, profileLevelId,
                packetizationMode);
    }

    private static int h264Rank(byte[] nal) {
        return switch (H264NalType.ofHeader(nal[0])) {
            case SPS -> 0;
            case PPS -> 1;
            default -> 2;
        };
    }

    /** A comma-separated list of base64 NAL units; empty entries (a trailing comma) are skipped. */
    private static List<byte[]> nalUnits(Map<String, String> parameters, String name, int line, SdpParser parser)
            throws SdpException {
        String value = parameters.get(name);
        List<byte[]> units = new ArrayList<>();
        if (value == null) {
            return units;
        }
        String[] entries = value.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                continue;
            }
            byte[] unit;
            try {
                unit = Base64.getDecoder().decode(entry);
            } catch (IllegalArgumentException notBase64) {
                throw parser.error(line, "a=fmtp " + name,
                        "entry " + (i + 1) + " is not valid base64: " + SdpParser.excerpt(entry));
            }
            if (unit.length > 0) {
                units.add(unit);
            }
        }
        return units;
    }

    /** Six hex digits; anything else reads as absent (the SPS carries the same information). */
    private static OptionalInt profileLevelId(String value) {
        if (value == null || value.length() != 6) {
            return OptionalInt.empty();
        }
        int id = 0;
        for (int i = 0; i < 6; i++) {
            int digit = Character.digit(value.charAt(i), 16);
            if (digit < 0) {
                return OptionalInt.empty();
            }
            id = id << 4 | digit;
        }
        return OptionalInt.of(id);
    }

    /** Strict: the mode decides how packets are reassembled, so a wrong one must not pass silently. */
    private static int packetizationMode(String value, int line, SdpParser parser) throws SdpException {
        if (value == null) {
            return 0;
        }
        long mode = SdpParser.parseDecimal(value, 1);
        if (mode < 0 || mode > 2) {
            throw parser.error(line, "a=fmtp packetization-mode", "expected 0, 1 or 2, found "
                    + SdpParser.excerpt(value));
        }
        return (int) mode;
    }
}
