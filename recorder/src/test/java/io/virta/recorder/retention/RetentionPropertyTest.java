package io.virta.recorder.retention;

import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.retention.RecordedCameras.Camera;
import io.virta.recorder.retention.RecordedCameras.TestClock;
import io.virta.recorder.store.RecordingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.virta.recorder.retention.RecordedCameras.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Retention on a test clock over random histories of real small stores: cameras recording and
 * stopping, time passing, event marks, protected ranges added and lifted, random policies (store and
 * camera budgets, keepFree on a disk of a given size, maxAge, minAge, event rules). After every run
 * its deletions are checked against a model written here, independently of the service: open
 * segments, protected ranges and video younger than minAge are never deleted; age deletes exactly
 * what is past maxAge and not held by an event; byte budgets delete oldest first, ordinary before
 * event video; every budget is met after the run, or a warning says so and nothing deletable is left;
 * the usage reported is what the disk holds; protected video reads back intact.
 */
class RetentionPropertyTest {
    private static final int TRIALS = 8;
    private static final int STEPS = 40;
    private static final List<String> LABELS = List.of("person", "car", "dog");

    @TempDir
    Path directory;

    /** What all trials together exercised: each kind of deletion and warning must have come up. */
    private final Map<String, Integer> seen = new HashMap<>();

    @Test
    void everyRunKeepsTheInvariantsOverRandomHistories() throws Exception {
        long began = System.nanoTime();
        for (int trial = 0; trial < TRIALS; trial++) {
            long seed = 0x7E7E_2026L + trial;
            try {
                trial(new SplittableRandom(seed), directory.resolve("store-" + trial));
            } catch (AssertionError | Exception failure) {
                throw new AssertionError("trial " + trial + " (seed " + Long.toHexString(seed) + ")", failure);
            }
        }
        System.out.println("retention property test exercised " + new java.util.TreeMap<>(seen) + " in "
                + (System.nanoTime() - began) / 1_000_000 + " ms");
        for (String kind : List.of("MAX_AGE", "CAMERA_BUDGET", "STORE_BUDGET", "KEEP_FREE", "event video deleted",
                "warning CAMERA_MAX_BYTES", "warning STORE_MAX_BYTES", "warning KEEP_FREE", "warning held by minAge",
                "warning held by protection", "protected segment kept")) {
            assertTrue(seen.getOrDefault(kind, 0) > 0, "no trial exercised " + kind + ": " + seen);
        }
    }

    /** What one trial knows beside the store. */
    private static final class World {
        RetentionPolicy policy;
        long capacity;
        TestClock clock;
        Map<String, Camera> cameras = new HashMap<>();
        List<EventMark> marks = new ArrayList<>();
        /** Protected range id to the segments it covered when it was added. */
        Map<Long, Set<Long>> coveredWhenAdded = new HashMap<>();
        int runs;
        int deletions;
        int warnings;
    }

    private void trial(SplittableRandom random, Path storeDirectory) throws Exception {
        World world = new World();
        List<String> names = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            names.add("cam" + i);
        }
        world.policy = randomPolicy(random, names);
        world.capacity = 500_000 + random.nextInt(1_500_000);
        world.clock = new TestClock(BASE_MICROS);
        try (RecordingStore store = RecordingStore.open(storeDirectory, SMALL);
             RetentionService retention = RetentionService.open(store, world.policy, world.clock,
                     dir -> world.capacity - segmentFileBytes(dir), Duration.ofHours(1))) {
            for (String name : names) {
                world.cameras.put(name, new Camera(store, name));
            }
            for (int step = 0; step < STEPS; step++) {
                act(random, world, store, retention);
                check(world, store, retention);
            }
            for (Camera camera : world.cameras.values()) {
                camera.stop();
                seen.merge("segments written", camera.frames.size(), Integer::sum);
            }
            world.clock.advance(random.nextInt(60) * 1_000_000L);
            check(world, store, retention);
            for (SegmentRow row : store.index().allSegments()) {
                assertIntact(storeDirectory, row, world.cameras.get(row.camera()));
            }
        }
        assertTrue(world.runs > STEPS, "every step ran retention");
    }

    private static RetentionPolicy randomPolicy(SplittableRandom random, List<String> names) {
        long maxBytes = random.nextBoolean() ? RetentionPolicy.UNLIMITED : 150_000 + random.nextInt(600_000);
        long keepFree = random.nextInt(3) == 0 ? 0 : 100_000 + random.nextInt(300_000);
        Duration maxAge = random.nextBoolean() ? RetentionPolicy.FOREVER : Duration.ofSeconds(20 + random.nextInt(200));
        Duration minAge = random.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(random.nextInt(20));
        List<EventRule> events = new ArrayList<>();
        for (String label : LABELS.subList(0, 2)) {
            if (random.nextBoolean()) {
                events.add(new EventRule(label, Duration.ofMillis(random.nextInt(3000)),
                        Duration.ofMillis(random.nextInt(3000)), Duration.ofSeconds(30 + random.nextInt(400))));
            }
        }
        RetentionPolicy policy = new RetentionPolicy(maxBytes, keepFree, maxAge, minAge, events, Map.of());
        for (String name : names) {
            if (random.nextBoolean()) {
                continue;
            }
            CameraRetention own = CameraRetention.INHERIT;
            if (random.nextBoolean()) {
                own = own.withMaxBytes(80_000 + random.nextInt(300_000));
            }
            Duration ownMaxAge = maxAge;
            if (random.nextBoolean()) {
                ownMaxAge = Duration.ofSeconds(10 + random.nextInt(150));
                own = own.withMaxAge(ownMaxAge);
            }
            Duration ownMinAge = Duration.ofSeconds(random.nextInt(12));
            if (random.nextBoolean() && ownMinAge.compareTo(ownMaxAge) <= 0) {
                own = own.withMinAge(ownMinAge);
            } else if (minAge.compareTo(ownMaxAge) > 0) {
                own = own.withMinAge(ownMaxAge);
            }
            if (random.nextBoolean()) {
                own = own.withEvents(List.of(new EventRule("dog", Duration.ZERO, Duration.ofSeconds(1),
                        Duration.ofSeconds(60 + random.nextInt(300)))));
            }
            policy = policy.withCamera(name, own);
        }
        return policy;
    }

    private static void act(SplittableRandom random, World world, RecordingStore store, RetentionService retention)
            throws IOException {
        List<Camera> cameras = world.cameras.values().stream().sorted((a, b) -> a.name.compareTo(b.name)).toList();
        int action = random.nextInt(10);
        long now = world.clock.micros();
        if (action < 5) {
            List<Camera> recording = cameras.stream().filter(c -> random.nextInt(4) != 0).toList();
            int frames = 5 + random.nextInt(100);
            for (int f = 0; f < frames; f++) {
                world.clock.advance(FRAME_MICROS);
                for (Camera camera : recording) {
                    camera.record(world.clock.micros());
                }
            }
        } else if (action < 6) {
            world.clock.advance(1_000_000L + random.nextLong(90_000_000L));
        } else if (action < 7) {
            cameras.get(random.nextInt(cameras.size())).stop();
        } else if (action < 8) {
            Camera camera = cameras.get(random.nextInt(cameras.size()));
            long start = now - random.nextLong(30_000_000L);
            EventMark mark = new EventMark(camera.name, LABELS.get(random.nextInt(LABELS.size())),
                    RetentionLines.instant(start), RetentionLines.instant(start + random.nextLong(2_000_000L)));
            retention.marks().mark(mark);
            world.marks.add(mark);
        } else if (action < 9) {
            List<ProtectedRange> ranges = retention.protections().list();
            if (!ranges.isEmpty() && random.nextInt(3) == 0) {
                ProtectedRange lifted = ranges.get(random.nextInt(ranges.size()));
                assertTrue(retention.protections().remove(lifted.id()));
                world.coveredWhenAdded.remove(lifted.id());
            } else {
                Optional<String> camera = random.nextInt(3) == 0 ? Optional.empty()
                        : Optional.of(cameras.get(random.nextInt(cameras.size())).name);
                long from = now - random.nextLong(60_000_000L);
                ProtectedRange range = retention.protections().add(camera, RetentionLines.instant(from),
                        RetentionLines.instant(from + random.nextLong(10_000_000L)), "trial lock " + world.runs);
                Set<Long> covered = store.index().allSegments().stream()
                        .filter(row -> covers(range, row)).map(SegmentRow::id).collect(Collectors.toSet());
                world.coveredWhenAdded.put(range.id(), covered);
            }
        } else {
            world.clock.advance(random.nextLong(5_000_000L));
        }
    }

    private static boolean covers(ProtectedRange range, SegmentRow row) {
        return (range.camera().isEmpty() || range.camera().get().equals(row.camera()))
                && row.startMicros() <= RetentionLines.micros(range.to())
                && row.endMicros() >= RetentionLines.micros(range.from());
    }

    /** The model's view of a sealed segment at {@code now}: may it go at all, and how it ranks. */
    private record Judged(SegmentRow row, boolean isProtected, boolean young, boolean event) {
        boolean deletable() {
            return row.state() == SegmentState.SEALED && !isProtected && !young;
        }

        boolean ranksBefore(Judged other) {
            if (event != other.event) {
                return !event;
            }
            if (row.startMicros() != other.row.startMicros()) {
                return row.startMicros() < other.row.startMicros();
            }
            return row.id() < other.row.id();
        }
    }

    private static Judged judge(World world, List<ProtectedRange> ranges, SegmentRow row, long now) {
        RetentionPolicy.CameraLimits limits = world.policy.limitsOf(row.camera());
        boolean isProtected = ranges.stream().anyMatch(range -> covers(range, row));
        boolean young = now - row.endMicros() < limits.minAgeMicros();
        boolean event = false;
        for (EventMark mark : world.marks) {
            EventRule rule = limits.rules().get(mark.label());
            if (rule == null || !mark.camera().equals(row.camera())) {
                continue;
            }
            long from = RetentionLines.micros(mark.start()) - RetentionPolicy.micros(rule.pre());
            long to = RetentionLines.micros(mark.end()) + RetentionPolicy.micros(rule.post());
            if (row.startMicros() <= to && row.endMicros() >= from
                    && now < row.endMicros() + RetentionPolicy.micros(rule.keep())) {
                event = true;
            }
        }
        return new Judged(row, isProtected, young, event);
    }

    private void check(World world, RecordingStore store, RetentionService retention) throws IOException {
        Path root = store.directory();
        List<SegmentRow> before = store.index().allSegments();
        Map<Long, SegmentRow> beforeById = before.stream().collect(Collectors.toMap(SegmentRow::id, Function.identity()));
        List<ProtectedRange> ranges = retention.protections().list();
        Set<Long> open = new HashSet<>();
        world.cameras.values().forEach(camera -> open.add(camera.openSegment()));

        RetentionReport report = retention.runNow();
        world.runs++;
        long now = world.clock.micros();
        assertEquals(now, RetentionLines.micros(report.at()));
        assertTrue(report.paused().isEmpty(), report.paused().toString());
        List<SegmentRow> after = store.index().allSegments();
        Set<Long> afterIds = after.stream().map(SegmentRow::id).collect(Collectors.toSet());
        Set<Long> deletedIds = new HashSet<>(beforeById.keySet());
        deletedIds.removeAll(afterIds);
        assertEquals(deletedIds, report.deleted().stream().map(Deletion::segmentId).collect(Collectors.toSet()),
                "the report names exactly the segments gone from the index");
        assertTrue(beforeById.keySet().containsAll(afterIds));
        for (long id : deletedIds) {
            assertFalse(Files.exists(root.resolve(beforeById.get(id).file())), "segment " + id + " left its file");
        }
        world.deletions += deletedIds.size();

        Map<Long, Judged> judged = new HashMap<>();
        for (SegmentRow row : before) {
            judged.put(row.id(), judge(world, ranges, row, now));
        }
        for (Deletion deletion : report.deleted()) {
            seen.merge(deletion.reason().name(), 1, Integer::sum);
            if (deletion.eventVideo()) {
                seen.merge("event video deleted", 1, Integer::sum);
            }
            Judged gone = judged.get(deletion.segmentId());
            SegmentRow row = gone.row();
            assertEquals(SegmentState.SEALED, row.state(), "deleted an open segment: " + deletion);
            assertFalse(open.contains(row.id()), "deleted the segment being written: " + deletion);
            assertFalse(gone.isProtected(), "deleted protected video: " + deletion);
            assertFalse(gone.young(), "deleted video younger than minAge: " + deletion);
            assertEquals(gone.event(), deletion.eventVideo(), "event standing of " + deletion);
            if (deletion.reason() == DeletionReason.MAX_AGE) {
                assertFalse(gone.event(), "age deleted event video before its keep: " + deletion);
                assertTrue(now - row.endMicros() >= world.policy.limitsOf(row.camera()).maxAgeMicros(), deletion.toString());
            } else {
                // Oldest first in its scope, ordinary before event video: nothing deletable that ranks
                // before it is left.
                for (long id : afterIds) {
                    Judged left = judged.get(id);
                    boolean inScope = deletion.reason() != DeletionReason.CAMERA_BUDGET
                            || left.row().camera().equals(row.camera());
                    assertFalse(inScope && left.deletable() && left.ranksBefore(gone),
                            "deleted " + deletion + " but kept older " + left);
                }
            }
        }
        for (ProtectedRange range : ranges) {
            for (SegmentRow row : before) {
                if (covers(range, row)) {
                    assertTrue(afterIds.contains(row.id()), "protected segment " + row.id() + " is gone");
                    seen.merge("protected segment kept", 1, Integer::sum);
                    assertIntact(root, row, world.cameras.get(row.camera()));
                }
            }
            for (long id : world.coveredWhenAdded.getOrDefault(range.id(), Set.of())) {
                assertTrue(afterIds.contains(id), "segment " + id + " that protected range " + range.id() + " covered is gone");
            }
        }
        for (long id : afterIds) {
            Judged left = judged.get(id);
            long maxAge = world.policy.limitsOf(left.row().camera()).maxAgeMicros();
            assertFalse(left.deletable() && !left.event() && now - left.row().endMicros() >= maxAge,
                    "kept " + left + " past maxAge");
        }

        // Budgets: met, or warned of with nothing deletable left in their scope.
        Map<String, Long> bytes = new HashMap<>();
        for (SegmentRow row : after) {
            bytes.merge(row.camera(), Files.size(root.resolve(row.file())), Long::sum);
        }
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(total, segmentFileBytes(root));
        assertEquals(total, report.storeBytes(), "the usage reported is what the disk holds");
        for (String camera : world.cameras.keySet()) {
            assertEquals(bytes.getOrDefault(camera, 0L), report.cameraBytes().getOrDefault(camera, 0L), camera);
            long budget = world.policy.limitsOf(camera).maxBytes();
            checkBudget(report, Budget.CAMERA_MAX_BYTES, camera, bytes.getOrDefault(camera, 0L) > budget,
                    after.stream().filter(r -> r.camera().equals(camera)).map(r -> judged.get(r.id())).toList());
        }
        List<Judged> left = after.stream().map(r -> judged.get(r.id())).toList();
        checkBudget(report, Budget.STORE_MAX_BYTES, root.toString(), total > world.policy.maxBytes(), left);
        long usable = world.capacity - total;
        if (world.policy.keepFree() > 0) {
            assertEquals(usable, report.usableBytes().orElseThrow());
        }
        checkBudget(report, Budget.KEEP_FREE, root.toString(), world.policy.keepFree() > 0
                && usable < world.policy.keepFree(), left);
        world.warnings += report.warnings().size();
        for (BudgetWarning warning : report.warnings()) {
            seen.merge("warning " + warning.budget(), 1, Integer::sum);
            if (warning.minAgeBytes() > 0) {
                seen.merge("warning held by minAge", 1, Integer::sum);
            }
            if (warning.protectedBytes() > 0) {
                seen.merge("warning held by protection", 1, Integer::sum);
            }
        }
    }

    private static void checkBudget(RetentionReport report, Budget budget, String scope, boolean over, List<Judged> left) {
        Optional<BudgetWarning> warning = report.warnings().stream()
                .filter(w -> w.budget() == budget && w.scope().equals(scope)).findFirst();
        assertEquals(over, warning.isPresent(), budget + " of " + scope + ": over " + over + ", warnings "
                + report.warnings());
        if (over) {
            for (Judged judged : left) {
                assertFalse(judged.deletable(), budget + " of " + scope + " is missed but " + judged + " could go");
            }
            assertFalse(warning.get().message().isBlank());
        }
    }
}
