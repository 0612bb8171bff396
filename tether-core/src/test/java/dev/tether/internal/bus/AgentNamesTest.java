package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The agent names of endpoint lanes kept by lane ({@link AgentNames}): the same answers as computing them. */
class AgentNamesTest {
    @Test
    void givesEachLanesAgentAndKeepsOneStringPerLane() {
        AgentNames names = new AgentNames();
        assertThat(names.of("_a.bob")).isEqualTo("bob");
        assertThat(names.of("_a.bob.orders")).isEqualTo("bob");
        assertThat(names.of("_v._a.eve.x")).isEqualTo(EndpointLanes.agentOf("_v._a.eve.x"));
        assertThat(names.of("_e.carol")).isEqualTo("carol");
        assertThat(names.of("_a.")).isNull();
        assertThat(names.of("_a..sub")).isNull();
        String first = names.of("_a.dave");
        assertThat(names.of(new String("_a.dave"))).isSameAs(first); // kept: no new string per message
    }

    @Test
    void pastItsBoundItStartsOverAndStillAnswers() {
        AgentNames names = new AgentNames();
        for (int i = 0; i < AgentNames.MAX + 10; i++) {
            assertThat(names.of("_a.agent" + i + ".s")).isEqualTo("agent" + i);
        }
        assertThat(names.of("_a.agent0.s")).isEqualTo("agent0");
        assertThat(names.size()).isLessThanOrEqualTo(AgentNames.MAX);
    }
}
