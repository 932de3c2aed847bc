package io.virta.recorder.store;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorder in a child JVM, for faults a test cannot make in its own process.
 *
 * <ul>
 *   <li>{@code record STORE CAMERA}: appends synthetic frames at about 1 ms intervals, printing each
 *       sequence number only after {@code append} returned, until killed;</li>
 *   <li>{@code hold STORE}: opens the store, prints {@code open}, and waits to be killed.</li>
 * </ul>
 */
public final class ChildRecorder {
    private ChildRecorder() {
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[1]);
        SegmentPolicy policy = SegmentPolicy.DEFAULT.withSegmentBytes(1 << 20).withSync(Duration.ofMillis(200));
        try (RecordingStore recording = RecordingStore.open(store, policy)) {
            if (args[0].equals("hold")) {
                System.out.println("open");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            CameraWriter camera = recording.camera(args[2]);
            long first = Long.parseLong(args[3]);
            for (long sequence = first; ; sequence++) {
                SyntheticStream.append(camera, SyntheticStream.H264_720P, sequence);
                camera.syncIfDue(System.nanoTime());
                System.out.println(sequence);
                System.out.flush();
                Thread.sleep(0, 500_000);
            }
        }
    }

    /** Starts a child with this JVM's java, native-access flags and test class path. */
    static Process start(String... args) throws IOException {
        return startJava(ChildRecorder.class, args);
    }

    /** Starts {@code main} in a child JVM with this JVM's java, native-access flags and test class path. */
    public static Process startJava(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-")).toList());
        command.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
