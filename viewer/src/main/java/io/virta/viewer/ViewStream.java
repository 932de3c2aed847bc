package io.virta.viewer;

import io.virta.viewer.feed.FeedState;
import io.virta.viewer.feed.StreamFeed;
import io.virta.viewer.gl.ColorConversion;
import io.virta.viewer.gl.StreamTextures;
import io.virta.viewer.layout.StreamRef;
import io.virta.viewer.present.PresentationQueue;

/**
 * One distinct stream as the render thread sees it: its feed and queue, its textures (uploaded once per
 * frame however many tiles show it), and whether it has a live picture.
 */
final class ViewStream implements AutoCloseable {
    final StreamRef ref;
    final PresentationQueue queue;
    final StreamFeed feed;
    final StreamTextures textures = new StreamTextures();
    final ColorConversion conversion = new ColorConversion();
    long lastPresentNanos;
    boolean live;
    FeedState shownState;
    int overlayKey = -1;
    /** The tile's caption, made once: text drawing takes a CharSequence and allocates nothing. */
    final String caption;

    ViewStream(StreamRef ref, PresentationQueue queue, StreamFeed feed) {
        this.ref = ref;
        this.queue = queue;
        this.feed = feed;
        this.caption = ref.isChannel() ? ref.name() : ref.camera();
    }

    @Override
    public void close() {
        feed.close();
    }
}
