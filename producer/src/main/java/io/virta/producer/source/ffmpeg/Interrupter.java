package io.virta.producer.source.ffmpeg;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.javacpp.Loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * libavformat's interrupt callback: it asks this while it waits in connect, read or open, and
 * gives up when the answer is 1. That is how {@link FfmpegSource#close()} stops a blocked read,
 * and how a live input that goes silent for longer than its deadline counts as lost.
 *
 * <p>Why an FFM upcall and not JavaCPP's {@code AVIOInterruptCB.Callback_Pointer}: JavaCPP has a
 * fixed number of native slots per callback type (10), and the eleventh source silently got none,
 * so nothing could interrupt it; and a JavaCPP callback with an opaque pointer makes a Java object
 * per call. The upcall takes the opaque pointer as a plain {@code long} (the same register on
 * LP64) and allocates nothing.
 *
 * <p>The deadline is armed and read on the source's own thread (libavformat calls back on the
 * thread that called into it); only the stop flag crosses threads.
 */
final class Interrupter {
    private static final MethodHandle CALL;
    private static final long CALLBACK_FIELD;
    private static final long OPAQUE_FIELD;

    static {
        try {
            CALL = MethodHandles.lookup().findVirtual(Interrupter.class, "call", MethodType.methodType(int.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        Loader.load(AVFormatContext.class);
        Loader.load(AVIOInterruptCB.class);
        long field = Loader.offsetof(AVFormatContext.class, "interrupt_callback");
        CALLBACK_FIELD = field + Loader.offsetof(AVIOInterruptCB.class, "callback");
        OPAQUE_FIELD = field + Loader.offsetof(AVIOInterruptCB.class, "opaque");
    }

    /** The native entry point; freed with this object once nothing refers to it (the source's thread has ended). */
    @SuppressWarnings("restricted")
    private final MemorySegment stub = Linker.nativeLinker().upcallStub(CALL.bindTo(this),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Arena.ofAuto());
    private volatile boolean stopped;
    private long deadlineNanos;
    private boolean timedOut;

    /** Makes {@code format} ask this before and while it waits. */
    void installIn(AVFormatContext format) {
        PacketFields.NATIVE.set(ValueLayout.JAVA_LONG, format.address() + CALLBACK_FIELD, stub.address());
        PacketFields.NATIVE.set(ValueLayout.JAVA_LONG, format.address() + OPAQUE_FIELD, 0L);
    }

    /** From now, give up after {@code nanos} of waiting; 0 waits as long as it takes. */
    void armFor(long nanos) {
        deadlineNanos = nanos == 0 ? 0 : System.nanoTime() + nanos;
        timedOut = false;
    }

    /** Every wait in FFmpeg ends at once from now on. */
    void stop() {
        stopped = true;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** Called by libavformat; {@code opaque} is unused. Must not throw: an exception here ends the JVM. */
    private int call(long opaque) {
        if (stopped) {
            return 1;
        }
        if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0) {
            timedOut = true;
            return 1;
        }
        return 0;
    }
}
