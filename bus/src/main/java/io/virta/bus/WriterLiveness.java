package io.virta.bus;

import io.virta.bus.layout.ChannelHeaderDescriptor;
import io.virta.bus.posix.Processes;

/** Whether a channel's writer is still there, judged as docs/bus-format.md section 5.3 says. */
enum WriterLiveness {
    ALIVE,
    CLOSED,
    REPLACED,
    DEAD;

    static WriterLiveness of(ChannelMemory memory) {
        int state = memory.state();
        if (state == ChannelHeaderDescriptor.STATE_CLOSED) {
            return CLOSED;
        }
        if (state == ChannelHeaderDescriptor.STATE_REPLACED) {
            return REPLACED;
        }
        boolean fresh = Clock.epochMicros() - memory.heartbeatMicros() <= ChannelHeaderDescriptor.HEARTBEAT_STALE_MICROS;
        return fresh && Processes.isAlive(memory.writerPid()) ? ALIVE : DEAD;
    }
}
