package io.virta.rtsp.sdp;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * The {@code c=} line: {@code c=IN IP4 224.1.2.3/127} (multicast, TTL 127) or
 * {@code c=IN IP4 0.0.0.0} (the usual RTSP placeholder). The address stays a string and is never
 * looked up: an SDP from the network must not make us resolve host names.
 *
 * @param ttl          for IPv4 multicast, the time-to-live written after the first {@code /}
 * @param addressCount how many consecutive multicast addresses (the last {@code /n}); 1 when absent
 */
public record Connection(String networkType, String addressType, String address, OptionalInt ttl,
                         int addressCount) {

    /** Whether the address is IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
    public boolean isMulticast() {
        if (addressType.equalsIgnoreCase("IP6")) {
            return address.toLowerCase(Locale.ROOT).startsWith("ff");
        }
        int dot = address.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        try {
            int firstOctet = Integer.parseInt(address, 0, dot, 10);
            return firstOctet >= 224 && firstOctet <= 239;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }
}
