package io.virta.rtsp.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Reads SDP line by line. One instance parses one document; {@link SessionDescription#parse} is
 * the public entry point.
 */
final class SdpParser {
    /** Far above any real description; bounds the work a hostile peer can ask for. */
    static final int MAX_LENGTH = 256 * 1024;

    private final String source;
    private int lineNumber;
    private boolean sawVersion;

    private Origin origin;
    private String sessionName;
    private Connection sessionConnection;
    private String sessionControl;
    private int sessionControlLine;
    private String range;
    private Direction sessionDirection;
    private final List<Attribute> sessionAttributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();
    private MediaDraft current;

    SdpParser(String source) {
        this.source = source;
    }

    SessionDescription parse(String text) throws SdpException {
        if (text == null || text.isBlank()) {
            throw error("v=", "the description is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw error("v=", "the description is " + text.length() + " characters long, more than "
                    + MAX_LENGTH + " allowed");
        }
        int position = 0;
        while (position < text.length()) {
            int end = position;
            while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            lineNumber++;
            line(text.substring(position, end).strip());
            boolean crlf = end + 1 < text.length() && text.charAt(end) == '\r' && text.charAt(end + 1) == '\n';
            position = end + (crlf ? 2 : 1);
        }
        finishMedia();
        Direction direction = sessionDirection == null ? Direction.SENDRECV : sessionDirection;
        return new SessionDescription(source, Optional.ofNullable(origin), sessionName == null ? "" : sessionName,
                Optional.ofNullable(sessionConnection), Optional.ofNullable(sessionControl), sessionControlLine,
                Optional.ofNullable(range), direction, sessionAttributes, media);
    }

    private void line(String line) throws SdpException {
        if (line.isEmpty()) {
            return;
        }
        if (!sawVersion) {
            if (!line.startsWith("v=")) {
                throw error("v=", "the first line must be v=0, found " + excerpt(line));
            }
            if (!line.substring(2).strip().equals("0")) {
                throw error("v=", "unsupported version " + excerpt(line.substring(2)) + ", expected 0");
            }
            sawVersion = true;
            return;
        }
        if (line.length() < 2 || line.charAt(1) != '=') {
            return; // not "x=...": tolerated, cameras add stray lines
        }
        String value = line.substring(2);
        switch (line.charAt(0)) {
            case 'o' -> {
                if (current == null && origin == null) {
                    origin = parseOrigin(value);
                }
            }
            case 's' -> {
                if (current == null && sessionName == null) {
                    sessionName = value;
                }
            }
            case 'c' -> {
                Connection connection = parseConnection(value);
                if (current == null) {
                    if (sessionConnection == null) {
                        sessionConnection = connection;
                    }
                } else if (current.connection == null) {
                    current.connection = connection;
                }
            }
            case 'm' -> {
                finishMedia();
                current = parseMediaLine(value);
            }
            case 'a' -> attribute(value);
            default -> {
                // i= u= e= p= b= t= r= z= k= and unknown types: nothing streaming depends on
            }
        }
    }

    /** Lenient: an origin that is not six fields is dropped, as nothing depends on it. */
    private static Origin parseOrigin(String value) {
        String[] fields = value.strip().split("\\s+");
        if (fields.length != 6) {
            return null;
        }
        return new Origin(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }

    private Connection parseConnection(String value) throws SdpException {
        String[] fields = value.strip().split("\\s+");
        if (fields.length != 3) {
            throw error("c=", "expected \"<network type> <address type> <address>\", found " + excerpt(value));
        }
        String addressType = fields[1];
        String[] parts = fields[2].split("/", -1);
        if (parts[0].isEmpty() || parts.length > 3) {
            throw error("c=", "malformed address " + excerpt(fields[2]));
        }
        OptionalInt ttl = OptionalInt.empty();
        int addressCount = 1;
        boolean ipv6 = addressType.equalsIgnoreCase("IP6");
        if (ipv6) {
            // IPv6 multicast has no TTL: "ff15::1/3" is the address count.
            if (parts.length == 3) {
                throw error("c=", "an IP6 address takes at most one \"/count\": " + excerpt(fields[2]));
            }
            if (parts.length == 2) {
                addressCount = number(parts[1], 1, 65535, "c=", "address count");
            }
        } else {
            if (parts.length >= 2) {
                ttl = OptionalInt.of(number(parts[1], 0, 255, "c=", "TTL"));
            }
            if (parts.length == 3) {
                addressCount = number(parts[2], 1, 65535, "c=", "address count");
            }
        }
        return new Connection(fields[0], addressType, parts[0], ttl, addressCount);
    }

    private MediaDraft parseMediaLine(String value) throws SdpException {
        String[] fields = value.strip().split("\\s+");
        if (fields.length < 3) {
            throw error("m=", "expected \"<media> <port> <protocol> <formats>\", found " + excerpt(value));
        }
        MediaDraft draft = new MediaDraft();
        draft.type = fields[0].toLowerCase(Locale.ROOT);
        String[] port = fields[1].split("/", -1);
        if (port.length > 2) {
            throw error("m=", "malformed port " + excerpt(fields[1]));
        }
        draft.port = number(port[0], 0, 65535, "m=", "port");
        draft.portCount = port.length == 2 ? number(port[1], 1, 65535, "m=", "port count") : 1;
        draft.protocol = fields[2];
        boolean rtp = MediaDescription.isRtpProtocol(draft.protocol);
        for (int i = 3; i < fields.length; i++) {
            if (rtp) {
                payloadType(fields[i], "m=");
            }
            draft.formats.add(fields[i]);
        }
        return draft;
    }

    private void attribute(String value) throws SdpException {
        int colon = value.indexOf(':');
        String name = (colon < 0 ? value : value.substring(0, colon)).strip();
        String argument = colon < 0 ? "" : value.substring(colon + 1).strip();
        if (name.isEmpty()) {
            return;
        }
        Attribute attribute = new Attribute(name, argument);
        String key = name.toLowerCase(Locale.ROOT);
        Direction direction = Direction.fromAttributeName(key);
        if (current == null) {
            sessionAttributes.add(attribute);
            switch (key) {
                case "control" -> {
                    if (sessionControl == null) {
                        sessionControl = requireValue(argument, "a=control");
                        sessionControlLine = lineNumber;
                    }
                }
                case "range" -> {
                    if (range == null) {
                        range = argument;
                    }
                }
                default -> {
                    if (direction != null && sessionDirection == null) {
                        sessionDirection = direction;
                    }
                }
            }
            return;
        }
        current.attributes.add(attribute);
        switch (key) {
            case "control" -> {
                if (current.control == null) {
                    current.control = requireValue(argument, "a=control");
                    current.controlLine = lineNumber;
                }
            }
            case "rtpmap" -> rtpMap(argument);
            case "fmtp" -> formatParameters(argument);
            case "framerate" -> {
                if (current.frameRate.isEmpty()) {
                    current.frameRate = frameRate(argument);
                }
            }
            default -> {
                if (direction != null && current.direction == null) {
                    current.direction = direction;
                }
            }
        }
    }

    private String requireValue(String argument, String field) throws SdpException {
        if (argument.isEmpty()) {
            throw error(field, "has no value");
        }
        return argument;
    }

    private void rtpMap(String argument) throws SdpException {
        int space = indexOfWhitespace(argument);
        int slash = argument.indexOf('/');
        if (space < 0 || slash < space) {
            throw error("a=rtpmap", "expected \"<payload type> <encoding name>/<clock rate>\", found "
                    + excerpt(argument));
        }
        int payloadType = payloadType(argument.substring(0, space), "a=rtpmap");
        String encoding = argument.substring(space).strip();
        String[] parts = encoding.split("/", 3);
        if (parts.length < 2 || parts[0].isBlank()) {
            throw error("a=rtpmap", "expected \"<encoding name>/<clock rate>\", found " + excerpt(encoding));
        }
        int clockRate = number(parts[1].strip(), 1, Integer.MAX_VALUE, "a=rtpmap", "clock rate");
        String parameters = parts.length == 3 ? parts[2].strip() : "";
        current.rtpMaps.putIfAbsent(payloadType, new RtpMap(payloadType, parts[0].strip(), clockRate, parameters));
    }

    private void formatParameters(String argument) throws SdpException {
        int space = indexOfWhitespace(argument);
        String format = space < 0 ? argument : argument.substring(0, space);
        if (!MediaDescription.isRtpProtocol(current.protocol)) {
            return; // formats of other protocols are not payload types; the raw attribute is kept
        }
        int payloadType = payloadType(format, "a=fmtp");
        Map<String, String> parameters = current.formatParameters.computeIfAbsent(payloadType, pt -> {
            current.formatParameterLines.put(pt, lineNumber);
            return new LinkedHashMap<>();
        });
        if (space < 0) {
            return;
        }
        for (String parameter : argument.substring(space).split(";")) {
            int equals = parameter.indexOf('=');
            String name = (equals < 0 ? parameter : parameter.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
            String value = equals < 0 ? "" : parameter.substring(equals + 1).strip();
            if (!name.isEmpty()) {
                parameters.putIfAbsent(name, value);
            }
        }
    }

    /** Lenient: the rate is informational, so an unreadable one is dropped rather than refused. */
    private static OptionalDouble frameRate(String argument) {
        if (argument.isEmpty() || argument.length() > 20) {
            return OptionalDouble.empty();
        }
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return OptionalDouble.empty();
            }
        }
        try {
            double rate = Double.parseDouble(argument);
            return rate > 0 && Double.isFinite(rate) ? OptionalDouble.of(rate) : OptionalDouble.empty();
        } catch (NumberFormatException notANumber) {
            return OptionalDouble.empty();
        }
    }

    private void finishMedia() throws SdpException {
        if (current == null) {
            return;
        }
        MediaDraft draft = current;
        Optional<VideoFormat> videoFormat = VideoFormatParser.find(draft, this);
        Connection connection = draft.connection != null ? draft.connection : sessionConnection;
        Direction direction = draft.direction != null ? draft.direction
                : sessionDirection != null ? sessionDirection : Direction.SENDRECV;
        media.add(new MediaDescription(draft.type, draft.port, draft.portCount, draft.protocol, draft.formats,
                Optional.ofNullable(connection), Optional.ofNullable(draft.control), draft.controlLine,
                draft.rtpMaps, draft.formatParameters, direction, draft.frameRate, draft.attributes,
                videoFormat));
        current = null;
    }

    private int payloadType(String text, String field) throws SdpException {
        long value = parseDecimal(text, 3);
        if (value < 0 || value > 127) {
            throw error(field, "payload type " + excerpt(text) + " is not a number from 0 to 127");
        }
        return (int) value;
    }

    private int number(String text, int min, int max, String field, String what) throws SdpException {
        long value = parseDecimal(text, 10);
        if (value < min || value > max) {
            throw error(field, what + " " + excerpt(text) + " is not a number from " + min + " to " + max);
        }
        return (int) value;
    }

    /** The value of a string of at most {@code maxDigits} ASCII digits, or -1. */
    static long parseDecimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int indexOfWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    SdpException error(String field, String problem) {
        return new SdpException(source, lineNumber, field, problem);
    }

    SdpException error(int line, String field, String problem) {
        return new SdpException(source, line, field, problem);
    }

    /** Quotes a piece of untrusted text for an error message: short, and without control characters. */
    static String excerpt(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(text.length(), 60);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            quoted.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return quoted.append(text.length() > shown ? "...\"" : "\"").toString();
    }

    /** A media section while its lines are being read. */
    static final class MediaDraft {
        String type;
        int port;
        int portCount;
        String protocol;
        final List<String> formats = new ArrayList<>();
        Connection connection;
        String control;
        int controlLine;
        final Map<Integer, RtpMap> rtpMaps = new HashMap<>();
        final Map<Integer, Map<String, String>> formatParameters = new HashMap<>();
        final Map<Integer, Integer> formatParameterLines = new HashMap<>();
        Direction direction;
        OptionalDouble frameRate = OptionalDouble.empty();
        final List<Attribute> attributes = new ArrayList<>();
    }
}
