package dev.tether.cli;

import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The chat page of {@code tether chat --web}: {@code GET /} serves the page (one file, no build step, nothing from
 * elsewhere), {@code GET /ws} upgrades to a WebSocket. On it the server sends JSON objects: {@code hello} (node,
 * channel), the transcript's recent lines, then each new {@code message}, {@code notice}s, and every second {@code
 * members} and {@code stats}; each text the page sends is a line typed ({@link ChatRoom#input}), answered with a
 * {@code reply}. Binds loopback addresses only (whoever reaches the page chats as this node); a request whose
 * {@code Host} is not a loopback name or whose {@code Origin} is not the page's own is refused (403, {@link
 * PageRequests}), so another site open in the same browser cannot use it, directly or through DNS rebinding. At most
 * {@value #MAX_CONNECTIONS} connections; one thread each (a page has a second one, its {@link PageWriter}: nothing waits
 * for a page's socket but that page's writer), one pusher thread.
 */
final class ChatWeb implements AutoCloseable {
    static final int MAX_CONNECTIONS = 32;
    private static final int MAX_MESSAGE = 64 << 10;

    private final ServerSocket server;
    private final ChatRoom room;
    private final byte[] page;
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService pusher =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tether-chat-push"));

    private final PageWriter.Limits limits;

    private ChatWeb(ServerSocket server, ChatRoom room, byte[] page, PageWriter.Limits limits) {
        this.server = server;
        this.room = room;
        this.page = page;
        this.limits = limits;
    }

    /**
     * Serves the chat page of {@code room} on {@code requested}.
     *
     * @throws IllegalArgumentException if the address is not a loopback one
     */
    static ChatWeb start(InetSocketAddress requested, ChatRoom room) throws IOException {
        return start(requested, room, PageWriter.Limits.DEFAULT);
    }

    /** As {@link #start(InetSocketAddress, ChatRoom)}, a page dropped by {@code limits} (tests: smaller ones). */
    static ChatWeb start(InetSocketAddress requested, ChatRoom room, PageWriter.Limits limits) throws IOException {
        InetAddress host = InetAddress.getByName(requested.getHostString());
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("--web must be a loopback address (127.0.0.1 or ::1), was "
                    + HostPort.format(requested) + ": whoever reaches the page chats as this node");
        }
        byte[] page;
        try (InputStream in = ChatWeb.class.getResourceAsStream("chat.html")) {
            if (in == null) throw new IllegalStateException("chat.html is missing from the jar");
            page = in.readAllBytes();
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(host, requested.getPort()), 64);
        } catch (IOException e) {
            s.close();
            throw new java.net.BindException("--web " + HostPort.format(requested) + ": " + e.getMessage());
        }
        ChatWeb web = new ChatWeb(s, room, page, limits);
        daemon(web::accept, "tether-chat-web").start();
        web.pusher.scheduleWithFixedDelay(web::pushStatus, 1, 1, TimeUnit.SECONDS);
        return web;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The pages connected now (registered as views, not dropped). */
    int pages() {
        return sessions.size();
    }

    private void accept() {
        AcceptBackoff backoff = new AcceptBackoff(why -> room.notice("chat page: " + why));
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
                backoff.succeeded();
            } catch (IOException e) {
                if (server.isClosed() || !backoff.failed(e)) return;
                continue;
            }
            if (!permits.tryAcquire()) {
                refuseBusy(c);
                continue;
            }
            sockets.add(c);
            daemon(() -> serve(c), "tether-chat-conn").start();
        }
    }

    private void refuseBusy(Socket c) {
        try (c) {
            respond(c.getOutputStream(), 503, "text/plain", "too many connections\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client went away: nothing to refuse
        }
    }

    private void serve(Socket c) {
        try (c) {
            answer(c);
        } catch (IOException e) {
            // the client went away or broke the protocol: its connection alone ends
        } finally {
            sockets.remove(c);
            permits.release();
        }
    }

    /** Reads one request and answers it; a refused request is answered with its status before the socket closes. */
    private void answer(Socket c) throws IOException {
        try {
            c.setSoTimeout(10_000); // the request head; a WebSocket then waits as long as the page stays
            HttpHead head = HttpHead.read(c.getInputStream(), HttpHead.MAX_BYTES);
            if (head == null) return;
            String[] start = head.startLine().split(" ");
            String path = start.length > 1 ? start[1] : "";
            OutputStream out = c.getOutputStream();
            String pageRequest = PageRequests.refusal(head); // whoever uses the page chats as this node
            if (pageRequest != null) throw new HttpError(403, pageRequest);
            if (!start[0].equals("GET")) respond(out, 405, "text/plain", bytes("only GET\n"));
            else if (path.equals("/") || path.equals("/index.html"))
                respond(out, 200, "text/html; charset=utf-8", page);
            else if (path.equals("/ws")) upgrade(c, head);
            else respond(out, 404, "text/plain", bytes("no such page: " + path + "\n"));
        } catch (HttpError e) {
            respond(c.getOutputStream(), e.status(), "text/plain", bytes(e.getMessage() + "\n"));
        }
    }

    private void upgrade(Socket c, HttpHead head) throws IOException {
        String key = head.header("sec-websocket-key");
        String upgrade = head.header("upgrade");
        if (key == null || upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            throw new HttpError(400, "a WebSocket upgrade needs Upgrade: websocket and Sec-WebSocket-Key");
        }
        OutputStream out = c.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + WebSocket.acceptKey(key) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        c.setSoTimeout(0);
        Session s = new Session(new WebSocket(c.getInputStream(), out, MAX_MESSAGE), c);
        s.open();
        try {
            for (String typed = s.ws.readText(); typed != null; typed = s.ws.readText()) {
                String reply = room.input(typed);
                if (!reply.isEmpty())
                    s.send(Json.object().put("type", "reply").put("text", reply).toString());
            }
        } finally {
            s.closed();
        }
    }

    /**
     * One page: a view of the room. What it is sent goes through its {@link PageWriter}: no thread of the room waits
     * for the page's socket. A page that falls too far behind is dropped (the writer closes it with the reason; the
     * page reconnects and is sent the history).
     */
    private final class Session implements ChatRoom.View {
        final WebSocket ws;
        final PageWriter out;

        Session(WebSocket ws, Socket socket) {
            this.ws = ws;
            this.out = new PageWriter(ws, socket, limits, pusher);
        }

        /**
         * Registers first, then queues the history: a line added meanwhile may come twice (the page shows it once),
         * never not at all. The history is queued holding this session's lock, which {@link #line} takes too: a line
         * added meanwhile waits and is queued after the history, else it could reach the page before older lines of
         * its publisher that the history still had to send, and the page keeps the order it receives. Queuing does
         * not wait for the page, so the lock is held briefly.
         */
        void open() {
            synchronized (this) {
                room.addView(this);
                sessions.add(this);
                send(Json.object()
                        .put("type", "hello")
                        .put("node", room.nodeId())
                        .put("channel", room.currentChannel())
                        .toString());
                List<ChatLine> history = room.transcript().recent();
                out.history(history.size());
                for (ChatLine l : history) send(l.json());
            }
            send(members());
            send(stats(room));
        }

        @Override
        public synchronized void line(ChatLine line) {
            send(line.json());
        }

        @Override
        public void notice(String text) {
            send(Json.object().put("type", "notice").put("text", text).toString());
        }

        void send(String json) {
            String dropped = out.offer(json);
            if (dropped != null && sessions.remove(this)) {
                room.removeView(this);
                room.notice("chat page dropped: " + dropped);
            }
        }

        /** The page's connection ended. */
        void closed() {
            out.stop();
            room.removeView(this);
            sessions.remove(this);
        }
    }

    private void pushStatus() {
        if (sessions.isEmpty()) return;
        try {
            String members = members();
            String stats = stats(room);
            for (Session s : sessions) {
                s.send(members);
                s.send(stats);
            }
        } catch (RuntimeException e) {
            // the node is shutting down: the pages keep what they show
        }
    }

    private String members() {
        List<String> rows = new ArrayList<>();
        rows.add(Json.object()
                .put("id", room.nodeId())
                .put("connected", true)
                .put("self", true)
                .toString());
        for (PeerInfo p : room.peers()) {
            rows.add(Json.object()
                    .put("id", p.id().value())
                    .put("connected", p.connected())
                    .toString());
        }
        List<String> channels = new ArrayList<>();
        room.memberships()
                .forEach((name, m) -> channels.add(Json.object()
                        .put("name", name)
                        .put("role", m.role().name())
                        .put("joined", m.complete())
                        .toString()));
        return Json.object()
                .put("type", "members")
                .putRaw("members", "[" + String.join(",", rows) + "]")
                .putRaw("channels", "[" + String.join(",", channels) + "]")
                .toString();
    }

    private static String stats(ChatRoom room) {
        NodeStats s = room.stats();
        return Json.object()
                .put("type", "stats")
                .put("delivered", s.delivered())
                .put("redelivered", s.redelivered())
                .put("queued", s.queued())
                .put("inFlight", s.inFlight())
                .put("transcript", room.transcript().size())
                .toString();
    }

    private static void respond(OutputStream out, int status, String type, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + " " + AdminRoutes.reason(status) + "\r\nContent-Type: " + type
                        + "\r\nContent-Length: " + body.length + "\r\nX-Content-Type-Options: nosniff\r\n"
                        + (type.startsWith("text/html") ? PageRequests.PAGE_HEADERS : "")
                        + "Cache-Control: no-store\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() throws IOException {
        pusher.shutdownNow();
        server.close();
        for (Socket s : sockets) s.close();
    }
}
