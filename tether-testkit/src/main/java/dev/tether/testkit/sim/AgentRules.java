package dev.tether.testkit.sim;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.AgentDelivered;
import dev.tether.testkit.sim.HistoryEvent.AgentSent;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The rules {@link HistoryChecker} applies to messages between endpoints (agents, docs/BUS-DESIGN.md section 1), on top
 * of those of every message. An endpoint pair's messages are a part of one stream (sending node, receiving endpoint's
 * lane), so the stream rules already make them exactly once and in stream order; these check what the streams cannot
 * see, that the endpoint mapping keeps each pair of endpoints in the sending endpoint's order and each message with its
 * addressee and its sender:
 *
 * <ul>
 *   <li><b>anomaly</b>: a message committed on a stream other than its addressee's ({@code _a.<agent>} of its node,
 *       from its sending node), or on an endpoint lane without an endpoint having sent it;
 *   <li><b>reordered</b>: two messages of one endpoint pair committed in the other order than the sending endpoint
 *       sent them, or handed out for the first time in the other order;
 *   <li><b>phantom</b>: a message handed to an endpoint other than its addressee, or as coming from another endpoint
 *       than the one that sent it, or one no endpoint sent.
 * </ul>
 *
 * <p>A history without any {@link AgentSent} (one recorded by processes, whose logs do not name endpoints) is checked
 * by the stream rules alone.
 */
final class AgentRules {
    private record Pair(String fromNode, String fromAgent, String toNode, String toAgent) {
        @Override
        public String toString() {
            return fromNode + "/" + fromAgent + "->" + toNode + "/" + toAgent;
        }
    }

    private record Sending(AgentSent sent, Pair pair, long index) {}

    private static final class PairState {
        long sends;
        /** Send index to committed sequence number. */
        final TreeMap<Long, Long> committed = new TreeMap<>();
        /** Highest send index handed out for the first time, or -1. */
        long lastFirstDelivery = -1;
    }

    private final CheckReport report;
    private final Consumer<String> count;
    private final Map<Long, Sending> sendings = new HashMap<>();
    private final Map<Pair, PairState> pairs = new HashMap<>();
    private final Set<Long> handedOut = new HashSet<>();

    AgentRules(CheckReport report, Consumer<String> count) {
        this.report = report;
        this.count = count;
    }

    static boolean isAgentLane(String lane) {
        return lane.startsWith("_a.");
    }

    void sent(AgentSent s) {
        Pair pair = new Pair(s.node(), s.fromAgent(), s.to(), s.toAgent());
        PairState st = pairs.computeIfAbsent(pair, p -> new PairState());
        sendings.put(s.msgId(), new Sending(s, pair, st.sends++));
        count.accept("agentSends");
    }

    void committed(Committed c) {
        if (sendings.isEmpty() || !isAgentLane(c.lane())) return;
        Sending s = sendings.get(c.msgId());
        String where = "msg " + c.msgId() + " committed at t=" + c.time() + " as " + c.sender() + "->" + c.receiver()
                + "/" + c.lane() + "#" + c.seq();
        if (s == null) {
            report.add(Kind.ANOMALY, where + ": on an endpoint lane, but no endpoint sent it");
            return;
        }
        Pair p = s.pair();
        if (!c.sender().equals(p.fromNode())
                || !c.receiver().equals(p.toNode())
                || !c.lane().equals("_a." + p.toAgent())) {
            report.add(Kind.ANOMALY, where + ": sent " + p + ", so not on that endpoint's stream");
            return;
        }
        PairState st = pairs.get(p);
        Map.Entry<Long, Long> before = st.committed.lowerEntry(s.index());
        Map.Entry<Long, Long> after = st.committed.higherEntry(s.index());
        if ((before != null && before.getValue() >= c.seq()) || (after != null && after.getValue() <= c.seq())) {
            report.add(
                    Kind.REORDERED,
                    where + ": send " + s.index() + " of " + p + ", numbered out of the order its endpoint sent in "
                            + st.committed);
        }
        st.committed.put(s.index(), c.seq());
    }

    void delivered(AgentDelivered d) {
        count.accept("agentDeliveries");
        if (sendings.isEmpty()) {
            report.add(Kind.PHANTOM, "msg " + d.msgId() + " handed to an endpoint, but no endpoint sent anything");
            return;
        }
        if (d.receiver().equals(d.sender())) count.accept("agentDeliveriesInOneNode");
        Sending s = sendings.get(d.msgId());
        String where = "msg " + d.msgId() + " handed at t=" + d.time() + " to " + d.receiver() + "/" + d.toAgent()
                + " from " + d.sender() + "/" + d.fromAgent();
        if (s == null) {
            report.add(Kind.PHANTOM, where + ": no endpoint sent it");
            return;
        }
        Pair p = s.pair();
        Pair seen = new Pair(d.sender(), d.fromAgent(), d.receiver(), d.toAgent());
        if (!seen.equals(p)) {
            report.add(Kind.PHANTOM, where + ": it was sent " + p);
            return;
        }
        if (!handedOut.add(d.msgId())) return; // again: the stream rules decide whether it may be
        PairState st = pairs.get(p);
        if (s.index() < st.lastFirstDelivery) {
            report.add(
                    Kind.REORDERED,
                    where + ": send " + s.index() + " of its pair, handed out first after send "
                            + st.lastFirstDelivery);
        } else {
            count.accept(st.lastFirstDelivery < 0 ? "agentPairs" : "agentPairFollowUps"); // the latter: order checked
            st.lastFirstDelivery = s.index();
        }
    }
}
