/**
 * The producer process: its cameras' pipelines on a few shared I/O threads, status reporting and
 * orderly shutdown.
 */
package io.virta.producer.daemon;
