package io.virta.recorder.export;

import io.virta.recorder.store.StoreView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Exports recorded video without re-encoding (docs/recording-format.md section 11; docs/recording.md,
 * "Exporting"): any range of a camera to MP4 or Matroska, the NAL units byte-exact as recorded, with a
 * SHA-256 manifest. The entry point of {@code virta record export}, the gRPC export and the web view's
 * {@code GET /export/CAMERA.mp4}.
 *
 * <p>{@link #plan} reads the range's records once (their checksums and NAL boundaries) and returns a
 * virtual {@link ExportFile}: its length and any byte range are then available without making the rest,
 * for HTTP Range requests. {@link #export} writes one to a file with its manifest; {@link #exportAll}
 * writes several cameras over the same range, one file each (section 11.7).
 *
 * <p><b>Cost.</b> Planning reads the range's records once (about 1 ms per MB of video from the page
 * cache), so a server plans once per URL and keeps the {@link ExportFile} for the Range requests that
 * follow (a browser sends many while it seeks), closing it when they stop. Writing reads the records
 * again, in 1 MiB reads, and moves large NAL units with {@code sendfile}/{@code copy_file_range}.
 *
 * <p><b>Threads:</b> any; each call plans on the caller's thread. <b>Memory:</b> about 40 bytes per frame
 * of the range (4 MB for an hour at 25 fps), never the video itself.
 *
 * <pre>{@code
 * try (StoreView store = StoreView.open(Path.of("/mnt/disk1/virta"))) {
 *     ExportResult done = Exporter.export(store,
 *             new ExportRequest("lobby", from, to, ExportFormat.MP4), Path.of("lobby.mp4"));
 *     // lobby.mp4, lobby.mp4.json, lobby.mp4.sha256 (sha256sum -c lobby.mp4.sha256)
 * }
 * }</pre>
 */
public final class Exporter {
    /** The checksums of a multi-camera export, in its directory. */
    public static final String ALL_CHECKSUMS = "SHA256SUMS";

    private Exporter() {
    }

    /**
     * Plans an export: reads the records of the range once and returns the file, which the caller closes.
     *
     * @throws ExportException naming the camera and range when there is nothing to export, with the
     *                         recorded spans nearby
     * @throws IOException     when the store cannot be read
     */
    public static ExportFile plan(StoreView view, ExportRequest request) throws IOException, ExportException {
        ExportPlan plan = ExportPlanner.plan(view, request);
        try {
            Layout layout = switch (request.format()) {
                case MP4 -> Mp4Layout.build(plan);
                case MKV -> MkvLayout.build(plan);
            };
            return new ExportFile(plan, layout);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    /** Plans and writes one export to {@code out}, with {@code out.json} and {@code out.sha256} beside it. */
    public static ExportResult export(StoreView view, ExportRequest request, Path out) throws IOException, ExportException {
        try (ExportFile file = plan(view, request)) {
            return file.writeTo(out);
        }
    }

    /** What a multi-camera export wrote, and the cameras that had nothing to export. */
    public record MultiExport(Path directory, List<ExportResult> files, List<ExportException> skipped, Path checksums) {
        public MultiExport {
            files = List.copyOf(files);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Exports several cameras over the same range into {@code directory}, one file per camera
     * ({@code CAMERA.mp4} with its manifest), and {@value #ALL_CHECKSUMS} over all of them. A camera with no
     * video in the range is skipped and reported; when none has any, the first camera's error is thrown.
     */
    public static MultiExport exportAll(StoreView view, List<String> cameras, long fromMicros, long toMicros,
                                        ExportFormat format, Path directory) throws IOException, ExportException {
        if (cameras.isEmpty()) {
            throw new IllegalArgumentException("no camera to export: name at least one");
        }
        List<ExportRequest> requests = new ArrayList<>();
        for (String camera : new LinkedHashSet<>(cameras)) {
            requests.add(new ExportRequest(camera, fromMicros, toMicros, format));
        }
        Files.createDirectories(directory);
        List<ExportResult> written = new ArrayList<>();
        List<ExportException> skipped = new ArrayList<>();
        StringBuilder sums = new StringBuilder();
        for (ExportRequest request : requests) {
            try {
                ExportResult result = export(view, request, directory.resolve(request.camera() + "." + format.extension()));
                written.add(result);
                sums.append(Files.readString(result.checksums(), StandardCharsets.UTF_8));
            } catch (ExportException e) {
                if (e.reason() == ExportException.Reason.NO_SUCH_CAMERA) {
                    throw e;
                }
                skipped.add(e);
            }
        }
        if (written.isEmpty()) {
            throw skipped.getFirst();
        }
        Path checksums = directory.resolve(ALL_CHECKSUMS);
        Files.writeString(checksums, sums.toString(), StandardCharsets.UTF_8);
        return new MultiExport(directory, written, skipped, checksums);
    }
}
