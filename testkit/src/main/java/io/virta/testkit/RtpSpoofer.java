package io.virta.testkit;

import io.virta.testkit.NetworkLab;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code testkit/peers/rtp_spoofer.py}, which sends forged RTP (sequence numbers
 * counting up, an SSRC of its own) from its host or, with {@code --source}, from any address and port
 * through a raw socket. Run it inside a {@link NetworkLab.Namespace} with {@link NetworkLab.Namespace#exec}.
 */
public final class RtpSpoofer {
    private RtpSpoofer() {
    }

    /** {@code rtp_spoofer.py --count <count> <arguments>}; it prints {@code SENT <n>} when done. */
    public static String[] command(int count, String... arguments) {
        List<String> command = new ArrayList<>(List.of(ExternalCommand.DEBIAN_PYTHON,
                ModulePaths.peersDirectory().resolve("rtp_spoofer.py").toString(), "--count", Integer.toString(count)));
        command.addAll(List.of(arguments));
        return command.toArray(String[]::new);
    }
}
