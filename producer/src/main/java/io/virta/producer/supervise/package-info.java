/**
 * Analyzer processes the producer launches and keeps running (the configuration's {@code workers:}).
 *
 * <p>A worker is a process of its own, never a thread of the producer: a worker that crashes,
 * hangs or leaks cannot touch ingest, decoding or the other readers of the bus. The
 * {@link io.virta.producer.supervise.WorkerSupervisor} starts each one, restarts it with
 * exponential back-off when it exits, and reports its state to the control API. Workers die with
 * the producer, even when the producer is killed with SIGKILL (their parent-death signal). A Java
 * worker runs as the application's {@link io.virta.producer.supervise.JvmLaunch} says: the producer
 * does not know the command line that hosts workers.
 */
package io.virta.producer.supervise;
