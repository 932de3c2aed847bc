package io.virta.producer.ingest;

import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;
import io.virta.producer.source.TrackReceiver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.virta.rtsp.RtpInfo;
import io.virta.rtsp.RtspUrl;
import io.virta.rtsp.auth.Credentials;
import io.virta.rtsp.client.RtpSourceFilter;
import io.virta.rtsp.client.RtspClientSession;
import io.virta.rtsp.client.RtspSessionException;
import io.virta.rtsp.client.RtspSessionListener;
import io.virta.rtsp.client.RtspTransport;
import io.virta.rtsp.sdp.MediaDescription;
import io.virta.rtsp.sdp.SessionDescription;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one camera playing: starts an RTSP session, and when it fails, stalls or is redirected,
 * starts the next one after a back-off. With {@code transport: auto} it falls back from UDP to TCP when
 * UDP carries nothing, and switches to TCP when UDP loses more than {@value #LOSS_SWITCH_PERCENT} % of
 * the packets over {@value #LOSS_WINDOW_SECONDS} s (the reason is the offline event's, and the status's
 * last error).
 * Everything happens on one event loop; the packet path is the {@link TrackReceiver}.
 *
 * <p>A camera is <em>online</em> once RTP flows: the first packet of the video track after PLAY,
 * not the PLAY answer itself. A session that plays but carries nothing (UDP blocked on the way)
 * never counts as online, and the UDP-to-TCP fallback it causes is a change of transport, not an
 * offline event: one such fallback reports one online event, over TCP.
 */
public final class RtspCameraSource implements CameraSource {
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final int MAX_REDIRECTS = 5;
    static final double LOSS_SWITCH_PERCENT = 1.0;
    static final int LOSS_WINDOW_SECONDS = 10;

    private final String camera;
    private final EventLoop loop;
    private final RtspClientSession.Options baseOptions;
    private final Duration reconnect;
    private final TrackReceiver receiver;
    private final StreamEvents events;

    private RtspUrl url;
    private RtspTransport transport;
    /** AUTO only: may still switch from UDP to TCP. */
    private final boolean mayChooseTransport;
    private final UdpLossMonitor lossMonitor = new UdpLossMonitor(LOSS_SWITCH_PERCENT / 100, LOSS_WINDOW_SECONDS);
    private RtspClientSession session;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> retry;
    private Duration backoff = FIRST_RETRY;
    private int redirects;
    private volatile boolean online; // read by status reporting on other threads
    /** The session answered PLAY; online follows with its first RTP packet. Event-loop only. */
    private boolean playing;
    private boolean playingOverTcp;
    private long packetsAtPlay;
    private volatile boolean closed;
    private volatile String lastError;
    private long sessionStartNanos;
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong offlineEvents = new AtomicLong();
    private final AtomicLong onlineEvents = new AtomicLong();

    public RtspCameraSource(String camera, EventLoop loop, RtspUrl url, Credentials credentials, RtspTransport transport,
            Duration reconnect, TrackReceiver receiver, StreamEvents events) {
        this.camera = camera;
        this.loop = loop;
        this.url = url;
        this.transport = transport;
        this.mayChooseTransport = transport == RtspTransport.AUTO;
        this.reconnect = reconnect;
        this.receiver = receiver;
        this.events = events;
        this.baseOptions = RtspClientSession.Options.defaults().credentials(credentials)
                .responseTimeout(Duration.ofMillis(Math.min(10_000, Math.max(2_000, reconnect.toMillis()))));
    }

    public void start() {
        loop.execute(this::connect);
    }

    public String camera() {
        return camera;
    }

    public boolean isOnline() {
        return online;
    }

    public long reconnects() {
        return reconnects.get();
    }

    public long offlineEvents() {
        return offlineEvents.get();
    }

    public long onlineEvents() {
        return onlineEvents.get();
    }

    /** Why the stream last went offline; null while it has never failed. */
    public String lastError() {
        return lastError;
    }

    private void connect() {
        if (closed) {
            return;
        }
        RtspClientSession s = new RtspClientSession(loop, url, baseOptions.transport(transport), new Listener(), camera);
        session = s;
        sessionStartNanos = System.nanoTime();
        lossMonitor.reset();
        s.start();
        if (ticker == null) {
            ticker = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void tick() {
        RtspClientSession s = session;
        if (s == null || closed) {
            return;
        }
        long now = System.nanoTime();
        if (playing) {
            receiver.onTick(now, s::sendRtcp);
            if (mayChooseTransport && !s.isOverTcp()
                    && lossMonitor.sample(receiver.packetsReceived(), receiver.packetsLost())) {
                // Over TCP nothing is lost in transit: late video beats damaged video.
                lastError = String.format(java.util.Locale.ROOT, "camera %s: %.1f %% of RTP packets lost over UDP"
                        + " in the last %d s (more than %.0f %%); switching to TCP (transport: auto)", camera,
                        100 * lossMonitor.ratio(), LOSS_WINDOW_SECONDS, LOSS_SWITCH_PERCENT);
                transport = RtspTransport.TCP;
                s.close();
                return;
            }
        }
        long last = Math.max(receiver.lastUnitNanos(), sessionStartNanos);
        // Before PLAY succeeds the session's own response timeout applies; this is for a stream gone
        // quiet, or one that never started after PLAY.
        if (playing && now - last > reconnect.toNanos()) {
            // Connected but silent: the camera hung, or a network path dropped without a reset.
            lastError = "camera " + camera + ": no frames for " + reconnect.toMillis() + " ms; reconnecting";
            s.close();
        }
    }

    private final class Listener implements RtspSessionListener {
        private boolean current() {
            return !closed;
        }

        @Override
        public void onDescribed(SessionDescription description, MediaDescription video) {
            receiver.onSessionStart(video, transport == RtspTransport.TCP);
        }

        @Override
        public void onPlaying(boolean overTcp) {
            playing = true;
            playingOverTcp = overTcp;
            packetsAtPlay = receiver.packetsReceived();
        }

        @Override
        public void onRtp(ByteBuf packet, long arrivalNanos) {
            receiver.onRtp(packet, arrivalNanos);
            // The receiver counts only valid packets of the video track: junk or a keep-alive is not "flowing".
            if (playing && !online && receiver.packetsReceived() != packetsAtPlay) {
                goOnline();
            }
        }

        private void goOnline() {
            backoff = FIRST_RETRY;
            redirects = 0;
            online = true;
            onlineEvents.incrementAndGet();
            events.onOnline(camera, playingOverTcp);
        }

        @Override
        public void onRtpInfo(RtpInfo info) {
            receiver.onStreamStart(info.sequence());
        }

        @Override
        public void onRejected(RtpSourceFilter.Verdict why) {
            receiver.onRejected();
        }

        @Override
        public void onRtcp(ByteBuf packet, long arrivalNanos) {
            receiver.onRtcp(packet, arrivalNanos);
        }

        @Override
        public void onClosed(RtspSessionException error) {
            boolean wasOnline = online;
            online = false;
            playing = false;
            session = null;
            if (!current()) {
                return;
            }
            Duration delay = backoff;
            String reason;
            if (error == null) {
                reason = lastError != null ? lastError : "camera " + camera + ": session ended";
                delay = FIRST_RETRY;
            } else {
                reason = error.getMessage();
                switch (error.kind()) {
                    case REDIRECTED -> {
                        if (++redirects <= MAX_REDIRECTS) {
                            url = RtspUrl.parse(error.location()).withCredentials(url.user(), url.password());
                            delay = Duration.ZERO;
                        } else {
                            reason = "camera " + camera + ": more than " + MAX_REDIRECTS + " redirects; last to "
                                    + RtspUrl.shown(error.location());
                        }
                    }
                    case LOST -> {
                        if (RtspClientSession.isUdpBlocked(error)) {
                            transport = RtspTransport.TCP;
                            delay = Duration.ZERO;
                        }
                    }
                    case UNAUTHORIZED -> delay = reconnect; // retrying fast will not fix a password
                    default -> { }
                }
                backoff = Duration.ofMillis(Math.min(reconnect.toMillis(), Math.max(FIRST_RETRY.toMillis(), backoff.toMillis() * 2)));
            }
            lastError = reason;
            // Falling back to TCP from a UDP session that never carried anything is not going offline.
            boolean fallback = RtspClientSession.isUdpBlocked(error);
            if (wasOnline || !fallback && offlineEvents.get() == 0 && onlineEvents.get() == 0) {
                offlineEvents.incrementAndGet();
                events.onOffline(camera, reason);
            }
            reconnects.incrementAndGet();
            retry = loop.schedule(RtspCameraSource.this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Tears the session down (TEARDOWN is sent) and stops reconnecting. */
    @Override
    public void close() {
        closed = true;
        loop.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            if (ticker != null) {
                ticker.cancel(false);
            }
            if (session != null) {
                session.close();
            }
        });
    }
}
