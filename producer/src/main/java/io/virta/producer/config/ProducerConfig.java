package io.virta.producer.config;

import io.virta.grpc.server.ListenAddress;

import io.virta.bus.ChannelName;
import io.virta.bus.posix.CpuAffinity;
import io.virta.rtsp.fanout.ConnectionLimits;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.auth.Credentials;
import io.virta.rtsp.client.RtspTransport;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The producer's YAML configuration (see docs/producer.md for every setting). Loading validates
 * everything up front; an error names the file, the field and the problem.
 */
public record ProducerConfig(int ioThreads, ControlConfig control, BitSet ioCpus, BitSet decoderCpus,
        List<CameraConfig> cameras, EventsConfig events, List<WorkerConfig> workers, RtspServerConfig rtspServer,
        WebViewConfig webView, RtpOutSettings rtpOut, RecordingConfig recording) {
    /** Loopback only: whoever reaches the control API can point the producer at any URL. */
    public static final String DEFAULT_CONTROL_LISTEN = "127.0.0.1:50051";
    /** The smallest useful configuration, for messages about an empty one. */
    static final String EXAMPLE = """
            cameras:
              - name: lobby
                url: rtsp://user:password@192.168.1.10/stream1
            """;

    public static ProducerConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read it: " + e.getMessage());
        }
        ProducerConfig config = parse(text, file.toString());
        try {
            ShmBudget.checkAll(config.cameras(), ShmBudget.Space.of(ShmBudget.SHM), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot tell how much of " + ShmBudget.SHM + " is free (" + e.getMessage()
                    + "); the bus keeps its channels there, so it must exist");
        }
        return config;
    }

    public static ProducerConfig parse(String text, String fileName) throws ConfigException {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(1024 * 1024);
            document = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new ConfigException(fileName + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (document == null || document instanceof Map<?, ?> map && map.containsKey("cameras") && map.get("cameras") == null) {
            throw new ConfigException(fileName + ": the file has no cameras; list them under cameras:, e.g.\n"
                    + EXAMPLE + "(docs/producer.md lists every setting)");
        }
        YamlNode root = new YamlNode(fileName, "", document);
        root.allowOnly("ioThreads", "control", "affinity", "cameras", "events", "workers", "rtspServer", "webView",
                "rtpOut", "recording");
        int ioThreads = (int) root.get("ioThreads").integer(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2)), 1, 64);
        ControlConfig control = ControlSettings.parse(root.get("control"));
        YamlNode affinity = root.get("affinity");
        affinity.allowOnly("io", "decoders");
        BitSet ioCpus = cpus(affinity.get("io"));
        BitSet decoderCpus = cpus(affinity.get("decoders"));
        RtpOutSettings rtpOut = RtpOutSettings.parse(root.get("rtpOut"));
        RecordingConfig recording = RecordingConfig.parse(root.get("recording"));
        List<CameraConfig> cameras = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (YamlNode camera : root.get("cameras").list()) {
            CameraConfig c = camera(camera, rtpOut, recording);
            if (!names.add(c.name())) {
                throw camera.get("name").error("'" + c.name() + "' is used by another camera; names must be unique");
            }
            cameras.add(c);
        }
        List<WorkerConfig> workers = WorkerConfig.parseAll(root.get("workers"), names);
        return new ProducerConfig(ioThreads, control, ioCpus, decoderCpus, List.copyOf(cameras), events(root.get("events")),
                workers, rtspServer(root.get("rtspServer")), webView(root.get("webView")), rtpOut, recording);
    }

    /** {@code control.listen}: the control API's {@code HOST:PORT}. */
    public String controlListen() {
        return control.listen();
    }

    /** {@code rtspServer:}: re-serving the cameras over RTSP; absent means off. */
    private static RtspServerConfig rtspServer(YamlNode server) throws ConfigException {
        if (server.isMissing()) {
            return RtspServerConfig.OFF;
        }
        server.allowOnly("enabled", "listen", "authentication", "users", "maxConnections", "requestTimeoutSeconds",
                "sessionTimeoutSeconds");
        boolean enabled = server.get("enabled").bool(true);
        YamlNode listenNode = server.get("listen");
        String listen = listenNode.string(RtspServerConfig.DEFAULT_LISTEN);
        try {
            listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw listenNode.error(e.getMessage().replace("127.0.0.1:50051", RtspServerConfig.DEFAULT_LISTEN));
        }
        List<Credentials> users = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (YamlNode user : server.get("users").list()) {
            user.allowOnly("name", "password");
            YamlNode nameNode = user.get("name");
            String name = nameNode.requiredString();
            if (name.isEmpty() || name.indexOf(':') >= 0) {
                throw nameNode.error("'" + name + "' cannot be a user name: it must be non-empty and without ':'");
            }
            if (!names.add(name)) {
                throw nameNode.error("'" + name + "' is listed twice; user names must be unique");
            }
            try {
                users.add(new Credentials(name, user.get("password").requiredString()));
            } catch (IllegalArgumentException e) {
                throw user.error(e.getMessage());
            }
        }
        YamlNode modeNode = server.get("authentication");
        RtspServerConfig.Authentication mode = modeNode.choice(RtspServerConfig.Authentication.class,
                users.isEmpty() ? RtspServerConfig.Authentication.NONE : RtspServerConfig.Authentication.DIGEST);
        if (mode != RtspServerConfig.Authentication.NONE && users.isEmpty()) {
            throw modeNode.error("is " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " but no users are listed; add users: [{name: ..., password: ...}] or set authentication: none");
        }
        if (mode == RtspServerConfig.Authentication.NONE && !users.isEmpty()) {
            throw modeNode.error("is none but users are listed; set authentication: digest (or basic) to use them");
        }
        // At least 10 s: clients keep alive at half the timeout, some (Virta's own) not more often than every 5 s.
        long sessionTimeout = server.get("sessionTimeoutSeconds").integer(
                RtspServerConfig.DEFAULT_SESSION_TIMEOUT.toSeconds(), 10, 3600);
        return new RtspServerConfig(enabled, listen, mode, List.copyOf(users), limits(server),
                Duration.ofSeconds(sessionTimeout));
    }

    /** {@code webView:}: the browser live view; absent means off. */
    private static WebViewConfig webView(YamlNode view) throws ConfigException {
        if (view.isMissing()) {
            return WebViewConfig.OFF;
        }
        view.allowOnly("enabled", "listen", "token", "allowedHosts", "allowedOrigins", "maxConnections",
                "requestTimeoutSeconds");
        boolean enabled = view.get("enabled").bool(true);
        YamlNode listenNode = view.get("listen");
        String listen = listenNode.string(WebViewConfig.DEFAULT_LISTEN);
        try {
            listenAddress(listen);
        } catch (IllegalArgumentException e) {
            throw listenNode.error(e.getMessage().replace("127.0.0.1:50051", WebViewConfig.DEFAULT_LISTEN));
        }
        YamlNode tokenNode = view.get("token");
        String token = tokenNode.string(null);
        // The token travels in URLs (?token=) and headers: keep it to characters that need no escaping.
        if (token != null && !token.matches("[A-Za-z0-9._~-]{8,256}")) {
            throw tokenNode.error("must be 8..256 characters of letters, digits, '.', '_', '~' and '-'"
                    + " (it goes into URLs); e.g. generate one with: openssl rand -hex 16");
        }
        List<String> hosts = normalizedList(view.get("allowedHosts"), SiteCheck::normalizeName,
                "is not a host name (e.g. cameras.example.org, without a port); IP addresses and localhost need no listing");
        List<String> origins = normalizedList(view.get("allowedOrigins"), SiteCheck::normalizeOrigin,
                "is not an origin; write it as the browser does, scheme://host[:port] without a path,"
                        + " e.g. https://dashboard.example.org:8443");
        return new WebViewConfig(enabled, listen, token, hosts, origins, limits(view));
    }

    /** A list of strings, each in the form {@code normalize} gives it (null from it: the entry is refused with {@code why}). */
    private static List<String> normalizedList(YamlNode list, java.util.function.UnaryOperator<String> normalize, String why)
            throws ConfigException {
        List<String> out = new ArrayList<>();
        for (YamlNode entry : list.list()) {
            String given = entry.requiredString();
            String normalized = normalize.apply(given);
            if (normalized == null) {
                throw entry.error("'" + given + "' " + why);
            }
            out.add(normalized);
        }
        return out;
    }

    /** {@code maxConnections} and {@code requestTimeoutSeconds} of a server's section. */
    private static ConnectionLimits limits(YamlNode server) throws ConfigException {
        int max = (int) server.get("maxConnections").integer(ConnectionLimits.DEFAULT_MAX_CONNECTIONS, 1, 100_000);
        long timeout = server.get("requestTimeoutSeconds").integer(
                ConnectionLimits.DEFAULT_REQUEST_TIMEOUT.toSeconds(), 1, 3600);
        return new ConnectionLimits(max, Duration.ofSeconds(timeout));
    }

    /** {@code events:}: the event hub beside the control API. */
    private static EventsConfig events(YamlNode events) throws ConfigException {
        events.allowOnly("enabled", "journal", "retentionHours", "journalGroup");
        boolean enabled = events.get("enabled").bool(true);
        YamlNode journalNode = events.get("journal");
        String journal = journalNode.string(EventsConfig.DEFAULT_JOURNAL.toString());
        Path path;
        try {
            path = Path.of(journal.trim());
        } catch (java.nio.file.InvalidPathException e) {
            throw journalNode.error("'" + journal + "' is not a directory path: " + e.getReason());
        }
        if (journal.isBlank()) {
            throw journalNode.error("is empty; give the directory of the event journal, e.g. ./virta-events");
        }
        long hours = events.get("retentionHours").integer(EventsConfig.DEFAULT_RETENTION_HOURS, 1, 24L * 365 * 10);
        YamlNode groupNode = events.get("journalGroup");
        String group = groupNode.string(null);
        if (group != null && !group.matches("[A-Za-z_][A-Za-z0-9_.-]{0,31}")) {
            throw groupNode.error("'" + group + "' is not a group name; name an existing group (getent group), e.g. video");
        }
        return new EventsConfig(enabled, path, Duration.ofHours(hours), group);
    }

    private static BitSet cpus(YamlNode node) throws ConfigException {
        String list = node.string(null);
        if (list == null) {
            return null;
        }
        try {
            return CpuAffinity.parse(list);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /**
     * One camera from settings shaped like an entry of the file's {@code cameras:} list (keys and
     * value types as SnakeYAML would load them), validated exactly as the file is. The control
     * API's AddStream comes in here; an error names {@code source} and the field. {@code rtpOut}
     * is the file's producer-wide {@code rtpOut:} section; the camera may not record (the file has
     * no {@code recording:} section).
     */
    public static CameraConfig camera(Map<String, ?> settings, String source, RtpOutSettings rtpOut)
            throws ConfigException {
        return camera(settings, source, rtpOut, RecordingConfig.OFF);
    }

    /** As {@link #camera(Map, String, RtpOutSettings)}, with the file's {@code recording:} section. */
    public static CameraConfig camera(Map<String, ?> settings, String source, RtpOutSettings rtpOut,
            RecordingConfig recording) throws ConfigException {
        return camera(new YamlNode(source, "", settings), rtpOut, recording);
    }

    /**
     * {@code HOST:PORT} of {@code control.listen}, e.g. {@code 127.0.0.1:50051} or {@code [::1]:0};
     * port 0 picks a free port. The host is not resolved here.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static InetSocketAddress listenAddress(String text) {
        return ListenAddress.parse(text);
    }

    static CameraConfig camera(YamlNode c, RtpOutSettings rtpOutSettings, RecordingConfig recording)
            throws ConfigException {
        c.allowOnly("name", "url", "sdp", "interface", "user", "password", "transport", "reconnectSeconds", "decode",
                "decoderThreads", "timestamps", "onLoss", "encoded", "yuv", "rgb", "fmp4", "loop", "seekSeconds", "realtime", "format", "v4l2",
                "ffmpegOptions", "rtpOut", "record");
        YamlNode nameNode = c.get("name");
        String name = nameNode.requiredString();
        try {
            ChannelName.validate(name + ".h264");
        } catch (RuntimeException e) {
            throw nameNode.error("'" + name + "' cannot name channels: use letters, digits, '_', '-' and '.', at most 58"
                    + " characters");
        }
        YamlNode urlNode = c.get("url");
        String url = urlNode.string(null);
        String sdp = c.get("sdp").string(null);
        if (url == null && sdp == null) {
            throw urlNode.error("is required (rtsp://..., a file, http://..., /dev/video0), or give sdp: for an SDP file");
        }
        if (url != null && sdp != null) {
            throw c.get("sdp").error("a camera has either url: or sdp:, not both");
        }
        String schemeProblem = url == null ? null : InputScheme.problem(url.strip());
        if (schemeProblem != null) {
            throw urlNode.error(schemeProblem);
        }
        boolean rtsp = url != null && url.regionMatches(true, 0, "rtsp://", 0, 7);
        if (rtsp) {
            try {
                RtspUrl.parse(url);
            } catch (IllegalArgumentException e) {
                throw urlNode.error(e.getMessage());
            }
        }
        CameraConfig.FfmpegInputConfig ffmpeg = ffmpegInput(c, url != null && !rtsp);
        YamlNode encoded = c.get("encoded");
        encoded.allowOnly("cells", "capacity");
        YamlNode yuv = c.get("yuv");
        yuv.allowOnly("enabled", "cells", "maxWidth", "maxHeight");
        YamlNode rgb = c.get("rgb");
        rgb.allowOnly("enabled", "width", "height", "fps", "cells");
        YamlNode fmp4 = c.get("fmp4");
        fmp4.allowOnly("enabled", "cells", "capacity", "fragmentMillis");
        boolean decode = c.get("decode").bool(true);
        int rgbWidth = (int) rgb.get("width").integer(640, 16, 7680);
        int rgbHeight = (int) rgb.get("height").integer(360, 16, 4320);
        if (rgbWidth % 2 != 0 || rgbHeight % 2 != 0) {
            throw rgb.error(rgbWidth + "x" + rgbHeight + ": width and height must be even");
        }
        CameraConfig.RecordConfig record = record(c.get("record"), recording);
        return new CameraConfig(name, url, sdp, c.get("interface").string(null), c.get("user").string(null),
                c.get("password").string(null),
                c.get("transport").choice(RtspTransport.class, RtspTransport.AUTO),
                Duration.ofMillis((long) (c.get("reconnectSeconds").decimal(10, 1, 3600) * 1000)),
                decode, (int) c.get("decoderThreads").integer(1, 1, 16),
                c.get("timestamps").choice(TimestampMode.class, TimestampMode.SMART),
                c.get("onLoss").choice(io.virta.rtsp.rtp.LossPolicy.class, io.virta.rtsp.rtp.LossPolicy.CONCEAL),
                record.ringFor(new CameraConfig.EncodedChannelConfig((int) encoded.get("cells").integer(64, 2, 4096),
                        encoded.get("capacity").bytes(2 * 1024 * 1024, 4096, 256L * 1024 * 1024))),
                new CameraConfig.YuvChannelConfig(decode && yuv.get("enabled").bool(true),
                        (int) yuv.get("cells").integer(8, 2, 1024), (int) yuv.get("maxWidth").integer(1920, 16, 7680),
                        (int) yuv.get("maxHeight").integer(1080, 16, 4320)),
                new CameraConfig.RgbChannelConfig(decode && rgb.get("enabled").bool(true), rgbWidth, rgbHeight,
                        rgb.get("fps").decimal(0, 0, 1000), (int) rgb.get("cells").integer(8, 2, 1024)), ffmpeg,
                new CameraConfig.Fmp4ChannelConfig(fmp4.get("enabled").bool(false),
                        (int) fmp4.get("cells").integer(64, 2, 4096),
                        fmp4.get("capacity").bytes(2 * 1024 * 1024, 4096, 256L * 1024 * 1024),
                        (int) fmp4.get("fragmentMillis").integer(0, 0, 10_000)),
                rtpOut(c.get("rtpOut"), name, rtpOutSettings), record);
    }

    /** A camera's {@code record:} block; off when absent. */
    private static CameraConfig.RecordConfig record(YamlNode block, RecordingConfig recording) throws ConfigException {
        if (block.isMissing()) {
            return CameraConfig.RecordConfig.OFF;
        }
        block.allowOnly("enabled", "store", "bufferSeconds", "retention");
        YamlNode enabledNode = block.get("enabled");
        boolean enabled = enabledNode.bool(false);
        double seconds = block.get("bufferSeconds").decimal(CameraConfig.RecordConfig.DEFAULT_BUFFER.toSeconds(), 1, 120);
        YamlNode storeNode = block.get("store");
        String store = storeNode.string(null);
        if (!enabled) {
            return CameraConfig.RecordConfig.OFF;
        }
        if (!recording.enabled()) {
            throw enabledNode.error("is true, but there is no recording store to record into; add one at the top"
                    + " level of the configuration, e.g. recording: { store: /var/lib/virta/recordings }"
                    + " (docs/recording.md)");
        }
        Path chosen = recording.defaultStore();
        if (store != null) {
            chosen = recording.store(RecordingConfig.directory(storeNode)).orElseThrow(() -> storeNode.error("'" + store
                    + "' is not one of the recording stores " + recording.stores()
                    + "; name one of them, or leave store out for the first"));
        }
        return new CameraConfig.RecordConfig(true, chosen, Duration.ofMillis(Math.round(seconds * 1000)),
                RetentionSettings.camera(block.get("retention")));
    }

    /** {@code rtpOut:}: plain RTP to a group or host, with an SDP file; absent means off. */
    private static CameraConfig.RtpOutConfig rtpOut(YamlNode out, String camera, RtpOutSettings settings)
            throws ConfigException {
        if (out.isMissing()) {
            return null;
        }
        out.allowOnly("destination", "ttl", "interface", "sdp");
        YamlNode destinationNode = out.get("destination");
        String destination = destinationNode.requiredString().strip();
        io.virta.grpc.GrpcTarget target;
        try {
            target = io.virta.grpc.GrpcTarget.parseHostPort(destination, "");
        } catch (IllegalArgumentException e) {
            throw destinationNode.error(e.getMessage().substring(2).replace("127.0.0.1:50051", "239.1.2.3:5004"));
        }
        if (target.port() % 2 != 0) {
            throw destinationNode.error("port " + target.port() + " is odd; RTP takes an even port and RTCP the next"
                    + " one (e.g. " + target.host() + ":" + (target.port() - 1) + ")");
        }
        boolean multicast = isMulticastLiteral(target.host());
        YamlNode interfaceNode = out.get("interface");
        String networkInterface = interfaceNode.string(null);
        if (networkInterface != null && !multicast) {
            throw interfaceNode.error("applies only to a multicast destination (224.0.0.0/4 or ff00::/8); "
                    + target.host() + " is not one");
        }
        int ttl = (int) out.get("ttl").integer(1, 1, 255);
        YamlNode sdpNode = out.get("sdp");
        String sdp = sdpNode.string(settings.defaultSdpFile(camera).toString());
        Path sdpPath;
        try {
            sdpPath = Path.of(sdp.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw sdpNode.error("'" + sdp + "' is not a file path: " + e.getReason());
        }
        if (sdp.isBlank() || sdpPath.getFileName() == null) {
            throw sdpNode.error("is empty; give the path of the SDP file to write, e.g. " + camera + ".sdp");
        }
        return new CameraConfig.RtpOutConfig(target.host(), target.port(), ttl, networkInterface, sdpPath,
                settings.sdpGroup());
    }

    private static boolean isMulticastLiteral(String host) {
        try {
            return java.net.InetAddress.ofLiteral(host).isMulticastAddress();
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }

    /** The settings of cameras FFmpeg opens; an error for any of them on an RTSP or SDP camera. */
    private static CameraConfig.FfmpegInputConfig ffmpegInput(YamlNode c, boolean ffmpegCamera) throws ConfigException {
        String[] keys = {"loop", "seekSeconds", "realtime", "format", "v4l2", "ffmpegOptions"};
        if (!ffmpegCamera) {
            for (String key : keys) {
                if (!c.get(key).isMissing()) {
                    throw c.get(key).error("applies only to cameras FFmpeg opens (a file, http:// or /dev/video url)");
                }
            }
            return CameraConfig.FfmpegInputConfig.DEFAULTS;
        }
        YamlNode v4l2 = c.get("v4l2");
        v4l2.allowOnly("size", "fps", "format");
        YamlNode fps = v4l2.get("fps");
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        for (var entry : c.get("ffmpegOptions").map().entrySet()) {
            options.put(String.valueOf(entry.getKey()), String.valueOf(entry.getValue()));
        }
        return new CameraConfig.FfmpegInputConfig(c.get("loop").bool(false), c.get("seekSeconds").decimal(0, 0, 1e9),
                c.get("realtime").bool(true), c.get("format").string(null), v4l2.get("size").string(null),
                fps.isMissing() ? null : (int) fps.integer(0, 1, 1000), v4l2.get("format").string(null), Map.copyOf(options));
    }
}
