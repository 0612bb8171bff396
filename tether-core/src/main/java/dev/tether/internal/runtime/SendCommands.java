package dev.tether.internal.runtime;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import java.util.Map;
import java.util.function.Supplier;

/** The node-thread commands of a send: its submission to the engine, and the tracking of its outcome. */
final class SendCommands {
    private SendCommands() {}

    /** A send for the node thread; refused, like every send after {@code failAll}, once the node stopped. */
    static final class Submit implements NodeLoop.Command {
        private final NodeLoop loop;
        private final SendAdmission sends;
        private final Supplier<NodeClosedException> closed;
        private final long token;
        private final Receipts.Receipt receipt;
        private final NodeId to;
        private final String lane;
        private final Map<String, String> headers;
        private final byte[] payload;
        private final long expiresAt;

        Submit(
                NodeLoop loop,
                SendAdmission sends,
                Supplier<NodeClosedException> closed,
                long token,
                Receipts.Receipt receipt,
                NodeId to,
                String lane,
                Map<String, String> headers,
                byte[] payload,
                long expiresAt) {
            this.loop = loop;
            this.sends = sends;
            this.closed = closed;
            this.token = token;
            this.receipt = receipt;
            this.to = to;
            this.lane = lane;
            this.headers = headers;
            this.payload = payload;
            this.expiresAt = expiresAt;
        }

        @Override
        public void run(long now) {
            if (loop.receipts().register(token, receipt)) {
                if (receipt.hook != null) receipt.hook.submitted(now);
                loop.engine().send(now, token, to, lane, headers, payload, expiresAt);
                sends.rooms.entered(receipt.room); // counted by the engine from here on, or released if refused
            }
        }

        @Override
        public void refuse() {
            sends.giveBack(receipt.room, receipt.bytes);
            receipt.fail(closed.get());
        }
    }

    /** Tracks a {@code processed()} future on the node thread; fails it if the node stopped first. */
    static final class Watch implements NodeLoop.Command {
        private final NodeLoop loop;
        private final Receipts.Receipt receipt;
        private final NodeId node;

        Watch(NodeLoop loop, Receipts.Receipt receipt, NodeId node) {
            this.loop = loop;
            this.receipt = receipt;
            this.node = node;
        }

        @Override
        public void run(long now) {
            loop.receipts().watch(receipt);
        }

        @Override
        public void refuse() {
            receipt.fail(new NodeClosedException("node " + node + " shut down before this send's outcome was known"));
        }
    }
}
