package io.virta.producer.source.sdp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Which network interfaces to join a multicast group on.
 *
 * <p>A membership is per interface: the kernel delivers a group's datagrams only to sockets that
 * joined on the interface they came in on. A sender on this host that sends through loopback
 * (ffmpeg {@code localaddr=127.0.0.1}) is heard only by a join on {@code lo}; a camera on the LAN
 * only by a join on the LAN interface. Without a configured interface we join on both: the one
 * the routing table sends the group to, and loopback. One sender's datagrams come in on one
 * interface, so the two joins never duplicate a stream.
 */
public final class MulticastInterfaces {
    private MulticastInterfaces() {
    }

    /**
     * @param configured an interface name ({@code eth1}) or one of its addresses, or null for the
     *                   routed interface plus loopback
     */
    static List<NetworkInterface> choose(String configured, InetAddress group) throws SdpSourceException {
        try {
            if (configured != null && !configured.isBlank()) {
                return List.of(named(configured.strip()));
            }
            List<NetworkInterface> chosen = new ArrayList<>(2);
            NetworkInterface routed = routed(group);
            if (routed != null) {
                chosen.add(routed);
            }
            NetworkInterface loopback = loopback();
            if (loopback != null && !chosen.contains(loopback)) {
                chosen.add(loopback);
            }
            if (chosen.isEmpty()) {
                throw new SdpSourceException("interface", "no network interface to join multicast group "
                        + group.getHostAddress() + " on; set interface: to the one the stream arrives on");
            }
            return chosen;
        } catch (SocketException e) {
            throw new SdpSourceException("interface", "cannot list network interfaces: " + e.getMessage(), e);
        }
    }

    static String names(List<NetworkInterface> interfaces) {
        return String.join("+", interfaces.stream().map(NetworkInterface::getName).toList());
    }

    /**
     * The interface called {@code name} ({@code eth1}), or the one holding that local address; it must be up.
     * The exception's message says what exists instead.
     */
    public static NetworkInterface named(String name) throws SocketException, SdpSourceException {
        NetworkInterface found = NetworkInterface.getByName(name);
        if (found == null) {
            try {
                found = NetworkInterface.getByInetAddress(InetAddress.ofLiteral(name));
            } catch (IllegalArgumentException notAnAddress) {
                // a name that does not exist; reported below
            }
        }
        if (found == null) {
            throw new SdpSourceException("interface", "interface " + name + " does not exist on this host; it has "
                    + String.join(", ", NetworkInterface.networkInterfaces().map(NetworkInterface::getName).toList()));
        }
        if (!found.isUp()) {
            throw new SdpSourceException("interface", "interface " + name + " is down; bring it up or name another");
        }
        // Not gated on supportsMulticast(): Linux reports false for lo, yet joining there works.
        return found;
    }

    /** The interface the routing table sends the group to; null when there is no route. */
    private static NetworkInterface routed(InetAddress group) {
        var family = group instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        // Connecting a UDP socket sends nothing; it only asks the kernel for a route and a source address.
        try (DatagramChannel probe = DatagramChannel.open(family)) {
            probe.connect(new InetSocketAddress(group, 9));
            InetAddress local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface routed = NetworkInterface.getByInetAddress(local);
            return routed != null && routed.isUp() ? routed : null;
        } catch (IOException | RuntimeException noRoute) {
            return null;
        }
    }

    private static NetworkInterface loopback() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isLoopback() && i.isUp();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .findFirst().orElse(null);
    }
}
