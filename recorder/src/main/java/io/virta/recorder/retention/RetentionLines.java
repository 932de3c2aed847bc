package io.virta.recorder.retention;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The line syntax the two retention files share (docs/recording-format.md section 10): ASCII fields
 * separated by one space, the last one the CRC32C of the bytes before the space in front of it, as
 * 8 lowercase hex digits; text fields percent-encoded (section 10.3). Every parser here returns empty
 * for anything that does not follow the syntax exactly, never throws on input bytes.
 *
 * <p>Stateless, thread-safe; allocates per call (these files change a few times a day).
 */
final class RetentionLines {
    private static final HexFormat HEX = HexFormat.of();

    private RetentionLines() {
    }

    /** Section 10.3: bytes 0x21..0x7E other than {@code %} stand for themselves, any other byte is {@code %XX}. */
    static String encodeText(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int unsigned = b & 0xFF;
            if (unsigned >= 0x21 && unsigned <= 0x7E && unsigned != '%') {
                out.append((char) unsigned);
            } else {
                out.append('%').append(HEX.withUpperCase().toHexDigits((byte) unsigned));
            }
        }
        return out.toString();
    }

    /** The text a field encodes, or empty for a field that is not the encoding of UTF-8 text. */
    static Optional<String> decodeText(String field) {
        byte[] bytes = new byte[field.length()];
        int length = 0;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '%') {
                if (i + 2 >= field.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(field.charAt(i + 1), 16);
                int low = Character.digit(field.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes[length++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c >= 0x21 && c <= 0x7E) {
                bytes[length++] = (byte) c;
            } else {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString());
        } catch (CharacterCodingException notUtf8) {
            return Optional.empty();
        }
    }

    /** {@code body}, a space and its checksum, and the newline: one whole line. */
    static String line(String body) {
        return body + " " + checksum(body) + "\n";
    }

    private static String checksum(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return HEX.toHexDigits((int) crc.getValue());
    }

    /**
     * The fields of one line (without its newline) before its checksum, or empty when the line is not
     * {@code fields} printable-ASCII fields and a checksum that matches them.
     */
    static Optional<String[]> fields(byte[] bytes, int from, int to, int fields) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7E) {
                return Optional.empty();
            }
        }
        String line = new String(bytes, from, to - from, StandardCharsets.US_ASCII);
        int last = line.lastIndexOf(' ');
        if (last < 0 || !line.substring(last + 1).equals(checksum(line.substring(0, last)))) {
            return Optional.empty();
        }
        String[] parts = line.substring(0, last).split(" ", -1);
        if (parts.length != fields) {
            return Optional.empty();
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of(parts);
    }

    /** A decimal i64 as the files write it ({@code -}? digits, no leading zero but for 0 itself), or empty. */
    static Optional<Long> decimal(String field) {
        int digits = field.startsWith("-") ? 1 : 0;
        if (field.length() == digits || field.length() > 20) {
            return Optional.empty();
        }
        for (int i = digits; i < field.length(); i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        if (field.charAt(digits) == '0' && field.length() > digits + 1 || field.equals("-0")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(field));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** An instant in µs since the epoch, as the files keep times. */
    static long micros(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        } catch (ArithmeticException outOfRange) {
            throw new IllegalArgumentException("time " + instant + " is out of the range of µs since 1970 in 64 bits");
        }
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /**
     * Replaces {@code file} with {@code content} so that a crash leaves either the old or the new file,
     * whole (section 10): a temporary file beside it, forced, renamed over it, and the directory forced.
     */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    /**
     * What identifies a version of a file on the disk (inode, modification time, size), or empty when
     * there is no file or it cannot be read: a change means someone else changed the file (by hand).
     */
    static Optional<List<Object>> stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(Arrays.asList(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size()));
        } catch (IOException none) {
            return Optional.empty();
        }
    }

    /** The file's bytes, or empty when there is none. */
    static Optional<byte[]> readIfPresent(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
    }

    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
