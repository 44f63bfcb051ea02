// A ZeroMQ peer made of JeroMQ sockets, driven over stdin and stdout with
// the line protocol of the Go tests in this directory's package (see
// linePeer in peer_test.go): one command a line, one answer a line,
// "ok ..." or "err ...", frames as "f" followed by their base64.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.zeromq.ZMQ;

public class JeromqPeer {
    static final Map<String, Integer> TYPES = new HashMap<>();
    static {
        TYPES.put("REQ", ZMQ.REQ);
        TYPES.put("REP", ZMQ.REP);
        TYPES.put("DEALER", ZMQ.DEALER);
        TYPES.put("ROUTER", ZMQ.ROUTER);
        TYPES.put("PUB", ZMQ.PUB);
        TYPES.put("SUB", ZMQ.SUB);
        TYPES.put("PUSH", ZMQ.PUSH);
        TYPES.put("PULL", ZMQ.PULL);
    }

    public static void main(String[] args) throws Exception {
        ZMQ.Context ctx = ZMQ.context(1);
        Map<String, ZMQ.Socket> socks = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.split(" ", -1);
            String answer;
            try {
                switch (w[0]) {
                case "bind": {
                    ZMQ.Socket s = open(ctx, socks, w[1], w[2]);
                    int port = s.bindToRandomPort("tcp://127.0.0.1");
                    answer = "ok tcp://127.0.0.1:" + port;
                    break;
                }
                case "connect": {
                    ZMQ.Socket s = open(ctx, socks, w[1], w[2]);
                    if (w[2].equals("SUB")) {
                        s.subscribe(frame(w[4]));
                    }
                    s.connect(w[3]);
                    answer = "ok";
                    break;
                }
                case "subscribe":
                    socks.get(w[1]).subscribe(frame(w[2]));
                    answer = "ok";
                    break;
                case "send": {
                    ZMQ.Socket s = socks.get(w[1]);
                    boolean ok = true;
                    for (int i = 2; i < w.length; i++) {
                        ok &= s.send(frame(w[i]), i < w.length - 1 ? ZMQ.SNDMORE : 0);
                    }
                    answer = ok ? "ok" : "err send failed";
                    break;
                }
                case "recv": {
                    ZMQ.Socket s = socks.get(w[1]);
                    s.setReceiveTimeOut(Integer.parseInt(w[2]));
                    byte[] f = s.recv(0);
                    if (f == null) {
                        answer = "err nothing received within " + w[2] + " ms";
                        break;
                    }
                    StringBuilder b = new StringBuilder("ok");
                    while (true) {
                        b.append(" f").append(Base64.getEncoder().encodeToString(f));
                        if (!s.hasReceiveMore()) {
                            break;
                        }
                        f = s.recv(0);
                    }
                    answer = b.toString();
                    break;
                }
                case "close":
                    for (ZMQ.Socket s : socks.values()) {
                        s.close();
                    }
                    ctx.term();
                    return;
                default:
                    answer = "err unknown command " + w[0];
                }
            } catch (Exception e) {
                answer = "err " + e.toString().replace('\n', ' ');
            }
            out.println(answer);
        }
    }

    static ZMQ.Socket open(ZMQ.Context ctx, Map<String, ZMQ.Socket> socks, String k, String type) {
        ZMQ.Socket old = socks.remove(k);
        if (old != null) {
            old.close();
        }
        Integer t = TYPES.get(type);
        if (t == null) {
            throw new IllegalArgumentException("unknown socket type " + type);
        }
        ZMQ.Socket s = ctx.socket(t);
        s.setLinger(0);
        socks.put(k, s);
        return s;
    }

    static byte[] frame(String token) {
        return Base64.getDecoder().decode(token.substring(1));
    }
}
