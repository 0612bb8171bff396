package dev.tether.internal.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which member of a composite gets which of the addresses given to {@code connect}: an address {@code N@rest} goes to
 * member N alone (as {@code rest}), any other address to every member. Members that find peers by themselves (in
 * memory, NATS) ignore addresses, so unprefixed addresses suit a composite with one dialing member; two dialing members
 * (TCP and UDS, two TCP networks) need the prefix.
 */
final class AddressRouting {
    private static final Pattern PREFIXED = Pattern.compile("([0-9]{1,9})@(.+)", Pattern.DOTALL);

    private AddressRouting() {}

    /**
     * The addresses of each of {@code members} members.
     *
     * @throws IllegalArgumentException naming an address whose prefix names no member, before anything is routed
     */
    static List<List<String>> route(List<String> addresses, int members) {
        List<List<String>> routed = new ArrayList<>(members);
        for (int m = 0; m < members; m++) routed.add(new ArrayList<>());
        for (String a : addresses) {
            Matcher prefixed = PREFIXED.matcher(a);
            if (!prefixed.matches()) {
                routed.forEach(list -> list.add(a));
                continue;
            }
            int member = Integer.parseInt(prefixed.group(1));
            if (member >= members) {
                throw new IllegalArgumentException("address " + a + " names member " + member
                        + " but the composite transport has " + members + " (numbered from 0)");
            }
            routed.get(member).add(prefixed.group(2));
        }
        return routed;
    }
}
