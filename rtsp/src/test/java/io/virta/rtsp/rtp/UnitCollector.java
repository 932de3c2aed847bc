package io.virta.rtsp.rtp;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Keeps a copy of every access unit a depacketizer emits. */
public final class UnitCollector implements AccessUnitListener {
    public record Unit(byte[] data, VideoCodec codec, long rtpTimestamp, long arrivalTimeMicros, boolean keyframe,
                       long sequence) {
        public String hex() {
            return HexFormat.of().formatHex(data);
        }
    }

    public final List<Unit> units = new ArrayList<>();

    @Override
    public void onAccessUnit(AccessUnit unit) {
        if (unit.data().position() != 0 || unit.size() > unit.data().capacity()) {
            throw new AssertionError("unit bytes must be [0, limit) within the buffer");
        }
        byte[] data = new byte[unit.size()];
        unit.data().get(0, data);
        units.add(new Unit(data, unit.codec(), unit.rtpTimestamp(), unit.arrivalTimeMicros(), unit.isKeyframe(),
                unit.sequence()));
    }

    public Unit only() {
        if (units.size() != 1) {
            throw new AssertionError("expected one unit, got " + units.size());
        }
        return units.getFirst();
    }

    public Unit last() {
        return units.getLast();
    }

    public int count() {
        return units.size();
    }
}
