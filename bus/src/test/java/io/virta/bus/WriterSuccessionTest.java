package io.virta.bus;

import io.virta.bus.layout.CellDescriptor;
import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.posix.SharedMemoryObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.function.Consumer;

import static io.virta.bus.TestChannels.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A writer that stalls past the 5 s liveness limit (or whose clock steps), its successor, and the
 * readers of both (docs/bus-format.md sections 4 and 5.3). A stall is made by stopping the writer's
 * heartbeat and writing one 6 s old into its header, which is exactly what readers and a successor
 * see of a writer that hangs for 6 s, without the test waiting 6 s.
 */
class WriterSuccessionTest extends ChannelTestBase {
    private static void stall(ChannelWriter writer) {
        WriterTicker.unregister(writer);
        onHeader(writer.name(), m -> m.heartbeat(Clock.epochMicros() - 6_000_000));
    }

    private static void resume(ChannelWriter writer) {
        onHeader(writer.name(), m -> m.heartbeat(Clock.epochMicros()));
        WriterTicker.register(writer);
    }

    /** Changes the object now under the channel's name through a mapping of its own. */
    private static void onHeader(String name, Consumer<ChannelMemory> change) {
        try (ChannelMemory m = ChannelMemory.attach(name, SharedMemoryObject.openExisting(shm(name)))) {
            change.accept(m);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStaleWriterThatClosesLeavesItsSuccessorsChannelAlone() throws Exception {
        String name = name("succ");
        ChannelSpec spec = ChannelSpec.of(name, ChannelType.RAW).capacity(16);
        ChannelWriter stale = ChannelWriter.create(spec);
        stall(stale);
        try (ChannelWriter successor = ChannelWriter.create(spec)) {
            assertEquals(2, successor.generation());
            stale.close();
            assertTrue(Files.exists(shm(name)), "the successor's channel is still under its name");
            try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                assertEquals(2, reader.generation(), "a new reader finds the successor's object");
                writePattern(successor, 16);
                assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(5)));
                assertEquals(1, reader.frame().sequence());
                assertTrue(hasPattern(reader.frame()));
            }
        }
        assertFalse(Files.exists(shm(name)), "the successor removes its own name when it closes");
    }

    @Test
    void aReaderOfTheStaleWriterFollowsTheSuccessorNotTheStaleWritersEnd() {
        String name = name("succ2");
        ChannelSpec spec = ChannelSpec.of(name, ChannelType.RAW).capacity(16);
        ChannelWriter stale = ChannelWriter.create(spec);
        try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            stall(stale);
            try (ChannelWriter successor = ChannelWriter.create(spec)) {
                stale.close();
                assertEquals(PullStatus.WRITER_RESTARTED, reader.pull(Duration.ofSeconds(5)),
                        "REPLACED, not the CLOSED a replaced writer must no longer write");
                writePattern(successor, 16);
                assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void aReaderFollowsAWriterItDeclaredDeadOnceItsHeartbeatResumes() {
        String name = name("resume");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(16));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writePattern(writer, 16);
            assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(5)));
            stall(writer);
            assertEquals(PullStatus.WRITER_DIED, reader.pull(Duration.ofSeconds(5)));
            resume(writer);
            writePattern(writer, 16);
            assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(5)), "the same writer, followed again");
            assertEquals(2, reader.frame().sequence());
            assertTrue(hasPattern(reader.frame()));
        }
    }

    @Test
    void aReaderWaitsForTheSuccessorItWasToldAboutInsteadOfReportingADeath() {
        String name = name("pending");
        ChannelSpec spec = ChannelSpec.of(name, ChannelType.RAW).capacity(16);
        ChannelWriter stale = ChannelWriter.create(spec);
        try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            stall(stale);
            // What a successor does first (section 4, step 1): REPLACED, before its object has the name.
            onHeader(name, m -> m.state(ChannelHeaderDescriptor.STATE_REPLACED));
            assertEquals(PullStatus.TIMEOUT, reader.pull(Duration.ofMillis(300)),
                    "the name still shows the old object: nothing to report yet");
            try (ChannelWriter successor = ChannelWriter.create(spec)) {
                assertEquals(PullStatus.WRITER_RESTARTED, reader.pull(Duration.ofSeconds(5)));
                writePattern(successor, 16);
                assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(5)));
            }
        } finally {
            stale.close();
        }
    }

    @Test
    void aPayloadSizeLargerThanTheCellIsRefusedNotClamped() {
        String name = name("oversize");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64));
             ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
            writePattern(writer, 64);
            // A writer that breaks section 2.3: the size says more than the cell holds.
            onHeader(name, m -> m.memory.set(ChannelMemory.U32,
                    m.layout.cellMetadata(0) + CellDescriptor.PAYLOAD_SIZE_OFFSET, (int) writer.capacity() + 1));
            ChannelCorruptException e = assertThrows(ChannelCorruptException.class, reader::poll);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("65 bytes")
                    && e.getMessage().contains("restart its writer"), e.getMessage());
        }
    }

    @Test
    void cleanRemovesTemporariesOfDeadWritersWhateverDigitsTheChannelNameHas() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        long self = ProcessHandle.current().pid();
        // "cam.1" has a field of digits, which is no pid: the pid is the field before the random part.
        var dead = ChannelName.SHM_DIR.resolve(".tmp.virta.t.cam.1." + deadPid + ".1f2e");
        var live = ChannelName.SHM_DIR.resolve(".tmp.virta.t.cam.1." + self + ".1f2f");
        Files.createFile(dead);
        Files.createFile(live);
        try {
            Channels.CleanReport report = Channels.clean();
            assertTrue(report.temporaries().contains(dead.getFileName().toString()), report.toString());
            assertFalse(Files.exists(dead));
            assertTrue(Files.exists(live), "a writer that is still building its object keeps it");
        } finally {
            Files.deleteIfExists(dead);
            Files.deleteIfExists(live);
        }
    }

    /**
     * A process that takes a channel's header lock and hangs (here a Python process that never lets go)
     * delays a writer's close and a successor by at most the lock's patience; neither hangs.
     */
    @Test
    void aHungHolderOfTheHeaderLockDelaysButNeverHangsAWriter() throws Exception {
        String name = name("held");
        ChannelSpec spec = ChannelSpec.of(name, ChannelType.RAW).capacity(16);
        ChannelWriter writer = ChannelWriter.create(spec);
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl, os, sys, time\n"
                + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX, 4096, 0, os.SEEK_SET)\n"
                + "print('held', flush=True)\n"
                + "time.sleep(60)\n", shm(name).toString()).start();
        try {
            assertEquals("held", holder.inputReader().readLine());
            assertTimeoutPreemptively(Duration.ofSeconds(20), writer::close, "close gives up on the lock");
            assertTrue(Files.exists(shm(name)), "without the lock, the name is left alone");
            ChannelBusyException e = assertThrows(ChannelBusyException.class, () -> ChannelWriter.create(spec));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("header lock"), e.getMessage());
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }
}
