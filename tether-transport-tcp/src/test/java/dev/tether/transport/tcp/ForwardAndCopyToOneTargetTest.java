package dev.tether.transport.tcp;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.transport.tcp.EndpointNodes.outcome;
import static dev.tether.transport.tcp.EndpointNodes.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Outcome;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.Match;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A copy to the forward's own target is left out (docs/MESSAGING.md, "Routing rules", "Several matches": "each
 * destination once; a copy to the forward's own target is left out"): the target gets the message once (audit8a: with
 * the check removed every routing test still passed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardAndCopyToOneTargetTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final EndpointNodesFixture fixture = new EndpointNodesFixture();

    @Test
    void aCopyToTheForwardsTargetIsLeftOutAndTheTargetGetsTheMessageOnce() throws Exception {
        EndpointNodes nodes = fixture.start(EndpointNodes.Net.MEMORY);
        List<String> atAlice = new CopyOnWriteArrayList<>();
        nodes.bus(0).endpoint("alice", d -> atAlice.add(text(d.payloadBytes())));
        List<String> atBob = new CopyOnWriteArrayList<>();
        nodes.bus(1).endpoint("bob", d -> atBob.add(text(d.payloadBytes())));
        RoutingRules rules = nodes.bus(1).rules();
        rules.add(Rule.named("tap-to-alice")
                .priority(10)
                .match(Match.any().recipient(exact("bob")))
                .action(Action.copy(Address.parse("a/alice"))));
        rules.add(Rule.named("bob-to-alice")
                .match(Match.any().recipient(exact("bob")))
                .action(Action.forward(Address.parse("a/alice"))));
        Endpoint carl = nodes.bus(1).endpoint("carl", x -> {});
        assertThat(outcome(carl.send(Address.of(EndpointNodes.B, "bob"), EndpointNodes.utf8("x"))))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> atAlice.contains("x"), () -> "the forward reached alice: " + atAlice);
        // A marker sent after it, forwarded on the same stream, arrives after any second copy would have.
        assertThat(outcome(carl.send(Address.of(EndpointNodes.B, "bob"), EndpointNodes.utf8("end"))))
                .isEqualTo(Outcome.PROCESSED);
        Await.until(DEADLINE, () -> atAlice.contains("end"), () -> "the marker reached alice: " + atAlice);
        assertThat(atAlice).containsExactly("x", "end");
        assertThat(atBob).isEmpty();
    }
}
