package io.virta.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.function.UnaryOperator;

/**
 * Opens the gRPC channel of every Virta client (workers, the viewer, the CLI, the demo) to a
 * {@link GrpcTarget}: TCP or a Unix-domain socket, TLS when the target's {@link ClientSecurity} names a
 * CA file, and the token as {@code authorization: Bearer <token>} metadata on every call. One place, so
 * that no client forgets the token.
 *
 * <pre>{@code
 * ManagedChannel channel = GrpcChannels.open(GrpcTarget.parse(hostPort, "--hub"), b -> b.directExecutor());
 * }</pre>
 */
public final class GrpcChannels {
    /** The metadata key the token travels in. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The scheme before the token in {@link #AUTHORIZATION}. */
    public static final String BEARER = "Bearer ";

    /**
     * gRPC asks for SO_KEEPALIVE on every connection, and Netty warns for each Unix-domain socket, which
     * has no such option: one warning line per connection, saying nothing useful. Held here so the
     * level sticks (java.util.logging keeps loggers weakly).
     */
    static final Logger BOOTSTRAP_LOG = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.AbstractBootstrap");

    private GrpcChannels() {
    }

    public static ManagedChannel open(GrpcTarget target) {
        return open(target, UnaryOperator.identity());
    }

    /**
     * A channel to {@code target}; {@code customize} may set more options (an executor, keepalive).
     *
     * @throws IllegalArgumentException when the CA file cannot be read, or the environment's
     *                                  security settings are unusable (naming the variable)
     */
    public static ManagedChannel open(GrpcTarget target, UnaryOperator<ManagedChannelBuilder<?>> customize) {
        ClientSecurity security = target.security();
        ChannelCredentials credentials;
        if (security.caFile().isPresent()) {
            try {
                credentials = TlsChannelCredentials.newBuilder().trustManager(security.caFile().get().toFile()).build();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the CA certificate file " + security.caFile().get()
                        + ": " + e.getMessage() + "; give the PEM file of the CA that signed the server's certificate");
            }
        } else {
            credentials = InsecureChannelCredentials.create();
        }
        if (target.socket().isPresent()) {
            quietKeepAliveWarnings();
        }
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target.target(), credentials);
        security.token().ifPresent(token -> builder.intercept(new BearerToken(token)));
        return customize.apply(builder).build();
    }

    /** Silences Netty's "Unknown channel option 'SO_KEEPALIVE'" warning of Unix-domain sockets (errors still show). */
    public static void quietKeepAliveWarnings() {
        BOOTSTRAP_LOG.setLevel(Level.SEVERE);
    }

    /** Adds the token to the headers of every call. */
    private static final class BearerToken implements ClientInterceptor {
        private final String value;

        BearerToken(String token) {
            this.value = BEARER + token;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, value);
                    super.start(listener, headers);
                }
            };
        }

        @Override
        public String toString() {
            return "bearer token <hidden>";
        }
    }
}
