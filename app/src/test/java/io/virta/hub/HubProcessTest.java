package io.virta.hub;

import io.virta.cli.Virta;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.cli.VirtaJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.virta.hub.HubFixture.event;
import static io.virta.hub.HubFixture.nowMicros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta hub} as its own process: killed with SIGKILL mid-life, restarted on the same journal. */
@Timeout(90)
class HubProcessTest {
    private static final Pattern LISTENING = Pattern.compile("hub listening on (127\\.0\\.0\\.1:(\\d+))");

    @Test
    void theJournalSurvivesSigkillOfTheHub(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        long t = nowMicros();
        List<Long> firstIds;
        Hub first = Hub.start(journal);
        try {
            firstIds = first.stub().report(reports(t, 0, 50)).getIdsList();
            assertEquals(50, firstIds.size());
        } finally {
            first.process.destroyForcibly();   // SIGKILL: no shutdown hook, the journal is not closed
            assertTrue(first.process.waitFor(20, TimeUnit.SECONDS));
            first.close();
        }
        assertEquals(137, first.process.exitValue(), "killed by SIGKILL");

        Hub second = Hub.start(journal);
        try {
            List<Event> back = new ArrayList<>();
            second.stub().query(QueryRequest.getDefaultInstance()).forEachRemaining(back::add);
            assertEquals(firstIds, back.stream().map(Event::getId).toList(), "every event reported before the kill");
            long next = second.stub().report(reports(t, 50, 1)).getIds(0);
            assertTrue(next > firstIds.getLast(), "ids keep increasing: " + next);
            second.process.destroy();   // SIGTERM: clean shutdown
            assertTrue(second.process.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            second.drain.join(5000);
            assertFalse(String.join("\n", second.lines).contains("Exception"), "a quiet shutdown: " + second.lines);
            assertFalse(String.join("\n", second.lines).toLowerCase().contains("warning"), "no warnings: " + second.lines);
        } finally {
            second.process.destroyForcibly();
            second.close();
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        assertEquals(2, Virta.run("hub", "--listen", "127.0.0.1:0"));
        assertEquals(2, Virta.run("hub", "--journal", dir.toString(), "--cameras", "a,b/c"));
        assertEquals(2, Virta.run("hub", "--journal", dir.toString(), "--retention-hours", "0"));
        assertEquals(1, Virta.run("hub", "--journal", dir.toString(), "--listen", "nonsense"));
    }

    private static ReportRequest reports(long t, int from, int count) {
        ReportRequest.Builder request = ReportRequest.newBuilder();
        for (int i = from; i < from + count; i++) {
            request.addEvents(event("lobby", "motion", t + i, i));
        }
        return request.build();
    }

    /** A running {@code virta hub} and a channel to it. */
    private record Hub(Process process, ManagedChannel channel, List<String> lines, Thread drain) implements AutoCloseable {
        static Hub start(Path journal) throws Exception {
            Process process = new ProcessBuilder(VirtaJvm.command("hub", "--listen", "127.0.0.1:0", "--journal",
                    journal.toString(), "--cameras", "lobby,yard")).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            Matcher m = first == null ? null : LISTENING.matcher(first);
            if (m == null || !m.matches()) {
                process.destroyForcibly();
                throw new AssertionError("the first line is 'hub listening on HOST:PORT', not: " + first);
            }
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread drain = Thread.ofPlatform().daemon().start(() -> out.lines().forEach(lines::add));
            ManagedChannel channel = NettyChannelBuilder.forTarget(m.group(1)).usePlaintext().build();
            return new Hub(process, channel, lines, drain);
        }

        EventHubGrpc.EventHubBlockingStub stub() {
            return EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }
}
