package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * A forwarding transport and its listener hand every method of the SPI, defaults included, to what they wrap, with
 * the same arguments, and return what it returns: a method the SPI gains that the base does not forward fails here
 * instead of silently taking its default in every wrapper.
 */
class ForwardingTransportTest {
    /** What the recording delegate's {@code nodeExecutor} returns. */
    private static final ScheduledExecutorService EXECUTOR =
            recording(ScheduledExecutorService.class, new ArrayList<>());

    private static final ByteBuffer FRAME = ByteBuffer.allocate(3);
    /** An argument of each type the SPI's methods take; the list stands for frames and for addresses alike. */
    private static final Map<Class<?>, Object> ARGUMENTS = Map.ofEntries(
            Map.entry(NodeId.class, NodeId.of("peer")),
            Map.entry(ByteBuffer.class, FRAME),
            Map.entry(List.class, List.of(FRAME)),
            Map.entry(String.class, "argument"),
            Map.entry(int.class, 4096),
            Map.entry(PeerProof.class, PeerProof.MEMBERSHIP),
            Map.entry(Transport.Listener.class, recording(Transport.Listener.class, new ArrayList<>())));

    @Test
    void everyTransportMethodReachesTheDelegate() throws Exception {
        List<String> calls = new ArrayList<>();
        Transport delegate = recording(Transport.class, calls);
        Transport forwarding = new ForwardingTransport(delegate) {};
        for (Method m : Transport.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            assertForwarded(m, forwarding, delegate, calls);
        }
    }

    @Test
    void everyListenerMethodReachesTheDelegate() throws Exception {
        List<String> calls = new ArrayList<>();
        Transport.Listener delegate = recording(Transport.Listener.class, calls);
        Transport.Listener forwarding = new ForwardingTransport.ForwardingListener(delegate) {};
        for (Method m : Transport.Listener.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            assertForwarded(m, forwarding, delegate, calls);
        }
    }

    @Test
    void theNodesListenerIsHandedOnUnlessASubclassWrapsIt() {
        Transport.Listener node = recording(Transport.Listener.class, new ArrayList<>());
        Transport.Listener[] started = new Transport.Listener[1];
        Transport delegate = new ForwardingTransport(recording(Transport.class, new ArrayList<>())) {
            @Override
            public void start(NodeId self, Listener listener) {
                started[0] = listener;
            }
        };
        new ForwardingTransport(delegate) {}.start(NodeId.of("self"), node);
        assertThat(started[0]).isSameAs(node);

        new ForwardingTransport(delegate) {
            @Override
            protected Listener listener(Listener n) {
                return new ForwardingListener(n) {};
            }
        }.start(NodeId.of("self"), node);
        assertThat(started[0]).isNotSameAs(node).isInstanceOf(ForwardingTransport.ForwardingListener.class);
    }

    private static void assertForwarded(Method m, Object forwarding, Object delegate, List<String> calls)
            throws IllegalAccessException, InvocationTargetException {
        Object[] args = Arrays.stream(m.getParameterTypes())
                .map(ForwardingTransportTest::argument)
                .toArray();
        calls.clear();
        Object result = m.invoke(forwarding, args);
        assertThat(calls).as(m.getName()).containsExactly(call(m, args));
        if (m.getReturnType() != void.class) {
            assertThat(result)
                    .as(m.getName() + " returns what the delegate returns")
                    .isEqualTo(answer(m, delegate));
        }
    }

    private static Object argument(Class<?> type) {
        Object a = ARGUMENTS.get(type);
        if (a == null) throw new AssertionError("no argument of " + type + " here: a method the SPI gained?");
        return a;
    }

    private static String call(Method m, Object[] args) {
        return m.getName() + Arrays.toString(args == null ? new Object[0] : args);
    }

    /** A proxy of {@code type} that records each call in {@code calls} and answers {@link #answer}. */
    private static <T> T recording(Class<T> type, List<String> calls) {
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName() + " proxy";
                };
            }
            calls.add(call(m, args));
            return answer(m, proxy);
        });
        return type.cast(self[0]);
    }

    /** What a recording proxy returns from {@code m}: a value no default of the SPI returns. */
    private static Object answer(Method m, Object proxy) {
        Class<?> r = m.getReturnType();
        if (r == boolean.class) return true;
        if (r == int.class) return 4242;
        if (r == long.class) return 4243L;
        if (r == String.class) return "from the delegate of " + proxy;
        if (r == ScheduledExecutorService.class) return EXECUTOR;
        if (r == void.class) return null;
        throw new AssertionError("no answer of " + r + " here: a method the SPI gained?");
    }
}
