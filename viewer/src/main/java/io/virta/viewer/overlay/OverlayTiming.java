package io.virta.viewer.overlay;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a box is on screen. Boxes follow the video that is shown, not the wall clock: the viewer shows
 * each camera some buffering time behind live, while events arrive about live, so a box waits until the
 * tile presents the picture it was found in:
 * <ul>
 *   <li>visible from when the tile's presented capture time reaches the event's capture time minus
 *       {@code slack} (a picture the presentation skipped still shows its boxes on the next one),</li>
 *   <li>for {@code ttl} of presented video time from then on,</li>
 *   <li>and never after {@code ttl} plus {@value #WALL_GRACE_SECONDS} s of wall time since it was received,
 *       so that boxes do not stay when a stream stalls or its clock jumps back.</li>
 * </ul>
 * Before that, a later event of the same source replaces a box ({@link OverlayBoxes#markVisible}).
 *
 * @param ttlMicros   how long a box stays, in presented capture time
 * @param slackMicros how much earlier than its own picture a box may appear
 */
public record OverlayTiming(long ttlMicros, long slackMicros) {
    public static final Duration DEFAULT_TTL = Duration.ofMillis(1500);
    /** One picture at 25 fps. */
    public static final Duration DEFAULT_SLACK = Duration.ofMillis(40);
    public static final long WALL_GRACE_SECONDS = 5;
    /** The longest {@code --overlay-seconds}: an hour is already longer than any box is meaningful. */
    public static final double MAX_TTL_SECONDS = 3600;
    private static final long WALL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(WALL_GRACE_SECONDS);

    public OverlayTiming {
        if (ttlMicros <= 0) {
            throw new IllegalArgumentException("overlay ttl " + ttlMicros + " µs is not positive");
        }
        if (slackMicros < 0) {
            throw new IllegalArgumentException("overlay slack " + slackMicros + " µs is negative");
        }
    }

    /** The default slack with {@code ttl}. */
    public static OverlayTiming of(Duration ttl) {
        return new OverlayTiming(ttl.toNanos() / 1000, DEFAULT_SLACK.toNanos() / 1000);
    }

    public static OverlayTiming defaults() {
        return of(DEFAULT_TTL);
    }

    /**
     * The timing for {@code --overlay-seconds S}: a decimal number of seconds, more than 0 and at most
     * {@value #MAX_TTL_SECONDS}.
     *
     * @throws IllegalArgumentException naming the option and what to give instead
     */
    public static OverlayTiming parseOverlaySeconds(String text) {
        double seconds;
        try {
            seconds = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--overlay-seconds: '" + text + "' is not a number of seconds (e.g. 1.5)");
        }
        if (!(seconds > 0) || seconds > MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("--overlay-seconds: " + text + " is outside (0, " + (long) MAX_TTL_SECONDS
                    + "]; give how long boxes stay on screen, in seconds (e.g. 1.5)");
        }
        return new OverlayTiming(Math.max(1, Math.round(seconds * 1e6)), DEFAULT_SLACK.toNanos() / 1000);
    }

    /**
     * Whether a box of a picture captured at {@code captureMicros}, received at {@code receivedNanos}
     * ({@link System#nanoTime()}), shows over a tile presenting the picture captured at
     * {@code presentedCaptureMicros} (0: none yet) at {@code nowNanos} ({@link System#nanoTime()}).
     */
    public boolean visible(long captureMicros, long receivedNanos, long presentedCaptureMicros, long nowNanos) {
        long from = captureMicros - slackMicros;
        return started(captureMicros, presentedCaptureMicros)
                && presentedCaptureMicros - from < ttlMicros
                && nowNanos - wallExpiryNanos(receivedNanos) < 0;
    }

    /**
     * Whether the tile presenting {@code presentedCaptureMicros} has reached the picture of a box captured
     * at {@code captureMicros} (less the slack): from then on that box's event replaces its source's
     * earlier ones ({@link OverlayBoxes#markVisible}).
     */
    public boolean started(long captureMicros, long presentedCaptureMicros) {
        return presentedCaptureMicros >= captureMicros - slackMicros;
    }

    /** The wall time ({@link System#nanoTime()}) after which a box received at {@code receivedNanos} never shows. */
    public long wallExpiryNanos(long receivedNanos) {
        return receivedNanos + ttlMicros * 1000 + WALL_GRACE_NANOS;
    }
}
