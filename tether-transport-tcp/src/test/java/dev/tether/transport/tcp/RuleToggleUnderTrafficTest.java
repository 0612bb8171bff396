package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.Match;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.bus.RuleStats;
import dev.tether.transport.tcp.EndpointNodes.Net;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A dead-lettering rule on endpoint b/bob enabled and disabled (seeded, driven by deliveries) while a
 * remote and a local sender send to bob. Every message is PROCESSED (seen by bob once, in its sender's order) or
 * DEAD_LETTERED (never seen, in b's dead-letter queue once), and the rule's {@code matched} equals the dead letters
 * (it is never removed, so its counter covers the whole run; no handler fails, so nothing is routed twice).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RuleToggleUnderTrafficTest {
    private static final int EACH = 1_500;

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService toggler = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() throws InterruptedException {
        stop.set(true);
        toggler.shutdown();
        toggler.awaitTermination(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void everyMessageIsProcessedOrDeadLetteredOnceWhileTheRuleIsToggled(Net net) throws Exception {
        EndpointNodes nodes = fixture.start(net);
        Bus b = nodes.bus(1);
        RoutingRules rules = b.rules();
        rules.add(Rule.named("quarantine")
                .match(Match.any().recipient(exact("bob")))
                .action(Action.deadLetter("audit9")));
        Random random = new Random(fixture.seed());
        boolean[] on = {true};
        List<String> got = new CopyOnWriteArrayList<>();
        b.endpoint("bob", d -> {
            got.add(EndpointNodes.text(d.payloadBytes()));
            boolean now;
            synchronized (random) {
                now = random.nextInt(8) == 0;
            }
            if (now && !stop.get()) toggler.execute(() -> toggle(rules, on));
        });
        Endpoint alice = nodes.bus(0).endpoint("alice", d -> {});
        Endpoint carol = b.endpoint("carol", d -> {});
        Address to = Address.of(EndpointNodes.B, "bob");
        List<SendReceipt> receipts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            // dead letters do not reach bob's handler: toggle on sends too, so the rule goes off again
            if (i % 50 == 25) toggler.execute(() -> toggle(rules, on));
            receipts.add(alice.send(to, EndpointNodes.utf8(name('a', i))));
            names.add(name('a', i));
            receipts.add(carol.send(to, EndpointNodes.utf8(name('c', i))));
            names.add(name('c', i));
        }
        List<String> processed = new ArrayList<>();
        long dead = 0;
        for (int i = 0; i < receipts.size(); i++) {
            Outcome o = EndpointNodes.outcome(receipts.get(i));
            if (o == Outcome.PROCESSED) processed.add(names.get(i));
            else {
                assertThat(o).as(names.get(i)).isEqualTo(Outcome.DEAD_LETTERED);
                dead++;
            }
        }
        stop.set(true);
        assertThat(got).as("bob: the processed ones, once each").containsExactlyInAnyOrderElementsOf(processed);
        assertThat(got.stream().filter(s -> s.charAt(0) == 'a').toList())
                .as("a's order")
                .isSorted();
        assertThat(got.stream().filter(s -> s.charAt(0) == 'c').toList())
                .as("carol's order")
                .isSorted();
        assertThat(dead).as("some dead-lettered").isPositive();
        assertThat(processed).as("some processed").isNotEmpty();
        assertThat(nodes.node(1).stats().deadLetters().count())
                .as("dead letters stored at b")
                .isEqualTo(dead);
        long matched = rules.stats().stream().mapToLong(RuleStats::matched).sum();
        assertThat(matched).as("the rule's matched count").isEqualTo(dead);
    }

    private static void toggle(RoutingRules rules, boolean[] on) {
        on[0] = !on[0];
        if (on[0]) rules.enable("quarantine");
        else rules.disable("quarantine");
    }

    private static String name(char who, int i) {
        return who + String.format("%05d", i);
    }
}
