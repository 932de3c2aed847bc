package io.virta.producer.recording;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.virta.protos.recording.v1.ExportChunk;
import io.virta.protos.recording.v1.ExportEnd;
import io.virta.protos.recording.v1.ExportMetadata;
import io.virta.protos.recording.v1.ExportFormat;
import io.virta.protos.recording.v1.TimeSpan;
import io.virta.recorder.export.ExportFile;
import io.virta.recorder.export.ExportSummary;
import io.virta.recorder.store.StoreView;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One {@code Export} call's stream: the metadata message, the file's bytes in chunks read from
 * {@link ExportFile#transferTo} only when gRPC is ready to send them, then the SHA-256 of all of them.
 *
 * <p><b>Flow control.</b> Nothing is read ahead: the next chunk is read while
 * {@link ServerCallStreamObserver#isReady()} holds, i.e. while gRPC has less than its small threshold
 * (32 KiB) queued for the client, and the stream resumes from gRPC's on-ready callback once the
 * client has read. A slow client thus holds at most one chunk, the queue and its HTTP/2 window of the
 * file in the producer's memory, however long the export. <b>Threads:</b> the on-ready and on-cancel
 * callbacks come one at a time on the call's serialized executor; {@link #progress()} from any
 * thread. <b>Lifetime:</b> owns the {@link StoreView} and the {@link ExportFile} (whose open segment
 * files keep video that retention deletes meanwhile readable) and closes both when the stream
 * completes, fails or is cancelled.
 *
 * <pre>{@code
 * ExportStream stream = new ExportStream(directory, view, Exporter.plan(view, request), CHUNK_BYTES, done);
 * stream.start((ServerCallStreamObserver<ExportChunk>) response);   // from the gRPC method, before it returns
 * }</pre>
 */
public final class ExportStream {
    private static final Logger LOG = Logger.getLogger(ExportStream.class.getName());

    /**
     * How far an export got.
     *
     * @param sentBytes        bytes of the file handed to gRPC so far
     * @param waitingForClient gRPC's queue for the client is full: the next chunk waits until it reads
     */
    public record Progress(String camera, Path store, long length, long sentBytes, boolean waitingForClient) {
    }

    private final Path store;
    private final StoreView view;
    private final ExportFile file;
    private final int chunkBytes;
    private final Consumer<ExportStream> onDone;
    private final MessageDigest sha256;
    private ServerCallStreamObserver<ExportChunk> out;
    /** Where the next chunk starts; -1 until the metadata went out. */
    private long position = -1;
    private boolean done;
    private volatile long sent;
    private volatile boolean waiting;

    ExportStream(Path store, StoreView view, ExportFile file, int chunkBytes, Consumer<ExportStream> onDone) {
        this.store = store;
        this.view = view;
        this.file = file;
        this.chunkBytes = chunkBytes;
        this.onDone = onDone;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** Hooks the stream to {@code response}; gRPC then calls it whenever the client can take more. */
    void start(ServerCallStreamObserver<ExportChunk> response) {
        this.out = response;
        response.setOnCancelHandler(() -> {
            LOG.fine(() -> "export of " + file.summary().camera() + " cancelled by the client at byte " + sent);
            finish();
        });
        response.setOnReadyHandler(this::send);
    }

    public Progress progress() {
        return new Progress(file.summary().camera(), store, file.length(), sent, waiting);
    }

    /** Sends while gRPC is ready: the metadata first, then chunks, then the end and completion. */
    private void send() {
        if (done) {
            return;
        }
        waiting = false;
        try {
            while (out.isReady()) {
                if (position < 0) {
                    out.onNext(ExportChunk.newBuilder().setMetadata(metadata()).build());
                    position = 0;
                } else if (position < file.length()) {
                    byte[] chunk = new byte[(int) Math.min(chunkBytes, file.length() - position)];
                    long copied = file.transferTo(position, chunk.length, new ArrayChannel(chunk));
                    if (copied != chunk.length) {
                        throw new IOException("the export gave " + copied + " bytes at " + position + " where "
                                + chunk.length + " were planned");
                    }
                    sha256.update(chunk);
                    position += chunk.length;
                    sent = position;
                    // The array is not touched again, so gRPC may serialize it later without a copy.
                    out.onNext(ExportChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(chunk)).build());
                } else {
                    // Done with the files before the client hears of it, so that its next call finds this
                    // export gone (and its slot free).
                    finish();
                    out.onNext(ExportChunk.newBuilder().setEnd(ExportEnd.newBuilder()
                            .setSha256(HexFormat.of().formatHex(sha256.digest())).setLength(position)).build());
                    out.onCompleted();
                    return;
                }
            }
            waiting = true;
        } catch (IOException | RuntimeException e) {
            String camera = file.summary().camera();
            LOG.warning(() -> "export of " + camera + " from store " + store + " failed at byte " + position + ": " + e);
            boolean first = !done;
            finish();
            if (!first) {
                return; // cancelled, or failed after the end went out: nobody to tell
            }
            out.onError(RecordingService.fail(Status.UNAVAILABLE, "Export " + camera + ": reading store " + store
                    + " failed at byte " + position + " of " + file.length() + ": " + e.getMessage()
                    + "; is its disk there? Export the range again"));
        }
    }

    private ExportMetadata metadata() {
        ExportSummary summary = file.summary();
        ExportMetadata.Builder metadata = ExportMetadata.newBuilder().setLength(file.length())
                .setContentType(file.contentType()).setFileName(file.suggestedFileName())
                .setFormat(switch (file.format()) {
                    case MP4 -> ExportFormat.EXPORT_FORMAT_MP4;
                    case MKV -> ExportFormat.EXPORT_FORMAT_MKV;
                })
                .setCamera(summary.camera()).setStore(store.toString()).setFrames(summary.frames())
                .setFirstCaptureMicros(summary.firstCaptureMicros()).setLastCaptureMicros(summary.lastCaptureMicros())
                .addAllNotes(summary.notes()).setCodec(summary.codec().name());
        summary.gaps().forEach(g -> metadata.addGaps(TimeSpan.newBuilder().setStartMicros(g.startMicros())
                .setEndMicros(g.endMicros())));
        return metadata.build();
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        try {
            file.close();
        } catch (IOException e) {
            LOG.fine(() -> "export of " + file.summary().camera() + ": closing its segment files: " + e);
        }
        view.close();
        onDone.accept(this);
    }

    /** A blocking channel that fills one array, for {@link ExportFile#transferTo}. */
    private static final class ArrayChannel implements WritableByteChannel {
        private final byte[] array;
        private int filled;

        ArrayChannel(byte[] array) {
            this.array = array;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            int n = source.remaining();
            if (n > array.length - filled) {
                throw new IOException("the export wrote past the chunk's " + array.length + " bytes");
            }
            source.get(array, filled, n);
            filled += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
