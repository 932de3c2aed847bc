package io.virta.recorder.export;

import io.virta.recorder.index.Span;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Writes an export with its integrity manifest (docs/recording-format.md section 11.6): the video
 * {@code FILE}, {@code FILE.json} (what was exported: camera, range, frames, capture times, gaps, source
 * segments, damage, and the video's SHA-256) and {@code FILE.sha256} (the SHA-256 of both, one line each,
 * as {@code sha256sum} writes them). The video's hash is computed while it is written, not by reading it
 * back. Each file goes to {@code NAME.part} first (mode 0600), is forced to the disk and renamed into place,
 * so a crash leaves no file that looks complete but is not.
 */
final class ExportManifest {
    static final String FORMAT = "virta-export/1";

    private ExportManifest() {
    }

    static ExportResult write(ExportFile export, Path out) throws IOException {
        Path file = out.toAbsolutePath();
        MessageDigest digest = sha256();
        writeAtomically(file, channel -> export.transferTo(0, export.length(), new HashingChannel(channel, digest)));
        String videoHash = HexFormat.of().formatHex(digest.digest());
        Path manifest = file.resolveSibling(file.getFileName() + ".json");
        byte[] json = json(export, file.getFileName().toString(), videoHash).getBytes(StandardCharsets.UTF_8);
        writeAtomically(manifest, channel -> writeFully(channel, ByteBuffer.wrap(json)));
        String manifestHash = HexFormat.of().formatHex(sha256().digest(json));
        Path checksums = file.resolveSibling(file.getFileName() + ".sha256");
        String lines = line(videoHash, file) + line(manifestHash, manifest);
        writeAtomically(checksums, channel -> writeFully(channel, ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8))));
        return new ExportResult(file, manifest, checksums, videoHash, export.length(), export.summary());
    }

    /** One line of {@code sha256sum}'s output: the hash, two spaces (text mode), the file name beside it. */
    static String line(String hash, Path file) {
        return hash + "  " + file.getFileName() + "\n";
    }

    private interface Body {
        void write(FileChannel channel) throws IOException;
    }

    private static void writeAtomically(Path target, Body body) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.deleteIfExists(part);
        FileAttribute<?>[] attributes = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(part, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), attributes)) {
            body.write(channel);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256, which every Java platform must have", e);
        }
    }

    /** The manifest: section 11.6 lists its fields. */
    static String json(ExportFile export, String fileName, String sha256) {
        ExportSummary s = export.summary();
        StringBuilder out = new StringBuilder(1024);
        out.append("{\n");
        field(out, "format", quote(FORMAT));
        field(out, "file", quote(fileName));
        field(out, "bytes", Long.toString(export.length()));
        field(out, "sha256", quote(sha256));
        field(out, "container", quote(s.format().extension()));
        field(out, "codec", quote(s.codec().name()));
        field(out, "camera", quote(s.camera()));
        field(out, "requestedFrom", time(s.requestedFromMicros()));
        field(out, "requestedTo", time(s.requestedToMicros()));
        field(out, "firstFrame", time(s.firstCaptureMicros()));
        field(out, "lastFrame", time(s.lastCaptureMicros()));
        field(out, "frames", Integer.toString(s.frames()));
        field(out, "prerollFrames", Integer.toString(s.prerollFrames()));
        field(out, "keyframes", Integer.toString(s.keyframes()));
        out.append("  \"gaps\": [");
        List<Span> gaps = s.gaps();
        for (int i = 0; i < gaps.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append("    {\"after\": ").append(time(gaps.get(i).startMicros()))
                    .append(", \"before\": ").append(time(gaps.get(i).endMicros())).append('}');
        }
        out.append(gaps.isEmpty() ? "],\n" : "\n  ],\n");
        out.append("  \"streams\": [");
        for (int i = 0; i < s.streams().size(); i++) {
            ExportSummary.Stream stream = s.streams().get(i);
            out.append(i == 0 ? "\n" : ",\n").append("    {\"from\": ").append(time(stream.fromCaptureMicros()))
                    .append(", \"width\": ").append(stream.width()).append(", \"height\": ").append(stream.height())
                    .append(", \"frames\": ").append(stream.frames()).append('}');
        }
        out.append("\n  ],\n");
        out.append("  \"segments\": [");
        for (int i = 0; i < s.segments().size(); i++) {
            ExportSummary.Source source = s.segments().get(i);
            out.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(quote(String.format("%016x", source.segmentId())))
                    .append(", \"file\": ").append(quote(source.file()))
                    .append(", \"firstFrame\": ").append(time(source.firstCaptureMicros()))
                    .append(", \"lastFrame\": ").append(time(source.lastCaptureMicros()))
                    .append(", \"frames\": ").append(source.frames()).append('}');
        }
        out.append("\n  ],\n");
        ExportSummary.Damage damage = s.damage();
        out.append("  \"damage\": {\"damagedRecords\": ").append(damage.damagedRecords())
                .append(", \"skippedBytes\": ").append(damage.skippedBytes())
                .append(", \"framesDropped\": ").append(damage.framesDropped())
                .append(", \"malformedFrames\": ").append(damage.malformedFrames())
                .append(", \"segmentsMissing\": ").append(damage.segmentsMissing()).append("},\n");
        out.append("  \"notes\": [");
        for (int i = 0; i < s.notes().size(); i++) {
            out.append(i == 0 ? "" : ", ").append(quote(s.notes().get(i)));
        }
        out.append("],\n");
        out.append("  \"exportedAt\": ").append(quote(Instant.now().toString())).append("\n}\n");
        return out.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append("  ").append(quote(name)).append(": ").append(value).append(",\n");
    }

    /** A capture time as an object: exact µs, and ISO-8601 UTC for people. */
    private static String time(long micros) {
        return "{\"micros\": " + micros + ", \"utc\": " + quote(Instants.format(micros)) + "}";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * Passes bytes to a file channel and through the digest on the way. Gathering, so that an export's
     * mapped NAL units reach it without a copy: the digest reads them, the kernel copies them once.
     */
    private record HashingChannel(FileChannel file, MessageDigest digest) implements GatheringByteChannel {
        @Override
        public int write(ByteBuffer source) throws IOException {
            ByteBuffer seen = source.duplicate();
            int written = file.write(source);
            seen.limit(seen.position() + written);
            digest.update(seen);
            return written;
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            int[] before = new int[length];
            for (int i = 0; i < length; i++) {
                before[i] = sources[offset + i].position();
            }
            long written = file.write(sources, offset, length);
            for (int i = 0; i < length; i++) {
                ByteBuffer source = sources[offset + i];
                if (source.position() > before[i]) {
                    digest.update(source.duplicate().limit(source.position()).position(before[i]));
                }
            }
            return written;
        }

        @Override
        public long write(ByteBuffer[] sources) throws IOException {
            return write(sources, 0, sources.length);
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() {
            // the file is closed by its owner
        }
    }
}
