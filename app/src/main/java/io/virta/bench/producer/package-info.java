/** Benchmarks of the producer, each against a peer in the same run ({@code virta bench ingest}). */
package io.virta.bench.producer;
