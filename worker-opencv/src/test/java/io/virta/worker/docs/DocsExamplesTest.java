package io.virta.worker.docs;

import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelWriter;
import io.virta.bus.WritableFrame;
import io.virta.protos.events.v1.Event;
import io.virta.worker.CollectingSink;
import io.virta.worker.FrameSource;
import io.virta.worker.TestChannels;
import io.virta.worker.WorkerArguments;
import io.virta.worker.WorkerRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The examples of docs/workers.md compile (they are these files), appear there verbatim, and work. */
@Timeout(60)
class DocsExamplesTest extends TestChannels {
    private static final Path DOC = Path.of("..", "docs", "workers.md");
    private static final Path SOURCES = Path.of("src", "test", "java", "io", "virta", "worker", "docs");

    @Test
    void theDocShowsTheseExamplesVerbatim() throws Exception {
        String doc = Files.readString(DOC);
        for (String[] example : new String[][] {{"BrightnessWorker.java", "callback"}, {"DarkFrameCounter.java", "loop"},
                {"MotionAnalyzerExample.java", "analyzer"}}) {
            String source = Files.readString(SOURCES.resolve(example[0]));
            String begin = "// docs:begin " + example[1] + "\n";
            String body = source.substring(source.indexOf(begin) + begin.length(), source.indexOf("// docs:end"));
            assertTrue(doc.contains(body), example[0] + " is quoted in docs/workers.md as it is");
        }
    }

    @Test
    void theCallbackExampleReportsBrightFrames() throws Exception {
        String channel = channelName("bright");
        CollectingSink sink = new CollectingSink();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(channel, 64, 32))) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread scene = Thread.ofPlatform().start(() -> {
                for (int i = 0; running.get(); i++) {
                    fill(writer, i % 2 == 0 ? 250 : 10);
                    sleep(5);
                }
            });
            try (WorkerRunner _ = WorkerRunner.builder(new BrightnessWorker(), FrameSource.channel(channel, "lobby"))
                    .name("brightness").events(sink).arguments(WorkerArguments.builder().add("threshold", "180").build())
                    .start()) {
                long giveUp = System.nanoTime() + 20_000_000_000L;
                while (sink.events().size() < 3 && System.nanoTime() < giveUp) {
                    Thread.sleep(10);
                }
            } finally {
                running.set(false);
                scene.join();
            }
        }
        Event e = sink.events().getFirst();
        assertEquals("bright", e.getType());
        assertEquals("lobby", e.getCamera());
        assertEquals("brightness", e.getSource());
        assertEquals("250.0", e.getAttributesOrThrow("brightness"));
    }

    @Test
    void theLoopExampleCountsDarkFrames() throws Exception {
        String channel = channelName("dark");
        CollectingSink sink = new CollectingSink();
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(channel, 64, 32))) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread scene = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    fill(writer, 5);
                    sleep(5);
                }
            });
            try {
                assertEquals(10, DarkFrameCounter.watch(FrameSource.channel(channel), sink, 10));
            } finally {
                running.set(false);
                scene.join();
            }
        }
        assertEquals(10, sink.events().size());
        assertEquals("dark", sink.events().getFirst().getType());
        assertEquals(channel.substring(0, channel.lastIndexOf('.')), sink.events().getFirst().getCamera());
    }

    private static void fill(ChannelWriter writer, int level) {
        WritableFrame f = writer.claim();
        f.payload().fill((byte) level);
        writer.commit();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
