package io.virta.rtsp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Splits the bytes of an RTSP control connection into messages and interleaved packets
 * (RFC 2326 section 10.12): a {@code $}, a channel byte, a 16-bit length, then an RTP or RTCP packet.
 *
 * <p>Interleaved packets, the hot path, are handed on without copying or allocating: the listener
 * gets the input buffer narrowed to the packet's readable bytes, and must not keep it or move its
 * indices.
 * Anything that breaks the framing is an {@link RtspProtocolException}: after that the byte stream
 * cannot be resynchronised safely, so the session must reconnect.
 */
public final class RtspStreamParser {
    /** Receives what the parser finds; ByteBufs are valid only during the call. */
    public interface Listener {
        void onInterleaved(int channel, ByteBuf packet);

        void onResponse(RtspResponse response);

        /** A request from the server, for example GET_PARAMETER or ANNOUNCE. */
        void onRequest(String method, String uri, RtspHeaders headers, byte[] body);
    }

    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private final int maxHeaderBytes;
    private final int maxBodyBytes;

    public RtspStreamParser() {
        this(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES);
    }

    public RtspStreamParser(int maxHeaderBytes, int maxBodyBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Consumes every complete message in {@code in}; an incomplete one stays for the next call. */
    public void parse(ByteBuf in, Listener listener) throws RtspProtocolException {
        while (in.isReadable()) {
            int start = in.readerIndex();
            byte first = in.getByte(start);
            if (first == '$') {
                if (in.readableBytes() < 4) {
                    return;
                }
                int channel = in.getUnsignedByte(start + 1);
                int length = in.getUnsignedShort(start + 2);
                if (in.readableBytes() < 4 + length) {
                    return;
                }
                // The packet is handed on as the input buffer itself, narrowed to the packet's bytes:
                // a slice would be an object per packet.
                int end = in.writerIndex();
                in.setIndex(start + 4, start + 4 + length);
                try {
                    listener.onInterleaved(channel, in);
                } finally {
                    in.setIndex(start + 4 + length, end);
                }
            } else if (first == '\r' || first == '\n') {
                in.skipBytes(1); // stray line ends between messages, which some cameras send
            } else if (!parseMessage(in, listener)) {
                return;
            }
        }
    }

    private boolean parseMessage(ByteBuf in, Listener listener) throws RtspProtocolException {
        int start = in.readerIndex();
        int headerEnd = findHeaderEnd(in, start);
        if (headerEnd < 0) {
            if (in.readableBytes() > maxHeaderBytes) {
                throw new RtspProtocolException("an RTSP message header is longer than " + maxHeaderBytes
                        + " bytes without ending (or the stream is not RTSP): " + preview(in, start));
            }
            return false;
        }
        if (headerEnd - start > maxHeaderBytes) {
            throw new RtspProtocolException("an RTSP message header is " + (headerEnd - start) + " bytes; the limit is "
                    + maxHeaderBytes);
        }
        String head = in.toString(start, headerEnd - start, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r?\n");
        RtspHeaders headers = parseHeaders(lines);
        long contentLength = headers.getLong("Content-Length", 0);
        if (contentLength < 0 || contentLength > maxBodyBytes) {
            throw new RtspProtocolException("Content-Length " + contentLength + " is outside 0.." + maxBodyBytes);
        }
        int bodyStart = skipBlankLine(in, headerEnd);
        if (in.writerIndex() - bodyStart < contentLength) {
            return false;
        }
        byte[] body = new byte[(int) contentLength];
        in.getBytes(bodyStart, body);
        in.readerIndex(bodyStart + (int) contentLength);

        String startLine = lines[0];
        if (startLine.startsWith("RTSP/")) {
            listener.onResponse(parseStatusLine(startLine, headers, body));
        } else {
            String[] parts = startLine.split(" ");
            if (parts.length != 3 || !parts[2].startsWith("RTSP/1.")) {
                throw new RtspProtocolException("not an RTSP status or request line: '" + printable(startLine) + "'");
            }
            listener.onRequest(parts[0], parts[1], headers, body);
        }
        return true;
    }

    private static RtspResponse parseStatusLine(String line, RtspHeaders headers, byte[] body) throws RtspProtocolException {
        // RTSP/1.0 SP 3DIGIT SP reason
        int firstSpace = line.indexOf(' ');
        if (firstSpace < 0 || !line.startsWith("RTSP/1.")) {
            throw new RtspProtocolException("bad status line '" + printable(line) + "': expected 'RTSP/1.0 <code> <reason>'");
        }
        int secondSpace = line.indexOf(' ', firstSpace + 1);
        String code = secondSpace < 0 ? line.substring(firstSpace + 1) : line.substring(firstSpace + 1, secondSpace);
        int status;
        try {
            status = Integer.parseInt(code);
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < 100 || status > 999) {
            throw new RtspProtocolException("bad status code '" + printable(code) + "' in '" + printable(line) + "'");
        }
        String reason = secondSpace < 0 ? "" : line.substring(secondSpace + 1).trim();
        return new RtspResponse(status, reason, headers, body);
    }

    private static RtspHeaders parseHeaders(String[] lines) throws RtspProtocolException {
        RtspHeaders headers = new RtspHeaders();
        String name = null;
        StringBuilder value = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.trim()); // obsolete line folding
                continue;
            }
            if (name != null) {
                headers.add(name, value.toString());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new RtspProtocolException("header line without a name and ':': '" + printable(line) + "'");
            }
            name = line.substring(0, colon).trim();
            value = new StringBuilder(line.substring(colon + 1).trim());
        }
        if (name != null) {
            headers.add(name, value.toString());
        }
        return headers;
    }

    /** Index of the first byte of the blank line that ends the header section, or -1. */
    private int findHeaderEnd(ByteBuf in, int start) {
        int end = Math.min(in.writerIndex(), start + maxHeaderBytes + 4);
        for (int i = start; i < end; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            if (i + 1 < in.writerIndex() && in.getByte(i + 1) == '\n') {
                return i + 1;
            }
            if (i + 2 < in.writerIndex() && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int skipBlankLine(ByteBuf in, int blankLineStart) {
        return in.getByte(blankLineStart) == '\r' ? blankLineStart + 2 : blankLineStart + 1;
    }

    private static String preview(ByteBuf in, int start) {
        return "'" + printable(in.toString(start, Math.min(40, in.writerIndex() - start), StandardCharsets.ISO_8859_1)) + "'";
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            out.append(c >= ' ' && c < 127 ? c : '?');
        }
        return out.toString();
    }
}
