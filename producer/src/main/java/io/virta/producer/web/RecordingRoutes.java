package io.virta.producer.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.virta.recorder.MomentText;
import io.virta.recorder.export.ExportException;
import io.virta.recorder.export.ExportFile;
import io.virta.recorder.export.ExportFormat;
import io.virta.recorder.export.ExportRequest;
import io.virta.recorder.export.Exporter;
import io.virta.recorder.index.Coverage;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.index.Span;
import io.virta.recorder.store.StoreView;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The recorded-video endpoints of the web view (docs/recording.md, "HTTP"): {@code GET /api/recordings/CAMERA}
 * (the spans and gaps of a range, as JSON) and {@code GET /export/CAMERA.mp4} or {@code .mkv} (the range as
 * one file that answers Range requests, for a {@code <video>} element or a download).
 *
 * <p><b>Threads:</b> each request runs on a virtual thread of its own ({@link HttpRoutes} stops reading the
 * connection meanwhile): the index queries and planning block. The body goes out through a
 * {@link ChannelSink}, so a slow browser holds back the export's reading, not the server's memory.
 * <b>Hostile input:</b> the camera name, times and Range are checked; every refusal is a JSON object whose
 * {@code message} names the camera and the times and says what to do.
 */
final class RecordingRoutes {
    private static final Logger LOG = Logger.getLogger(RecordingRoutes.class.getName());
    static final String RECORDINGS = "/api/recordings/";
    static final String EXPORT = "/export/";
    private static final String JSON = "application/json; charset=utf-8";
    /** {@code /api/recordings} without {@code from} covers this much before {@code to}. */
    private static final long DEFAULT_LOOKBACK_MICROS = 24L * 3600 * 1_000_000;

    /** What the routes need of a request, taken before Netty releases it. */
    record Asked(String path, Map<String, List<String>> parameters, HttpHeaders headers, boolean head,
                 boolean keepAlive) {
        String parameter(String name) {
            List<String> values = parameters.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** A refusal: its status and the sentence for the user. */
    static final class Refusal extends Exception {
        final HttpResponseStatus status;
        final String camera;

        Refusal(HttpResponseStatus status, String camera, String message) {
            super(message, null, false, false);
            this.status = status;
            this.camera = camera;
        }
    }

    private final RecordingSource source;
    private final ExportCache cache;
    private final Clock clock;

    RecordingRoutes(RecordingSource source, ExportCache cache, Clock clock) {
        this.source = source;
        this.cache = cache;
        this.clock = clock;
    }

    /** {@code GET /api/recordings/CAMERA?from=&to=}: answers and returns when the response is written. */
    ChannelFuture recordings(Channel channel, Asked asked) {
        String camera = asked.path().substring(RECORDINGS.length());
        try {
            RecordingSource.Recorded recorded = recorded(camera);
            long to = moment(asked, "to", camera).orElseGet(() -> micros(clock.instant()));
            long from = moment(asked, "from", camera).orElse(to - DEFAULT_LOOKBACK_MICROS);
            if (to < from) {
                throw new Refusal(HttpResponseStatus.BAD_REQUEST, camera, "the range of " + camera + " ends ("
                        + iso(to) + ") before it starts (" + iso(from) + "): swap from and to");
            }
            Coverage coverage;
            try {
                coverage = recorded.view().index().coverage(camera, from, to, recorded.gapMicros());
            } catch (IndexException e) {
                throw storeGone(recorded, e);
            }
            return send(channel, asked, json(HttpResponseStatus.OK, recordingsJson(recorded, coverage)), "no-store");
        } catch (Refusal refusal) {
            return refuse(channel, asked, refusal);
        }
    }

    /** {@code GET /export/CAMERA.mp4?from=&to=}: answers and returns when the whole response is written. */
    ChannelFuture export(Channel channel, Asked asked, ChannelSink sink) {
        String name = asked.path().substring(EXPORT.length());
        int dot = name.lastIndexOf('.');
        String camera = dot < 0 ? name : name.substring(0, dot);
        try {
            ExportFormat format = dot < 0 ? null : switch (name.substring(dot + 1)) {
                case "mp4" -> ExportFormat.MP4;
                case "mkv" -> ExportFormat.MKV;
                default -> null;
            };
            if (format == null) {
                throw new Refusal(HttpResponseStatus.NOT_FOUND, camera, "nothing at " + asked.path()
                        + "; an export is /export/CAMERA.mp4 or /export/CAMERA.mkv with ?from=...&to=...");
            }
            RecordingSource.Recorded recorded = recorded(camera);
            long from = moment(asked, "from", camera).orElseThrow(() -> new Refusal(HttpResponseStatus.BAD_REQUEST,
                    camera, "an export of " + camera + " needs its start: add ?from=... (" + MomentText.FORMS + ")"));
            long to = moment(asked, "to", camera).orElseGet(() -> micros(clock.instant()));
            ExportRequest request;
            try {
                request = new ExportRequest(camera, from, to, format, recorded.gapMicros());
            } catch (IllegalArgumentException e) {
                throw new Refusal(HttpResponseStatus.BAD_REQUEST, camera, e.getMessage().replace("--from", "from")
                        .replace("--to", "to"));
            }
            String ifRange = asked.headers().get(HttpHeaderNames.IF_RANGE);
            ExportCache.Key key = new ExportCache.Key(recorded.store(), camera, from, to, format);
            try (ExportCache.Lease lease = cache.acquire(key, ifRange, () -> plan(recorded.view(), request))) {
                return serve(channel, asked, lease.file(), sink);
            } catch (ExportException e) {
                HttpResponseStatus status = e.reason() == ExportException.Reason.UNUSABLE_VIDEO
                        ? HttpResponseStatus.UNPROCESSABLE_ENTITY : HttpResponseStatus.NOT_FOUND;
                throw new Refusal(status, camera, e.getMessage());
            } catch (IOException | IndexException e) {
                throw storeGone(recorded, e);
            }
        } catch (Refusal refusal) {
            return refuse(channel, asked, refusal);
        }
    }

    private static ExportCache.Planned plan(StoreView view, ExportRequest request) throws IOException, ExportException {
        ExportFile file = Exporter.plan(view, request);
        boolean live = view.index().segments(request.camera(), request.fromMicros(), request.toMicros()).stream()
                .anyMatch(row -> row.state() != SegmentState.SEALED);
        return new ExportCache.Planned(file, live);
    }

    /** Headers, conditionals and the body of one planned export. */
    private ChannelFuture serve(Channel channel, Asked asked, ExportFile file, ChannelSink sink) throws IOException {
        String etag = file.etag();
        String lastModified = httpDate(file.summary().lastCaptureMicros());
        HttpHeaders headers = asked.headers();
        if (matches(headers.get(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            FullHttpResponse notModified = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            notModified.headers().set(HttpHeaderNames.ETAG, etag);
            return send(channel, asked, notModified, null);
        }
        String ifRange = headers.get(HttpHeaderNames.IF_RANGE);
        boolean rangeApplies = ifRange == null || ifRange.equals(etag) || ifRange.equals(lastModified);
        ByteRange range = ByteRange.of(rangeApplies ? headers.get(HttpHeaderNames.RANGE) : null, file.length());
        if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
            FullHttpResponse refused = json(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, error(
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, file.summary().camera(), "the export of "
                            + file.summary().camera() + " from " + iso(file.summary().requestedFromMicros()) + " to "
                            + iso(file.summary().requestedToMicros()) + " is " + file.length() + " bytes long; "
                            + headers.get(HttpHeaderNames.RANGE) + " lies outside it: ask for bytes below "
                            + file.length()));
            refused.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + file.length())
                    .set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
            return send(channel, asked, refused, null);
        }
        boolean part = range.kind() == ByteRange.Kind.PART;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                part ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        String disposition = asked.parameter("download") != null ? "attachment" : "inline";
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, lastModified)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(HttpHeaderNames.CONTENT_DISPOSITION, disposition + "; filename=\"" + file.suggestedFileName() + "\"")
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(response, range.length());
        if (part) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.first() + "-"
                    + (range.first() + range.length() - 1) + "/" + file.length());
        }
        HttpUtil.setKeepAlive(response, asked.keepAlive());
        channel.writeAndFlush(response);
        if (!asked.head()) {
            try {
                file.transferTo(range.first(), range.length(), sink);
            } catch (IOException e) {
                // The headers are out: the only way left to say "incomplete" is to close the connection.
                LOG.log(Level.FINE, "web view: export of " + file.summary().camera() + " ended early", e);
                return channel.close();
            }
        }
        ChannelFuture done = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!asked.keepAlive()) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
        return done;
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private RecordingSource.Recorded recorded(String camera) throws Refusal {
        if (camera.isEmpty()) {
            throw new Refusal(HttpResponseStatus.NOT_FOUND, camera, "name a camera: " + RECORDINGS + "CAMERA or "
                    + EXPORT + "CAMERA.mp4; GET /api/cameras lists them");
        }
        RecordingSource.Lookup lookup;
        try {
            lookup = source.lookup(camera);
        } catch (RuntimeException e) {
            throw new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, camera, "cannot read the recordings of "
                    + camera + ": " + e.getMessage() + "; check the recording store and try again");
        }
        return switch (lookup) {
            case RecordingSource.Recorded recorded -> recorded;
            case RecordingSource.Unavailable(RecordingSource.Unavailable.Why why, String message) -> throw new Refusal(
                    why == RecordingSource.Unavailable.Why.NO_SUCH_CAMERA ? HttpResponseStatus.NOT_FOUND
                            : HttpResponseStatus.SERVICE_UNAVAILABLE, camera, message);
        };
    }

    private static Refusal storeGone(RecordingSource.Recorded recorded, Exception e) {
        return new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, recorded.camera(), "the recording store "
                + recorded.store() + " of " + recorded.camera() + " cannot be read (" + e.getMessage()
                + "); check that its disk is mounted, then try again");
    }

    /** The moment of parameter {@code name}, if given. */
    private Optional<Long> moment(Asked asked, String name, String camera) throws Refusal {
        String text = asked.parameter(name);
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(micros(MomentText.parse(text, clock)));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, camera, name + " of " + camera + ": "
                    + (e instanceof ArithmeticException ? "'" + text + "' is out of range; " + MomentText.FORMS
                    : e.getMessage()));
        }
    }

    private String recordingsJson(RecordingSource.Recorded recorded, Coverage coverage) {
        Json json = new Json().open().field("camera", recorded.camera()).field("store", recorded.store().toString())
                .field("from", iso(coverage.fromMicros())).field("fromMicros", coverage.fromMicros())
                .field("to", iso(coverage.toMicros())).field("toMicros", coverage.toMicros());
        long recordedMicros = 0;
        json.openArray("spans");
        for (Span span : coverage.spans()) {
            span(json, span);
            recordedMicros += span.endMicros() - span.startMicros();
        }
        json.closeArray().openArray("gaps");
        for (Span gap : coverage.gaps()) {
            span(json, gap);
        }
        String query = "?from=" + URLEncoder.encode(iso(coverage.fromMicros()), StandardCharsets.UTF_8) + "&to="
                + URLEncoder.encode(iso(coverage.toMicros()), StandardCharsets.UTF_8);
        return json.closeArray().field("recordedMicros", recordedMicros)
                .field("mp4", EXPORT + recorded.camera() + ".mp4" + query)
                .field("mkv", EXPORT + recorded.camera() + ".mkv" + query).close().toString();
    }

    private static void span(Json json, Span span) {
        json.open().field("start", iso(span.startMicros())).field("startMicros", span.startMicros())
                .field("end", iso(span.endMicros())).field("endMicros", span.endMicros()).close();
    }

    private static ChannelFuture refuse(Channel channel, Asked asked, Refusal refusal) {
        return send(channel, asked, json(refusal.status, error(refusal.status, refusal.camera, refusal.getMessage())),
                "no-store");
    }

    private static String error(HttpResponseStatus status, String camera, String message) {
        return new Json().open().field("status", status.code()).field("camera", camera).field("message", message)
                .close().toString();
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        return response;
    }

    private static ChannelFuture send(Channel channel, Asked asked, FullHttpResponse response, String cacheControl) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (asked.head()) {
            response.content().clear();
        }
        if (cacheControl != null) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        }
        response.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setKeepAlive(response, asked.keepAlive());
        ChannelFuture written = channel.writeAndFlush(response);
        if (!asked.keepAlive()) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    static String iso(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

    private static String httpDate(long micros) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.EPOCH.plus(micros / 1_000_000, ChronoUnit.SECONDS)
                .atOffset(ZoneOffset.UTC));
    }
}
