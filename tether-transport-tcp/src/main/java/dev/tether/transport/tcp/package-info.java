/**
 * The TCP transport: {@link dev.tether.transport.tcp.TcpTransport} connects Tether nodes over TCP, optionally
 * with TLS ({@link dev.tether.transport.tcp.TcpTls}) or a pre-shared cluster key. The wire format, handshake,
 * limits and failure reports are described in docs/TCP.md.
 */
package dev.tether.transport.tcp;
