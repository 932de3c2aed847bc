/**
 * Text for the viewer's windows (camera names, "NO SIGNAL", overlay captions): printable ASCII
 * rasterized once into a {@link io.virta.viewer.gl.text.TextAtlas}, drawn by a
 * {@link io.virta.viewer.gl.text.TextRenderer} as textured quads from a pre-allocated buffer.
 */
package io.virta.viewer.gl.text;
