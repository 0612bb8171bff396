package dev.tether.store.sqlite;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.bus.TextPattern.prefix;
import static dev.tether.bus.TextPattern.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing rules kept in the node's store (docs/BUS-DESIGN.md, section 2.5; namespace {@code _rules}) on a SQLite file:
 * a node restarted on the file starts with its rules, in order, with their priorities and enabled flags, and routes by
 * them; removed rules stay removed; a refused change stores nothing.
 */
class StoredRoutingRulesTest {
    private static final NodeId A = NodeId.of("a");

    @TempDir
    Path dir;

    private final List<String> handled = new CopyOnWriteArrayList<>();
    private TetherNode node;

    @AfterEach
    void stop() {
        if (node != null) node.shutdown(Duration.ofSeconds(5));
    }

    private RoutingRules start(Rule... configured) {
        TetherConfig.Builder b = TetherConfig.builder(A);
        for (Rule r : configured) b.rule(r);
        node = Tether.start(b.transport(new InMemoryNetwork().newTransport())
                .store(new SqliteStore(dir.resolve("a.db")))
                .durability(Durability.FSYNC)
                .handler(d -> handled.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .build());
        return Tether.bus(node).rules();
    }

    private Outcome send(String payload, String header, String value) throws Exception {
        return node.send(OutboundMessage.to(A)
                        .lane("orders")
                        .header(header, value)
                        .payload(payload.getBytes(StandardCharsets.UTF_8))
                        .build())
                .processed()
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRestartedNodeStartsWithItsRulesInOrderAndRoutesByThem() throws Exception {
        RoutingRules rules = start();
        rules.add(Rule.named("drop-spam")
                .priority(10)
                .match(Match.kind(MessageKind.DIRECT).header("spam", exact("yes")))
                .action(Action.drop()));
        rules.add(Rule.named("quarantine")
                .priority(5)
                .match(Match.any().header("tenant", prefix("eu-")))
                .action(Action.deadLetter("EU traffic is quarantined")));
        rules.add(Rule.named("odd-tenants")
                .match(Match.any().header("tenant", regex("[a-z]+ [0-9]*[13579]")))
                .action(Action.drop()));
        rules.add(Rule.named("gone").action(Action.drop()));
        assertThat(rules.remove("gone")).isTrue();
        rules.replace(Rule.named("drop-spam")
                .priority(20)
                .match(Match.kind(MessageKind.DIRECT).header("spam", exact("yes")))
                .action(Action.drop()));
        assertThat(rules.disable("quarantine")).isTrue();
        assertThatThrownBy(() -> rules.add(Rule.named("drop-spam").action(Action.drop())))
                .isInstanceOf(InvalidRuleException.class);
        List<Rule> before = rules.list();
        assertThat(before).extracting(Rule::name).containsExactly("drop-spam", "quarantine", "odd-tenants");
        node.shutdown(Duration.ofSeconds(5));
        node = null;

        assertThat(storedKeys()).containsExactly("drop-spam", "odd-tenants", "quarantine");
        RoutingRules again = start();
        assertThat(again.list()).isEqualTo(before);
        assertThat(again.list().get(1).isEnabled()).isFalse();
        assertThat(send("spam", "spam", "yes")).isEqualTo(Outcome.DROPPED);
        assertThat(send("eu", "tenant", "eu-1")).as("quarantine is disabled").isEqualTo(Outcome.PROCESSED);
        assertThat(send("odd", "tenant", "us 7")).isEqualTo(Outcome.DROPPED);
        assertThat(again.enable("quarantine")).isTrue();
        assertThat(send("eu2", "tenant", "eu-2")).isEqualTo(Outcome.DEAD_LETTERED);
        assertThat(handled).containsExactly("eu");
        assertThat(again.remove("odd-tenants")).isTrue();
        node.shutdown(Duration.ofSeconds(5));
        node = null;

        RoutingRules third = start();
        assertThat(third.list()).extracting(Rule::name).containsExactly("drop-spam", "quarantine");
        assertThat(third.list().get(1).isEnabled()).isTrue();
    }

    /** The keys of namespace {@code _rules} in the file, read with plain JDBC. */
    private List<String> storedKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("a.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT * FROM kv WHERE namespace = '_rules' ORDER BY key")) {
            while (r.next()) keys.add(r.getString("key"));
        }
        return keys;
    }

    @Test
    void configuredRulesComeFromTheConfigurationAtEveryStartAndAreNeverStored() throws Exception {
        Rule cfg = Rule.named("cfg")
                .priority(5)
                .match(Match.any().header("spam", exact("yes")))
                .action(Action.drop());
        RoutingRules rules = start(cfg);
        assertThat(rules.list()).containsExactly(cfg);
        assertThatThrownBy(() -> rules.add(Rule.named("cfg").action(Action.drop())))
                .isInstanceOf(InvalidRuleException.class);
        rules.add(Rule.named("runtime")
                .action(Action.deadLetter("x"))
                .match(Match.any().header("t", exact("1"))));
        assertThat(rules.disable("cfg")).isTrue();
        assertThat(send("spam", "spam", "yes"))
                .as("disabled until the node stops")
                .isEqualTo(Outcome.PROCESSED);
        node.shutdown(Duration.ofSeconds(5));
        node = null;
        assertThat(storedKeys()).containsExactly("runtime");

        RoutingRules again = start(cfg);
        assertThat(again.list()).extracting(Rule::name).containsExactly("cfg", "runtime");
        assertThat(again.list().get(0).isEnabled())
                .as("from the configuration again")
                .isTrue();
        assertThat(send("spam2", "spam", "yes")).isEqualTo(Outcome.DROPPED);
        assertThat(again.remove("cfg")).isTrue();
        again.add(Rule.named("cfg").action(Action.drop()).match(Match.any().header("t", exact("2"))));
        node.shutdown(Duration.ofSeconds(5));
        node = null;
        assertThat(storedKeys())
                .as("a rule added under a removed configured name is stored")
                .containsExactly("cfg", "runtime");

        RoutingRules third = start(cfg);
        assertThat(third.list())
                .as("the configured rule wins over the stored one")
                .containsExactly(
                        cfg,
                        Rule.named("runtime")
                                .action(Action.deadLetter("x"))
                                .match(Match.any().header("t", exact("1"))));
        assertThatThrownBy(() -> TetherConfig.builder(A).rule(cfg).rule(cfg))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("name"));
        TetherConfig.builder(A).rule(Rule.named("f").action(Action.forward(A))); // built: accepted
        TetherConfig.builder(A).rule(Rule.named("f").action(Action.forwardToChannel("c"))); // so is this
        assertThatThrownBy(() -> TetherConfig.builder(A).rule(Rule.named("f")))
                .isInstanceOfSatisfying(
                        InvalidRuleException.class, e -> assertThat(e.field()).isEqualTo("action"));
    }
}
