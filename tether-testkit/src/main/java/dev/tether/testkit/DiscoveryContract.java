package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Discovery}: tests for its numbered rules. Subclass it in a test source set and implement
 * {@link #newFixture()}. Every listener is a {@link Recorder}, which checks on each call that calls never overlap
 * (rule 5), that the node itself is never reported (rule 2), that addresses keep the limits (rule 3), that a loss
 * follows a discovery (rule 4) and that nothing is reported after {@code close} returned (rule 1); the suite fails a
 * test that broke any of them. Tests of optional abilities (members appearing later, losses, invalid input from
 * other nodes) run only if the fixture says it has them, and are otherwise reported as skipped by a JUnit assumption.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class DiscoveryContract {
    /** For subclasses: one per implementation under test. */
    protected DiscoveryContract() {}

    /** How long any awaited condition may take. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(15);

    protected static final NodeId A = NodeId.of("a");
    protected static final NodeId B = NodeId.of("b");
    protected static final NodeId C = NodeId.of("c");
    protected static final NodeId D = NodeId.of("d");
    protected static final NodeId W = NodeId.of("w");

    /** The members of one test and the discoveries that see them. */
    public interface Fixture extends AutoCloseable {
        /**
         * Makes {@code member} exist, and returns the addresses a discovery must report for it (as a set: their
         * order is free). Fixtures that only know members given up front see only those added before {@link
         * #discovery}.
         */
        List<String> addMember(NodeId member);

        /**
         * A new, unstarted discovery serving node {@code self}, which is itself a member as far as the other
         * members are concerned (so it may hear of itself, and must not report it).
         */
        Discovery discovery(NodeId self);

        /** Whether members added after a discovery started are reported by it. */
        default boolean reportsLateMembers() {
            return true;
        }

        /** Whether {@link #removeMember} works and the discovery reports the loss. */
        default boolean reportsLoss() {
            return false;
        }

        /** Makes {@code member} leave. */
        default void removeMember(NodeId member) {
            throw new UnsupportedOperationException("this fixture cannot remove members");
        }

        /** Whether {@link #injectInvalid} works: the discovery takes membership input from other nodes. */
        default boolean takesRemoteInput() {
            return false;
        }

        /**
         * Makes member {@code from} (already added) send invalid membership input to every discovery of the
         * fixture: an entry with an id that is not valid, a member with more than {@link Discovery#MAX_ADDRESSES}
         * addresses, an address that does not parse. Returns the valid member the same input also names, which
         * must still be reported.
         */
        default NodeId injectInvalid(NodeId from) {
            throw new UnsupportedOperationException("this fixture takes no remote input");
        }

        /** Releases the fixture; the suite has closed every discovery it started by then. */
        @Override
        void close();
    }

    private Fixture fixture;
    private final List<Discovery> started = new ArrayList<>();
    private final List<Recorder> recorders = new ArrayList<>();

    /** A new fixture; called before each test. */
    protected abstract Fixture newFixture();

    @BeforeEach
    final void createFixture() {
        fixture = newFixture();
    }

    @AfterEach
    final void closeAndCheckRules() {
        for (int i = 0; i < started.size(); i++) {
            started.get(i).close();
            recorders.get(i).markClosed();
        }
        fixture.close();
        List<String> broken = new ArrayList<>();
        recorders.forEach(r -> broken.addAll(r.violations));
        assertThat(broken).as("discovery rules broken").isEmpty();
    }

    // ---- rules 2 and 3: every member, with its addresses, never the node itself

    @Test
    void reportsEveryMemberWithItsAddressesButNeverTheNodeItself() {
        List<String> bAt = fixture.addMember(B);
        List<String> cAt = fixture.addMember(C);
        Recorder a = start(A);
        awaitDiscovered(a, B, C);
        assertThat(a.addresses(B)).containsExactlyInAnyOrderElementsOf(bAt);
        assertThat(a.addresses(C)).containsExactlyInAnyOrderElementsOf(cAt);
        assertThat(a.discovered()).doesNotContain(A);
    }

    @Test
    void everyDiscoveryOfTheClusterSeesTheOthers() {
        fixture.addMember(B);
        Recorder a = start(A);
        Recorder c = start(C);
        awaitDiscovered(a, B);
        awaitDiscovered(c, B);
        assertThat(a.discovered()).doesNotContain(A);
        assertThat(c.discovered()).doesNotContain(C);
    }

    // ---- rule 1: start once, close idempotent, silence after close

    @Test
    void startsOnceAndClosesIdempotently() {
        fixture.addMember(B);
        Discovery d = fixture.discovery(A);
        Recorder r = new Recorder(A);
        d.start(A, r);
        started.add(d);
        recorders.add(r);
        assertThatThrownBy(() -> d.start(A, new Recorder(A))).isInstanceOf(IllegalStateException.class);
        awaitDiscovered(r, B);
        d.close();
        r.markClosed();
        assertThatCode(d::close).doesNotThrowAnyException();
        assertThatThrownBy(() -> d.start(A, new Recorder(A))).isInstanceOf(IllegalStateException.class);
        Discovery never = fixture.discovery(C);
        never.close();
        assertThatThrownBy(() -> never.start(C, new Recorder(C))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nothingIsReportedAfterCloseReturned() {
        Assumptions.assumeTrue(fixture.reportsLateMembers(), "members appear only up front");
        fixture.addMember(B);
        Recorder a = start(A);
        awaitDiscovered(a, B);
        close(a);
        fixture.addMember(D);
        Recorder witness = start(W); // proves d is visible: a closed discovery would have had time to see it
        awaitDiscovered(witness, D);
        assertThat(a.discovered()).doesNotContain(D);
    }

    // ---- rule 3: members appearing later

    @Test
    void aMemberThatAppearsLaterIsReported() {
        Assumptions.assumeTrue(fixture.reportsLateMembers(), "members appear only up front");
        fixture.addMember(B);
        Recorder a = start(A);
        awaitDiscovered(a, B);
        List<String> dAt = fixture.addMember(D);
        awaitDiscovered(a, D);
        assertThat(a.addresses(D)).containsExactlyInAnyOrderElementsOf(dAt);
    }

    // ---- rule 4: losses

    @Test
    void aMemberThatLeavesIsReportedLostAndFoundAgainWhenItReturns() {
        Assumptions.assumeTrue(fixture.reportsLoss(), "this discovery does not report losses");
        fixture.addMember(B);
        fixture.addMember(C);
        Recorder a = start(A);
        awaitDiscovered(a, B, C);
        fixture.removeMember(B);
        Await.until(TIMEOUT, () -> a.lost().contains(B), () -> "b lost at a: " + a.calls);
        assertThat(a.lost()).doesNotContain(C);
        fixture.addMember(B);
        Await.until(TIMEOUT, () -> a.currentlyDiscovered().contains(B), () -> "b found again at a: " + a.calls);
    }

    // ---- rule 6: invalid input

    @Test
    void invalidInputIsReportedWhileTheValidMembersStillCome() {
        Assumptions.assumeTrue(fixture.takesRemoteInput(), "this discovery takes no input from other nodes");
        fixture.addMember(B);
        Recorder a = start(A);
        awaitDiscovered(a, B);
        NodeId valid = fixture.injectInvalid(B);
        Await.until(TIMEOUT, () -> a.invalid.size() >= 1, () -> "invalid input reported at a: " + a.calls);
        awaitDiscovered(a, valid);
        assertThat(a.invalid).allSatisfy(s -> assertThat(s).isNotBlank());
        assertThat(a.discovered()).allSatisfy(id -> assertThat(id.value()).doesNotContain(" "));
    }

    // ---- rule 7: a throwing listener

    @Test
    void aThrowingListenerDoesNotStopTheDiscovery() {
        fixture.addMember(B);
        fixture.addMember(C);
        Recorder a = new Recorder(A);
        a.throwing = true;
        Discovery d = fixture.discovery(A);
        d.start(A, a);
        started.add(d);
        recorders.add(a);
        awaitDiscovered(a, B, C);
        if (fixture.reportsLateMembers()) {
            fixture.addMember(D);
            awaitDiscovered(a, D);
        }
    }

    // ---- helpers

    /** Starts a discovery for {@code self} with a new recorder, closed after the test. */
    protected Recorder start(NodeId self) {
        Discovery d = fixture.discovery(self);
        Recorder r = new Recorder(self);
        d.start(self, r);
        started.add(d);
        recorders.add(r);
        return r;
    }

    private void close(Recorder r) {
        int i = recorders.indexOf(r);
        started.get(i).close();
        r.markClosed();
    }

    protected static void awaitDiscovered(Recorder r, NodeId... members) {
        Await.until(
                TIMEOUT,
                () -> r.discovered().containsAll(List.of(members)),
                () -> List.of(members) + " discovered by " + r.self + "; calls: " + r.calls);
    }

    /** Records a discovery's calls and checks the listener rules on each. Thread-safe. */
    protected static final class Recorder implements Discovery.Listener {
        final NodeId self;
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final List<String> invalid = new CopyOnWriteArrayList<>();
        private final Map<NodeId, List<String>> addresses = new ConcurrentHashMap<>();
        private final Set<NodeId> everDiscovered = ConcurrentHashMap.newKeySet();
        private final Set<NodeId> current = ConcurrentHashMap.newKeySet();
        private final Set<NodeId> lost = ConcurrentHashMap.newKeySet();
        private final AtomicInteger active = new AtomicInteger();
        private volatile boolean closed;
        volatile boolean throwing;

        Recorder(NodeId self) {
            this.self = self;
        }

        @Override
        public void onDiscovered(NodeId member, List<String> addrs) {
            enter("discovered " + member + " at " + addrs);
            try {
                if (member.equals(self)) violation("the node itself was reported (rule 2)");
                if (addrs.size() > Discovery.MAX_ADDRESSES) violation(member + ": " + addrs.size() + " addresses");
                for (String x : addrs) {
                    if (x == null || x.isBlank() || x.length() > Discovery.MAX_ADDRESS_LENGTH) {
                        violation(member + ": invalid address '" + x + "' (rule 3)");
                    }
                }
                addresses.put(member, List.copyOf(addrs));
                everDiscovered.add(member);
                current.add(member);
            } finally {
                exit();
            }
        }

        @Override
        public void onLost(NodeId member) {
            enter("lost " + member);
            try {
                if (!current.remove(member)) violation("lost " + member + " that was not discovered (rule 4)");
                lost.add(member);
            } finally {
                exit();
            }
        }

        @Override
        public void onInvalid(NodeId source, String reason) {
            enter("invalid from " + source + ": " + reason);
            try {
                if (source == null || reason == null || reason.isBlank()) violation("invalid report without a reason");
                invalid.add(reason);
            } finally {
                exit();
            }
        }

        private void enter(String call) {
            calls.add(call);
            if (closed) violation("call after close returned (rule 1): " + call);
            if (active.incrementAndGet() != 1) violation("concurrent listener calls (rule 5): " + call);
        }

        private void exit() {
            active.decrementAndGet();
            if (throwing) throw new IllegalStateException("listener failure injected by the contract suite");
        }

        private void violation(String v) {
            violations.add(self + ": " + v);
        }

        void markClosed() {
            closed = true;
        }

        /** Members reported discovered at least once. */
        public Set<NodeId> discovered() {
            return Set.copyOf(everDiscovered);
        }

        /** Members discovered and not lost since. */
        public Set<NodeId> currentlyDiscovered() {
            return Set.copyOf(current);
        }

        public Set<NodeId> lost() {
            return Set.copyOf(lost);
        }

        /** The addresses last reported for {@code member}. */
        public List<String> addresses(NodeId member) {
            return addresses.getOrDefault(member, List.of());
        }
    }
}
