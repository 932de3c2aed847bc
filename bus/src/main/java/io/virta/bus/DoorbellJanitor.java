package io.virta.bus;

import io.virta.bus.posix.NamedSemaphore;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Removes the doorbell semaphores of readers and wait sets that are still open when the JVM exits, so
 * that an orderly exit leaves nothing in /dev/shm. (A killed process cannot run this: the writer frees
 * its slots, and {@code virta bus clean} its doorbells.)
 */
final class DoorbellJanitor {
    private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> NAMES.forEach(NamedSemaphore::unlink)));
    }

    private DoorbellJanitor() {
    }

    static Set<String> track() {
        return NAMES;
    }
}
