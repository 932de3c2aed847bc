package io.virta.recorder.ingest;

import io.virta.bus.BusException;
import io.virta.bus.ChannelNotFoundException;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelType;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.index.IndexException;
import io.virta.recorder.store.AppendOutcome;
import io.virta.recorder.store.CameraWriter;
import io.virta.recorder.store.RecordedFrame;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.StoreMissingException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records one camera: a thread that reads the camera's encoded bus channel as an ordinary reader and
 * appends every access unit to the camera's {@link CameraWriter}, with its capture time, bus sequence
 * number and flags (docs/recording-format.md section 9).
 *
 * <ul>
 *   <li><b>The bus ring is the buffer.</b> A slow disk makes the recorder lag (see {@link #lag()});
 *       only frames the writer overwrote before the recorder reached them are lost, counted by the
 *       reader's OVERRUN in {@link #framesLost()}. After a loss, frames up to the next keyframe are
 *       not written ({@link #framesSkipped()}): they refer to pictures the store does not have.</li>
 *   <li><b>One copy:</b> from the bus cell to the kernel, by the camera writer's write. A
 *       cell that the writer reused while it was being written is taken back
 *       ({@link CameraWriter#retractLast()}); the reader counts it as lost at the next pull.</li>
 *   <li><b>Parameter sets</b> come from the stream (in-band before each keyframe); a change of them
 *       or of the resolution starts a new segment.</li>
 *   <li><b>Writer restarts</b> (WRITER_RESTARTED, WRITER_DIED, END_OF_STREAM) do not stop it: it
 *       waits for a writer and goes on at the next keyframe. Recording starts at the newest frame
 *       of the ring, so it writes from the first keyframe after it; or, when the store has frames of
 *       the camera, after the last of them, so a restart shorter than the ring loses at most the rest
 *       of that frame's GOP (docs/recording-format.md section 9, <i>Resuming</i>).</li>
 *   <li><b>A store that refuses a write</b> ({@link IOException}: full, gone, failing) pauses this
 *       camera with a log line naming camera and store, and retries after {@link IngestOptions#retryAfter()};
 *       the process and the other cameras go on. A channel that is not an encoded one is retried the
 *       same way.</li>
 * </ul>
 *
 * <p><b>Threads:</b> {@link #start} makes the camera's thread, which alone touches the reader and the
 * camera writer; {@link #close} may be called from any thread. The counters are hints, readable from
 * any thread. <b>Allocation:</b> none per frame (a keyframe with changed parameter sets and a new
 * segment allocate). <b>Lifetime:</b> {@link #close} stops the thread within one idle tick (or one
 * append), which closes the reader and seals the camera's open segment (forcing it).
 *
 * <pre>{@code
 * try (ChannelRecorder lobby = new ChannelRecorder(store, CameraChannel.h264("lobby"), IngestOptions.DEFAULT)) {
 *     lobby.start();
 *     ...
 *     status(lobby.framesWritten(), lobby.lag(), lobby.framesLost(), lobby.lastSyncMicros());
 * }
 * }</pre>
 */
public final class ChannelRecorder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChannelRecorder.class.getName());

    /** Where the first attach stands in resuming after the store's last frame (section 9, *Resuming*). */
    private enum Resume {
        /** Before the first attach: the store is asked for its last frame. */
        NOT_ASKED,
        /** The first frame pulled should be the store's last one, if its writer still publishes. */
        CONFIRMING,
        /** Another writer, or a frame the ring lost: frames not newer than the store's last are passed over. */
        PASSING_OLDER,
        /** Every frame pulled from now on is recorded as usual. */
        DONE
    }

    private final RecordingStore store;
    private final CameraChannel channel;
    private final IngestOptions options;
    private final long tickNanos;
    private final long batchNanos;
    /** The next batch's sleep: the batch interval, or less while the ring fills fast (see {@link #adaptPark}). */
    private long parkNanos;
    private static final long MIN_PARK_NANOS = 1_000_000;
    private final ParameterSetTracker parameterSets = new ParameterSetTracker();
    private final Thread thread;

    /** Owned by the camera's thread. */
    private ChannelReader reader;
    private CameraWriter writer;
    /** A frame after a loss (or a start) refers to pictures not recorded: write from the next keyframe. */
    private boolean awaitingKeyframe = true;
    /**
     * Another writer publishes now, whose sequence numbers start again at 1: its first frame written is
     * marked DISCONTINUITY, which starts a new segment, so that sequence numbers grow within a segment.
     */
    private boolean newWriter;
    private Resume resume = Resume.NOT_ASKED;
    /** The store's last frame of this camera when recording started; meaningful while resuming. */
    private RecordedFrame resumeAfter;

    private volatile boolean running = true;
    /** Set by a pause, cleared by the next frame written: for status and to log a lasting failure once. */
    private volatile String problem;
    private volatile RecordingState state = RecordingState.STARTING;
    private volatile long framesWritten;
    private volatile long bytesWritten;
    private volatile long framesLost;
    private volatile long framesSkipped;
    private volatile long lag;
    private volatile long lastWrittenSequence;
    private volatile long lastSyncMicros;
    private volatile long pauses;

    /**
     * Takes the camera's writer in {@code store} (no I/O yet).
     *
     * @throws IllegalStateException if the camera is already being recorded into this store
     */
    public ChannelRecorder(RecordingStore store, CameraChannel channel, IngestOptions options) {
        this.store = store;
        this.channel = channel;
        this.options = options;
        this.tickNanos = options.idleTick().toNanos();
        this.batchNanos = options.batch().toNanos();
        this.parkNanos = Math.max(MIN_PARK_NANOS, batchNanos / 4);
        this.writer = store.camera(channel.camera());
        this.thread = Thread.ofPlatform().name("recorder-" + channel.camera()).daemon(true).unstarted(this::run);
    }

    /** Starts the camera's thread. */
    public void start() {
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                if (reader == null) {
                    attach();
                } else {
                    step();
                }
            }
        } finally {
            finish();
        }
    }

    /** Attaches to the channel, waiting up to one tick for it to appear. */
    private void attach() {
        try {
            ChannelReader.Builder builder = ChannelReader.builder(channel.channelName()).expect(ChannelType.ENCODED)
                    .start(ChannelReader.Start.NEWEST).awaitWriter(options.idleTick());
            if (resume == Resume.NOT_ASKED) {
                resumeAfterStored(builder);
            }
            reader = builder.open();
            awaitingKeyframe = true;
            state = RecordingState.RECORDING;
            LOG.info(() -> "camera " + channel.camera() + ": recording " + channel.channelName() + " into "
                    + store.directory());
        } catch (ChannelNotFoundException e) {
            enter(RecordingState.WAITING_FOR_WRITER, "no channel " + channel.channelName()
                    + " yet; waiting for its producer");
            syncIfDue(); // a camera whose producer went away is synced too
        } catch (BusException e) {
            LOG.warning(() -> "camera " + channel.camera() + ": cannot read " + channel.channelName() + " ("
                    + e.getMessage() + "); retrying in " + options.retryAfter().toMillis() + " ms");
            state = RecordingState.WAITING_FOR_WRITER;
            sleep(options.retryAfter());
        }
    }

    /**
     * The first attach of this recorder: if the store has frames of this camera, start at the last of
     * them, so that what its writer published while no recorder ran is recorded from the ring. Asked
     * once: a later attach follows a writer this recorder saw go.
     */
    private void resumeAfterStored(ChannelReader.Builder builder) {
        Optional<RecordedFrame> last;
        try {
            last = writer.lastRecorded();
        } catch (IOException | IndexException e) {
            LOG.warning(() -> "camera " + channel.camera() + ": cannot read its last recorded frame in "
                    + store.directory() + " (" + e.getMessage() + "); recording starts at the newest frame");
            last = Optional.empty();
        }
        if (last.isEmpty()) {
            resume = Resume.DONE;
            return;
        }
        resumeAfter = last.get();
        resume = Resume.CONFIRMING;
        builder.startAfter(resumeAfter.sequence() - 1);
    }

    /**
     * While resuming: true for a frame the store has already, or may have (not newer than its last).
     * The store's last frame itself, with its capture time, proves that its writer still publishes and
     * that the frames after it are the ones missed; anything else (another writer, whose sequence numbers
     * started again, or a ring that lost that frame) falls back to capture times, and marks the first
     * frame written DISCONTINUITY.
     */
    private boolean alreadyStored(Frame frame) {
        if (resume == Resume.CONFIRMING) {
            if (frame.sequence() == resumeAfter.sequence() && frame.captureTimeMicros() == resumeAfter.captureTimeMicros()) {
                // The next frame continues the stored GOP: write it at once, in a segment that starts without
                // a keyframe (section 5.3), rather than skipping to the next keyframe.
                resume = Resume.DONE;
                parameterSets.seed(resumeAfter.parameters());
                writer.continueAfter(resumeAfter);
                awaitingKeyframe = false;
                return true;
            }
            resume = Resume.PASSING_OLDER;
            newWriter = true;
        }
        if (frame.captureTimeMicros() <= resumeAfter.captureTimeMicros()) {
            return true;
        }
        resume = Resume.DONE;
        return false;
    }

    /**
     * One pull and what it brings; an idle tick syncs too. With a batch interval, the thread does not
     * wait for each frame: once the ring has nothing new, it sleeps for the interval and then writes
     * what gathered, one wake-up for several frames.
     */
    private void step() {
        try {
            PullStatus status = batchNanos == 0 ? reader.pull(tickNanos) : reader.poll();
            if (status == PullStatus.TIMEOUT && batchNanos > 0) {
                syncIfDue();
                reader.release();     // written and checked: its cell may be reused while this thread sleeps
                reader.dropWakeups(); // the writer rang for frames this thread will take without waiting
                long newestBefore = reader.newestSequence();
                LockSupport.parkNanos(parkNanos);
                adaptPark(reader.newestSequence() - newestBefore);
                status = reader.pull(tickNanos - parkNanos);
            }
            switch (status) {
                case FRAME -> record(reader.frame());
                case OVERRUN -> {
                    Frame frame = reader.frame();
                    // When resuming, the first frame asked for is the store's last: not lost if overwritten.
                    framesLost += resume == Resume.CONFIRMING ? frame.lost() - 1 : frame.lost();
                    awaitingKeyframe = true;
                    record(frame);
                }
                case TIMEOUT -> { }
                case WRITER_RESTARTED -> {
                    awaitingKeyframe = true;
                    newWriter = true;
                    state = RecordingState.RECORDING;
                    LOG.info(() -> "camera " + channel.camera() + ": a new writer publishes " + channel.channelName()
                            + "; recording goes on at its first keyframe");
                }
                case END_OF_STREAM, WRITER_DIED -> {
                    awaitingKeyframe = true;
                    newWriter = true;
                    String what = status == PullStatus.END_OF_STREAM ? "ended" : "lost its writer";
                    enter(RecordingState.WAITING_FOR_WRITER, channel.channelName() + " " + what
                            + "; waiting for a new one");
                }
            }
            syncIfDue();
        } catch (IOException | IndexException e) {
            pause(e);
        } catch (BusException e) {
            LOG.log(Level.WARNING, "camera " + channel.camera() + ": reading " + channel.channelName() + " failed ("
                    + e.getMessage() + "); attaching again in " + options.retryAfter().toMillis() + " ms", e);
            reader.close();
            reader = null;
            newWriter = true;
            sleep(options.retryAfter());
        } catch (RuntimeException e) {
            // A fault of the recorder's own: this camera starts again with a new segment, the others go on.
            pause(e, "recording failed unexpectedly (please report it)");
        }
    }

    /**
     * Keeps a batch well inside the ring: if a quarter of the ring's cells gathered during one sleep, the
     * next is half as long (a fast stream, or a small ring); if less than an eighth, twice as long, up to
     * the batch interval. A fixed sleep would let a fast camera lap the recorder with nothing wrong on disk.
     */
    private void adaptPark(long gathered) {
        int cells = reader.cells();
        if (gathered * 4 >= cells) {
            parkNanos = Math.max(MIN_PARK_NANOS, parkNanos / 2);
        } else if (gathered * 8 < cells) {
            parkNanos = Math.min(batchNanos, parkNanos * 2);
        }
    }

    private void record(Frame frame) throws IOException {
        if (resume != Resume.DONE && alreadyStored(frame)) {
            return;
        }
        long sequence = frame.sequence();
        boolean keyframe = frame.isKeyframe();
        if (awaitingKeyframe && !keyframe) {
            framesSkipped++;
            lag = reader.newestSequence() - lastWrittenSequence;
            return;
        }
        ByteBuffer payload = frame.payloadBuffer();
        if (keyframe) {
            parameterSets.update(frame.format(), frame.width(), frame.height(), payload);
        }
        StreamParameters stream = parameterSets.parameters();
        options.observer().beforeAppend(sequence);
        int flags = newWriter ? frame.flags() | RecordDescriptor.FLAG_DISCONTINUITY : frame.flags();
        AppendOutcome outcome = writer.append(stream, payload, frame.captureTimeMicros(), sequence, flags);
        if (outcome == AppendOutcome.SKIPPED_UNTIL_KEYFRAME) {
            framesSkipped++;
            return;
        }
        if (!frame.isIntact()) {
            writer.retractLast(); // the next pull reports the frame as lost
            return;
        }
        awaitingKeyframe = false;
        newWriter = false;
        if (problem != null) {
            LOG.info(() -> "camera " + channel.camera() + ": recording into " + store.directory()
                    + " again after " + pauses + " pause(s)");
            problem = null;
        }
        framesWritten++;
        bytesWritten += frame.payloadSize();
        lastWrittenSequence = sequence;
        lag = reader.newestSequence() - sequence;
        options.observer().appended(sequence);
    }

    private void syncIfDue() {
        try {
            if (writer.syncIfDue(System.nanoTime())) {
                lastSyncMicros = currentMicros();
            }
        } catch (IOException | IndexException e) {
            pause(e);
        }
    }

    /**
     * The store refused: the camera writer is given up as a crash would leave it (what it wrote stays
     * readable; recovery seals it at the next open), and a new one starts after {@code retryAfter}.
     * Frames published meanwhile wait in the bus ring until it wraps.
     */
    private void pause(Exception failure) {
        pause(failure, "the store " + store.directory() + " refused a write");
    }

    private void pause(Exception failure, String what) {
        pauses++;
        String message = what + " (" + failure.getMessage() + ")";
        // A store that stays full or gone fails every retry the same way: say it once, not every few seconds.
        if (!message.equals(problem)) {
            LOG.log(Level.SEVERE, "camera " + channel.camera() + ": " + message + ": recording of " + channel.camera()
                    + " paused, retrying every " + options.retryAfter().toMillis() + " ms; free space or fix the disk"
                    + " if it is full or failing; the rest of the process goes on",
                    failure instanceof StoreMissingException ? null : failure);
        }
        problem = message;
        state = RecordingState.PAUSED; // after the problem: whoever sees PAUSED sees why
        try {
            writer.abandon();
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "camera " + channel.camera() + ": closing its segment in " + store.directory()
                    + " failed too (" + e.getMessage() + "); recovery checks it at the next start");
        }
        writer = store.camera(channel.camera());
        awaitingKeyframe = true;
        sleep(options.retryAfter());
        if (running) {
            state = RecordingState.RECORDING;
        }
    }

    private void enter(RecordingState next, String why) {
        if (state != next) {
            state = next;
            LOG.info(() -> "camera " + channel.camera() + ": " + why);
        }
    }

    private void finish() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        try {
            writer.close(); // seals, which forces
            lastSyncMicros = currentMicros();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "camera " + channel.camera() + ": sealing its last segment in " + store.directory()
                    + " failed (" + e.getMessage() + "); recovery seals it at the next start", e);
        }
        state = RecordingState.STOPPED;
    }

    /** Sleeps in ticks, so that {@link #close} is not kept waiting. */
    private void sleep(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        while (running && System.nanoTime() - until < 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(tickNanos, until - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long currentMicros() {
        return System.currentTimeMillis() * 1000;
    }

    /** Asks the thread to stop; {@link #close} waits for it. */
    public void stop() {
        running = false;
    }

    /** Stops the thread and waits until it has closed the reader and sealed the camera's segment. */
    @Override
    public void close() {
        stop();
        if (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (state == RecordingState.STARTING) {
            finish(); // never started: give the camera's writer back
        }
    }

    public CameraChannel channel() {
        return channel;
    }

    public RecordingState state() {
        return state;
    }

    /** Frames appended and kept. */
    public long framesWritten() {
        return framesWritten;
    }

    /** Payload bytes of {@link #framesWritten()}. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Frames the bus writer overwrote before the recorder reached them (or while it wrote them). */
    public long framesLost() {
        return framesLost;
    }

    /** Frames not written because they followed a loss, a start or a pause before the next keyframe. */
    public long framesSkipped() {
        return framesSkipped;
    }

    /** The newest sequence number in the channel minus the last one written, at the last frame. */
    public long lag() {
        return lag;
    }

    /** The bus sequence number of the last frame written; 0 before the first. */
    public long lastWrittenSequence() {
        return lastWrittenSequence;
    }

    /** Wall-clock µs of the last force of the camera's segment; 0 before the first. */
    public long lastSyncMicros() {
        return lastSyncMicros;
    }

    /** Why the camera last paused, while it has not written a frame since; empty when recording is well. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** How many times the store refused a write. */
    public long pauses() {
        return pauses;
    }
}
