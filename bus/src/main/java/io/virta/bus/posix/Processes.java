package io.virta.bus.posix;

import com.sun.jna.Native;

/** Process identity and liveness, as the bus format defines them (kill(pid, 0)). */
public final class Processes {
    private static final int SELF = LibC.getpid();

    private Processes() {
    }

    public static int selfPid() {
        return SELF;
    }

    /** True when a process with this pid exists, even one we may not signal (EPERM). */
    public static boolean isAlive(int pid) {
        if (pid <= 0) {
            return false;
        }
        if (LibC.kill(pid, 0) == 0) {
            return true;
        }
        return Native.getLastError() == LibC.EPERM;
    }
}
