/**
 * The browser live view ({@code webView:} in the producer's YAML): an HTTP server on the producer's
 * event loops that serves a static page, a JSON status API, each camera as fragmented MP4 over a
 * WebSocket (muxed once per camera, whatever the number of browsers) and the event hub's events as
 * JSON over another, and the recording stores' video: spans as JSON and exports as files that answer
 * Range requests ({@link io.virta.producer.web.RecordingRoutes}). See docs/web.md and docs/recording.md.
 */
package io.virta.producer.web;
