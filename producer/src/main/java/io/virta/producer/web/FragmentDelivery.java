package io.virta.producer.web;

import io.netty.buffer.ByteBuf;
import io.virta.rtsp.fanout.Delivery;

/**
 * One fMP4 fragment as handed to an event loop: a reference to the pooled buffer the muxer wrote
 * (header and moof+mdat), and the init segment that was current for it.
 */
final class FragmentDelivery extends Delivery<FragmentDelivery> {
    private ByteBuf fragment;
    private boolean keyframe;
    private BrowserInitSegment init;

    /** Publisher: the unit to hand out; this delivery now owns the reference to {@code fragment}. */
    void set(ByteBuf fragment, boolean keyframe, BrowserInitSegment init) {
        this.fragment = fragment;
        this.keyframe = keyframe;
        this.init = init;
    }

    /** Header and moof+mdat; its indices are shared, so readers write a duplicate of it. */
    ByteBuf fragment() {
        return fragment;
    }

    @Override
    public boolean keyframe() {
        return keyframe;
    }

    BrowserInitSegment init() {
        return init;
    }

    @Override
    protected void share(FragmentDelivery source) {
        set(source.fragment.retain(), source.keyframe, source.init);
    }

    @Override
    protected void release() {
        fragment.release();
        fragment = null;
        init = null;
    }
}
