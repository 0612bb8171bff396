package dev.tether.internal.bus;

import dev.tether.bus.Rule;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.NodeRuntime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The routing rules in the node's store (docs/BUS-DESIGN.md, section 2.5): namespace {@value #NAMESPACE} of the
 * key-value area, key the rule's name, value its textual form ({@link Rule#toText}, with its priority and enabled
 * flag), written through the engine's key writes ({@code Engine.writeKeys}) and read when the node starts, before
 * delivery does. A change returns once its write is durable. Thread-safe; writes must not come from the node thread
 * (they wait for it).
 */
final class StoredRules {
    private static final System.Logger LOG = System.getLogger(StoredRules.class.getName());

    /** The key-value namespace of the rules. */
    static final String NAMESPACE = "_rules";

    private final NodeRuntime runtime;
    private final BooleanSupplier stopped;

    StoredRules(NodeRuntime runtime, BooleanSupplier stopped) {
        this.runtime = runtime;
        this.stopped = stopped;
    }

    /** The stored rules; an unreadable one is logged and left out (it stays stored until replaced or removed). */
    List<Rule> load() {
        List<Rule> rules = new ArrayList<>();
        runtime.channels().storedKeys(NAMESPACE).join().forEach((key, value) -> {
            try {
                rules.add(Rule.parse(new String(value, StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "unreadable stored routing rule " + key + " ignored: " + e);
            }
        });
        return rules;
    }

    /** Stores {@code rule} under its name, or deletes {@code name} if {@code rule} is null; returns once durable. */
    void write(String name, Rule rule) {
        Effect e = rule == null
                ? Effect.delete(NAMESPACE, name)
                : ChannelPort.putKey(NAMESPACE, name, rule.toText().getBytes(StandardCharsets.UTF_8));
        StoredKeys.write(runtime, stopped, e, "routing rule " + name);
    }
}
