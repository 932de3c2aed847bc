/**
 * The producer's gRPC control API ({@code virta.control.v1.ProducerControl}, protos module):
 * {@link io.virta.producer.control.ControlServer} serves it, {@link io.virta.producer.control.ControlService}
 * maps each call onto the {@link io.virta.producer.daemon.Producer}, and
 * {@link io.virta.producer.control.ControlMessages} converts between protobuf messages and the
 * producer's own types. User documentation: docs/producer-control-api.md.
 */
package io.virta.producer.control;
