package io.virta.producer.config;

import java.net.InetAddress;

/**
 * A block of IP addresses written as CIDR ({@code 239.192.0.0/16}, {@code 10.0.5.7/32},
 * {@code ff15::/16}); a bare address is a block of one. Immutable; parsing never resolves a name,
 * so a range cannot change behind the configuration's back (no DNS rebinding).
 *
 * <pre>
 *   AddressRange.parse("239.192.0.0/16").contains(InetAddress.ofLiteral("239.192.4.1"))   // true
 * </pre>
 */
public record AddressRange(InetAddress network, int prefixLength) {
    public AddressRange {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix /" + prefixLength + " is outside 0.." + bits);
        }
    }

    /**
     * Parses {@code ADDRESS/PREFIX} or a bare {@code ADDRESS}; the host bits must be zero, so a
     * typo such as {@code 10.0.0.1/8} is caught rather than widened silently.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static AddressRange parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash >= 0 ? trimmed.substring(0, slash) : trimmed;
        InetAddress network;
        try {
            network = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address range; write e.g. 239.192.0.0/16,"
                    + " 10.0.5.7/32 or ff15::/16 (IP addresses only, no host names)");
        }
        int bits = network.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix must be 0.." + bits);
            }
        }
        AddressRange range = new AddressRange(network, prefix);
        if (!network.equals(range.first())) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + range.first()
                    .getHostAddress() + "/" + prefix + "?");
        }
        return range;
    }

    /** Whether {@code address} lies in this block; an address of the other IP version never does. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    /** The block's lowest address: the network with its host bits cleared. */
    private InetAddress first() {
        byte[] n = network.getAddress();
        for (int bit = prefixLength; bit < n.length * 8; bit++) {
            n[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(n);
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
