package io.virta.rtsp.sdp;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;

/**
 * A parsed SDP document: the session-level fields and the {@link MediaDescription media sections}.
 *
 * <pre>{@code
 * SessionDescription sdp = SessionDescription.parse(describeBody, requestUrl.toString());
 * MediaDescription video = sdp.firstVideoMedia().orElseThrow();
 * URI setupUrl = sdp.resolveControl(video, requestUrl, contentBaseHeader);
 * List<byte[]> parameterSets = video.parameterSets();
 * }</pre>
 *
 * Immutable and safe to share between threads.
 */
public final class SessionDescription {
    private final String sourceName;
    private final Optional<Origin> origin;
    private final String sessionName;
    private final Optional<Connection> connection;
    private final Optional<String> control;
    private final int controlLine;
    private final Optional<String> range;
    private final Direction direction;
    private final List<Attribute> attributes;
    private final List<MediaDescription> media;

    SessionDescription(String sourceName, Optional<Origin> origin, String sessionName,
                       Optional<Connection> connection, Optional<String> control, int controlLine,
                       Optional<String> range, Direction direction, List<Attribute> attributes,
                       List<MediaDescription> media) {
        this.sourceName = sourceName;
        this.origin = origin;
        this.sessionName = sessionName;
        this.connection = connection;
        this.control = control;
        this.controlLine = controlLine;
        this.range = range;
        this.direction = direction;
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
    }

    /**
     * Parses SDP text with CRLF or LF line endings.
     *
     * @param sourceName where the text came from (the DESCRIBE URL, a file name); it starts every
     *                   error message
     * @throws SdpException when the text is not SDP, or a line streaming depends on is malformed
     */
    public static SessionDescription parse(String text, String sourceName) throws SdpException {
        return new SdpParser(sourceName == null ? "SDP" : sourceName).parse(text);
    }

    /** The name given to {@link #parse}; it starts every error message about this description. */
    public String sourceName() {
        return sourceName;
    }

    /** The {@code o=} line; empty when absent or not the six fields RFC 8866 asks for. */
    public Optional<Origin> origin() {
        return origin;
    }

    /** {@code s=}; {@code ""} when absent. */
    public String sessionName() {
        return sessionName;
    }

    /** Session-level {@code c=}; media sections without their own inherit it. */
    public Optional<Connection> connection() {
        return connection;
    }

    /** Session-level {@code a=control} as written: the aggregate control URL, often {@code *}. */
    public Optional<String> control() {
        return control;
    }

    /** Session-level {@code a=range} as written, e.g. {@code npt=now-} for a live stream. */
    public Optional<String> range() {
        return range;
    }

    /** Session-level direction attribute; {@code SENDRECV} when absent. */
    public Direction direction() {
        return direction;
    }

    /** Every session-level {@code a=} line, known or not, in order. */
    public List<Attribute> attributes() {
        return attributes;
    }

    /** The value of the first session-level attribute with this name (case-insensitive). */
    public Optional<String> attribute(String name) {
        return firstAttribute(attributes, name);
    }

    static Optional<String> firstAttribute(List<Attribute> attributes, String name) {
        for (Attribute attribute : attributes) {
            if (attribute.name().equalsIgnoreCase(name)) {
                return Optional.of(attribute.value());
            }
        }
        return Optional.empty();
    }

    /** The media sections in document order. */
    public List<MediaDescription> media() {
        return media;
    }

    /** The first media section with a video codec Virta decodes (see {@link MediaDescription#videoFormat}). */
    public Optional<MediaDescription> firstVideoMedia() {
        return media.stream().filter(m -> m.videoFormat().isPresent()).findFirst();
    }

    /**
     * The URL to {@code SETUP} a media section (RFC 2326 C.1.1). The base is {@code contentBase}
     * when given, else {@code requestUrl}, or the session-level control when that is an absolute
     * URL. An absolute media control is used as is; {@code *} or none means the base; a relative
     * one is appended to the base as to a directory ({@code rtsp://h/cam} + {@code stream=0} gives
     * {@code rtsp://h/cam/stream=0}), after any query the base has, as cameras expect
     * ({@code rtsp://h/cam?channel=1/} + {@code trackID=0} gives {@code rtsp://h/cam?channel=1/trackID=0}).
     * A control starting with {@code /} replaces the base's path. User info stays as the base has it.
     *
     * @param requestUrl  the absolute URL the DESCRIBE went to
     * @param contentBase the {@code Content-Base} (or {@code Content-Location}) header of the
     *                    DESCRIBE response, or {@code null}
     * @throws SdpException when a control or the content base does not make a valid URL
     */
    public URI resolveControl(MediaDescription media, URI requestUrl, String contentBase) throws SdpException {
        URI base = baseUrl(requestUrl, contentBase);
        if (control.isPresent() && ControlUrl.isAbsolute(control.get())) {
            base = resolve(base, control.get(), controlLine);
        }
        if (media.control().isEmpty()) {
            return base;
        }
        return resolve(base, media.control().get(), media.controlLine());
    }

    /**
     * The URL for requests on the whole session ({@code PLAY}, {@code TEARDOWN}): the session-level
     * control resolved as in {@link #resolveControl}, or the base when there is none.
     */
    public URI resolveAggregateControl(URI requestUrl, String contentBase) throws SdpException {
        URI base = baseUrl(requestUrl, contentBase);
        return control.isPresent() ? resolve(base, control.get(), controlLine) : base;
    }

    private URI baseUrl(URI requestUrl, String contentBase) throws SdpException {
        if (requestUrl == null || !requestUrl.isAbsolute()) {
            throw new IllegalArgumentException("the request URL must be absolute: " + requestUrl);
        }
        if (contentBase == null || contentBase.isBlank()) {
            return requestUrl;
        }
        try {
            return requestUrl.resolve(new URI(contentBase.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new SdpException(sourceName, 0, "Content-Base",
                    "not a URL: " + SdpParser.excerpt(contentBase));
        }
    }

    private URI resolve(URI base, String control, int line) throws SdpException {
        try {
            return ControlUrl.resolve(base, control);
        } catch (URISyntaxException e) {
            throw new SdpException(sourceName, line, "a=control",
                    "does not make a valid URL with base " + base + ": " + SdpParser.excerpt(control));
        }
    }

    @Override
    public String toString() {
        return sourceName + ": \"" + sessionName + "\", " + media.size() + " media " + media;
    }
}
