/**
 * The Unix domain socket transport ({@link dev.tether.transport.uds.UdsTransport}) for nodes on one host: the TCP
 * transport's wire protocol, handshake and limits over a socket file, with the file's permissions and the peer
 * process's credentials as identity. See docs/UDS.md.
 */
package dev.tether.transport.uds;
