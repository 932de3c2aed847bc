/**
 * {@code virta bench viewer}: the viewer's benchmark, each figure beside a peer measured in the same run
 * (a naive upload, an RGB quad, ffplay). Its results are in docs/benchmarks.md.
 */
package io.virta.bench.viewer;
