/**
 * The GL viewer, {@code virta viewer}: a process of its own that shows cameras' YUV420P bus channels in
 * GLFW windows, so that a viewer crash never touches ingest.
 *
 * <p>How a frame travels, one package per step:
 * <ol>
 *   <li>{@code feed}: one thread per distinct channel pulls frames (attaching by camera name through the
 *       producer, re-attaching after restarts) and copies each, once, into a pixel buffer of that stream's
 *       presentation queue;</li>
 *   <li>{@code present}: the queue decides which frame is due (capture time plus the buffering time),
 *       discards late and superseded frames, and says when a stream has gone silent;</li>
 *   <li>{@code gl}: the render thread uploads each due frame once into the stream's three plane textures
 *       and draws it into every tile that shows the stream, converting YUV to RGB in a shader;</li>
 *   <li>{@code layout}: which windows exist and which stream each tile shows (flags or a layout file);</li>
 *   <li>{@code overlay}: boxes and labels from the event hub, drawn over the tiles of their camera.</li>
 * </ol>
 */
package io.virta.viewer;
