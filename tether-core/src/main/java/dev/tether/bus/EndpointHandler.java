package dev.tether.bus;

/**
 * Takes the direct messages of one endpoint. Called one message at a time per endpoint unless its options say
 * {@link EndpointOptions#concurrent()} (see {@link Bus#endpoint}). With {@link dev.tether.AckMode#AUTO} a return
 * acknowledges the message and an exception fails the attempt (retried per the node's retry policy, then its failure
 * policy applies); with {@link dev.tether.AckMode#MANUAL} the message is settled by {@code ack()} or {@code nack()},
 * from any thread, and the endpoint stays busy until then.
 */
@FunctionalInterface
public interface EndpointHandler {
    void onMessage(EndpointDelivery delivery) throws Exception;
}
