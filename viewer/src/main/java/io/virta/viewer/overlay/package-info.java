/**
 * Boxes and labels from the event hub, drawn over the tiles of their camera.
 *
 * <ul>
 *   <li>{@link io.virta.viewer.overlay.EventOverlays}: subscribes to the hub for the viewer's cameras and
 *       keeps the subscription up through hub restarts;</li>
 *   <li>{@link io.virta.viewer.overlay.OverlayStore}: the latest boxes per camera, shared between the
 *       subscription and the render thread without locks on the reading side;</li>
 *   <li>{@link io.virta.viewer.overlay.OverlayTiming}: when a box is on screen, in the presented video's time;</li>
 *   <li>{@link io.virta.viewer.overlay.OverlayRenderer}: draws a tile's boxes and captions with the
 *       {@link io.virta.viewer.gl.text.TextRenderer}.</li>
 * </ul>
 *
 * <p>Wiring, in the render loop's terms:
 * <pre>{@code
 * OverlayStore store = new OverlayStore(cameraNames, OverlayTiming.parseOverlaySeconds(seconds));
 * EventOverlays overlays = EventOverlays.start(hub, store);           // unless --hub none
 * TextRenderer text = TextRenderer.create(TextAtlas.rasterize(16));  // first window's context current
 * OverlayRenderer renderer = new OverlayRenderer(store, text);
 * int key = renderer.cameraKey(tile.camera());                       // once per tile
 * // per frame and tile, after the video:
 * renderer.draw(windowIndex, key, videoX, videoY, videoWidth, videoHeight, fbWidth, fbHeight,
 *         presentedCaptureMicros, System.nanoTime());
 * }</pre>
 */
package io.virta.viewer.overlay;
