package io.virta.hub;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.InputStream;

/**
 * Makes a service answer a request that is not valid protobuf (garbage bytes, invalid UTF-8 in a string,
 * a truncated field) with INVALID_ARGUMENT naming the message type. gRPC itself would answer UNKNOWN
 * "Application error processing RPC", which tells the client nothing and blames the server.
 *
 * <p>How: the request marshaller no longer throws; it hands an {@link Unparseable} to the call's
 * listener, which closes the call with the reason instead of passing it to the service.
 */
final class StrictParsing {
    private StrictParsing() {
    }

    static ServerServiceDefinition apply(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(service.getServiceDescriptor()
                .getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            strict.addMethod(strict(method));
        }
        return strict.build();
    }

    /** A request that did not parse, and why. */
    private record Unparseable(String reason) {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <Q, R> ServerMethodDefinition<Object, R> strict(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        MethodDescriptor.Marshaller<Q> requests = descriptor.getRequestMarshaller();
        String type = requests instanceof MethodDescriptor.ReflectableMarshaller<Q> reflectable
                ? reflectable.getMessageClass().getSimpleName() : "request";
        MethodDescriptor.Marshaller<Object> lenient = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Object value) {
                return requests.stream((Q) value);
            }

            @Override
            public Object parse(InputStream stream) {
                try {
                    return requests.parse(stream);
                } catch (StatusRuntimeException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    return new Unparseable("the request is not a valid virta.events.v1." + type + ": "
                            + cause.getMessage());
                }
            }
        };
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        ServerCallHandler<Object, R> checked = (call, headers) -> {
            ServerCall.Listener<Q> service = handler.startCall((ServerCall<Q, R>) (ServerCall) call, headers);
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Object>(
                    (ServerCall.Listener) service) {
                private boolean refused;

                @Override
                public void onMessage(Object message) {
                    if (message instanceof Unparseable unparseable) {
                        refused = true;
                        call.close(Status.INVALID_ARGUMENT.withDescription(unparseable.reason()), new Metadata());
                    } else if (!refused) {
                        super.onMessage(message);
                    }
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }
            };
        };
        return ServerMethodDefinition.create(descriptor.toBuilder(lenient, descriptor.getResponseMarshaller()).build(),
                checked);
    }
}
