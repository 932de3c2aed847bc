package io.virta.producer.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file's top-level {@code rtpOut:} section: what every camera's {@code rtpOut:} shares, and
 * what the control API may ask of it (docs/producer.md, "Sending a camera over RTP").
 *
 * @param sdpDirectory           where {@code <camera>.sdp} goes for a camera that names no {@code sdp:}
 *                               file, and for every camera added over the control API, which may name none
 * @param sdpGroup               null: SDP files are 0600 (owner only); else they are 0640 and owned by this
 *                               Unix group, for players running as another user of it (as the bus's group)
 * @param controlApiDestinations the only addresses AddStream's {@code rtp_out.destination} may name;
 *                               empty (the default) refuses {@code rtp_out} over the API
 */
public record RtpOutSettings(Path sdpDirectory, String sdpGroup, List<AddressRange> controlApiDestinations) {
    /** The YAML setting that lets the control API send RTP somewhere, named in its refusals. */
    public static final String DESTINATIONS_SETTING = "rtpOut.controlApiDestinations";
    public static final RtpOutSettings DEFAULTS = new RtpOutSettings(Path.of(""), null, List.of());

    public RtpOutSettings {
        controlApiDestinations = List.copyOf(controlApiDestinations);
    }

    /** Whether the control API may send to {@code address}. */
    public boolean allowsOverControlApi(InetAddress address) {
        for (AddressRange range : controlApiDestinations) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Where the SDP file of {@code camera} goes when nothing names it. */
    public Path defaultSdpFile(String camera) {
        return sdpDirectory.resolve(camera + ".sdp");
    }

    static RtpOutSettings parse(YamlNode node) throws ConfigException {
        node.allowOnly("sdpDirectory", "sdpGroup", "controlApiDestinations");
        return new RtpOutSettings(directory(node.get("sdpDirectory")), group(node.get("sdpGroup")),
                ranges(node.get("controlApiDestinations")));
    }

    private static Path directory(YamlNode node) throws ConfigException {
        String directory = node.string(null);
        if (directory == null) {
            return DEFAULTS.sdpDirectory();
        }
        if (directory.isBlank()) {
            throw node.error("is empty; give a directory, e.g. /run/virta/sdp, or leave it out for the working"
                    + " directory");
        }
        try {
            return Path.of(directory.strip());
        } catch (InvalidPathException e) {
            throw node.error("'" + directory + "' is not a directory path: " + e.getReason());
        }
    }

    private static String group(YamlNode node) throws ConfigException {
        String group = node.string(null);
        if (group != null) {
            try {
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            } catch (IOException e) {
                throw node.error("unknown group '" + group + "': create it (groupadd " + group
                        + "), or name an existing group");
            }
        }
        return group;
    }

    private static List<AddressRange> ranges(YamlNode node) throws ConfigException {
        List<AddressRange> ranges = new ArrayList<>();
        for (YamlNode range : node.list()) {
            try {
                ranges.add(AddressRange.parse(range.requiredString()));
            } catch (IllegalArgumentException e) {
                throw range.error(e.getMessage());
            }
        }
        return ranges;
    }
}
