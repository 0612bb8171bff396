package dev.tether.internal.call;

import dev.tether.NodeId;

/** A call as its caller indexes it: the called node and the call's place in that stream. */
record CallKey(NodeId callee, String lane, long seq) {}
