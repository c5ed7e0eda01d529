package dev.shoal.ingest.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A unary call whose request message cannot be read (bytes that are not the method's message: truncated, a wrong
 * wire type, invalid UTF-8 in a string, random bytes) answers INVALID_ARGUMENT naming the request, not INTERNAL.
 * The gRPC server on the HTTP port (the Vert.x bridge) drops a message its marshaller cannot parse, so the call
 * reaches its end without one, which gRPC's unary handler reports as INTERNAL "Half-closed without a request".
 */
@ApplicationScoped
@GlobalInterceptor
public class UnreadableRequestInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return next.startCall(call, headers);
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean received;

            @Override
            public void onMessage(Q message) {
                received = true;
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (received) {
                    super.onHalfClose();
                    return;
                }
                String method = call.getMethodDescriptor().getFullMethodName();
                call.close(Status.INVALID_ARGUMENT.withDescription("the request body: not a valid binary protobuf request of "
                        + method + " (truncated, a wrong wire type, invalid UTF-8 in a string, or no message at all)"), new Metadata());
            }
        };
    }
}
