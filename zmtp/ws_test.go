package zmtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/internal/ws"
)

func TestParseEndpointWS(t *testing.T) {
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{"ws://127.0.0.1:5555", "ws://127.0.0.1:5555/", ""},
		{"ws://127.0.0.1:5555/zmq/a", "ws://127.0.0.1:5555/zmq/a", ""},
		{"wss://localhost:0443/", "wss://localhost:443/", ""},
		{"ws://*:0/x", "ws://*:0/x", ""},
		{"ws://127.0.0.1/x", "", "ws address must be host:port"},
		{"wss://:1/x", "", "wss address has no host"},
		{"ws://h:1/a b", "", "has a space"},
		{"ws://h:1/a?b", "", "has a space, a control character, ? or #"},
	} {
		got, err := ParseEndpoint(tc.in)
		if tc.wantErr == "" {
			if err != nil || got.String() != tc.want {
				t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseEndpoint(%q) error %v, want ErrMalformed saying %q", tc.in, err, tc.wantErr)
		}
	}
}

// testTLS returns a server and a client configuration for a certificate
// of 127.0.0.1 made up here.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "xbahn test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}

// wsPair binds a socket of type bt on ws (or wss) and connects one of
// type ct to it.
func wsPair(t testing.TB, transport string, bt, ct Type, bo, co Options) (bound, conn *Socket) {
	t.Helper()
	if transport == "wss" {
		bo.TLSConfig, co.TLSConfig = testTLS(t)
	}
	bound = mustSocket(t, bt, &bo)
	ep, err := bound.Bind(transport + "://127.0.0.1:0/zmq")
	if err != nil {
		t.Fatal(err)
	}
	if want := transport + "://127.0.0.1:"; !strings.HasPrefix(ep, want) || !strings.HasSuffix(ep, "/zmq") {
		t.Fatalf("Bind returned %q, want %s…/zmq", ep, want)
	}
	conn = mustSocket(t, ct, &co)
	connect(t, conn, ep)
	return bound, conn
}

func frames(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

func equalFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestWSPatterns(t *testing.T) {
	big := strings.Repeat("b", 70000)
	for _, transport := range []string{"ws", "wss"} {
		for _, tc := range []struct {
			name   string
			a, b   Type // a sends first, b answers when it can
			answer bool
		}{
			{"REQ-REP", REQ, REP, true},
			{"REP-REQ", REP, REQ, false},
			{"DEALER-ROUTER", DEALER, ROUTER, true},
			{"ROUTER-DEALER", ROUTER, DEALER, false},
			{"PUSH-PULL", PUSH, PULL, false},
			{"PAIR-PAIR", PAIR, PAIR, true},
			{"PUB-SUB", PUB, SUB, false},
		} {
			for _, aBinds := range []bool{true, false} {
				name := transport + "/" + tc.name + "/" + map[bool]string{true: "a binds", false: "a connects"}[aBinds]
				t.Run(name, func(t *testing.T) {
					if tc.a == REP || tc.a == ROUTER {
						t.Skip("covered by the mirrored row")
					}
					ctx := testCtx(t)
					var a, b *Socket
					if aBinds {
						a, b = wsPair(t, transport, tc.a, tc.b, Options{Identity: []byte("a1")}, Options{Identity: []byte("b1")})
					} else {
						b, a = wsPair(t, transport, tc.b, tc.a, Options{Identity: []byte("b1")}, Options{Identity: []byte("a1")})
					}
					if tc.b == SUB {
						b.Subscribe([]byte("news"))
						// Until the subscription reached the publisher.
						for {
							a.Send(ctx, []byte("news"), []byte("probe"))
							rctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
							_, err := b.Recv(rctx)
							cancel()
							if err == nil {
								break
							}
							if ctx.Err() != nil {
								t.Fatal("subscription never reached the publisher")
							}
						}
						a.Send(ctx, []byte("sport"), []byte("dropped"))
					}
					for _, msg := range [][][]byte{frames("news", "one"), frames("news", "", "three", big), frames("news")} {
						if err := a.Send(ctx, msg...); err != nil {
							t.Fatal(err)
						}
						got, err := b.Recv(ctx)
						if err != nil {
							t.Fatal(err)
						}
						want := msg
						if tc.b == ROUTER {
							want = append(frames("a1"), msg...)
						}
						if !equalFrames(got, want) {
							t.Fatalf("received %d frames %.40q, want %d frames %.40q", len(got), got, len(want), want)
						}
						if !tc.answer {
							continue
						}
						if err := b.Send(ctx, got...); err != nil {
							t.Fatal(err)
						}
						back, err := a.Recv(ctx)
						if err != nil || !equalFrames(back, msg) {
							t.Fatalf("answer %.40q, %v; want %.40q", back, err, msg)
						}
					}
				})
			}
		}
	}
}

func TestWSPlain(t *testing.T) {
	users := &plainUsers{}
	for _, tc := range []struct {
		pass string
		ok   bool
	}{{"secret", true}, {"wrong", false}} {
		rep, req := wsPair(t, "ws", REP, REQ, Options{Mechanism: users.server()}, Options{Mechanism: PlainClient{Username: "admin", Password: tc.pass}})
		startEcho(t, rep)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		if tc.ok {
			ctx = testCtx(t)
		}
		req.Send(ctx, []byte("hi"))
		got, err := req.Recv(ctx)
		cancel()
		if tc.ok && (err != nil || string(got[0]) != "hi") {
			t.Errorf("PLAIN with the right password: %q, %v; want the echo", got, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("PLAIN with a wrong password: %q, want no answer", got)
		}
	}
}

func TestWSMechanismMismatch(t *testing.T) {
	users := &plainUsers{}
	rep := mustSocket(t, REP, &Options{Mechanism: users.server()})
	ep, err := rep.Bind("ws://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A NULL client offers ZWS2.0/NULL and ZWS2.0: the PLAIN server
	// takes neither and answers 400.
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _, err = ws.Handshake(testCtx(t), conn, "h", "/", wsProtocols("NULL"))
	var he *ws.HandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
		t.Errorf("NULL client to a PLAIN server: %v, want a refusal with 400", err)
	}
}

// bareClient dials ep as jszmq does: subprotocol ZWS2.0, its routing id
// first, then messages.
func bareClient(t *testing.T, ep string) *ws.Conn {
	t.Helper()
	hp := strings.TrimPrefix(ep, "ws://")
	hp, path, _ := strings.Cut(hp, "/")
	conn, err := net.Dial("tcp", hp)
	if err != nil {
		t.Fatal(err)
	}
	c, proto, err := ws.Client(testCtx(t), conn, hp, "/"+path, []string{"ZWS2.0"}, 1<<20)
	if err != nil || proto != "ZWS2.0" {
		t.Fatalf("Client: %q, %v; want ZWS2.0", proto, err)
	}
	t.Cleanup(func() { c.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func TestWSBare(t *testing.T) {
	// A REP announces no identity; a ROUTER does.
	for _, tc := range []struct {
		typ Type
		id  string
	}{{REP, "\x00"}, {ROUTER, "\x00srv"}} {
		typ := tc.typ
		t.Run(typ.String(), func(t *testing.T) {
			s := mustSocket(t, typ, &Options{Identity: []byte("srv")})
			ep, err := s.Bind("ws://127.0.0.1:0/bare")
			if err != nil {
				t.Fatal(err)
			}
			if typ == REP {
				startEcho(t, s)
			}
			c := bareClient(t, ep)
			_, id, err := c.ReadMessage(nil)
			if err != nil || string(id) != tc.id {
				t.Fatalf("first message %q, %v; want the routing id %q", id, err, tc.id)
			}
			for _, m := range []string{"\x00jsclient", "\x01", "\x00hello"} {
				if err := c.WriteMessage(ws.OpBinary, []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			if typ == ROUTER {
				got, err := s.Recv(testCtx(t))
				if want := frames("jsclient", "", "hello"); err != nil || !equalFrames(got, want) {
					t.Fatalf("ROUTER received %q, %v; want %q", got, err, want)
				}
				if err := s.Send(testCtx(t), got...); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for len(got) < 2 {
				_, m, err := c.ReadMessage(nil)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(m))
			}
			if want := []string{"\x01", "\x00hello"}; got[0] != want[0] || got[1] != want[1] {
				t.Errorf("reply %q, want %q", got, want)
			}
		})
	}
}

func TestWSHostile(t *testing.T) {
	huge := ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpBinary, Length: 1 << 40, Masked: true})
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"length of 2^40", append(huge, 0)},
		{"text message", ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpText, Length: 0, Masked: true})},
		{"unmasked", ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpBinary, Length: 1})},
		{"fragments over the limit", ws.AppendHeader(nil, ws.Header{Op: ws.OpBinary, Length: 1 << 20, Masked: true})},
		{"empty binary message", ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpBinary, Masked: true})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSocket(t, ROUTER, &Options{MaxMsgSize: 1000})
			ep, err := s.Bind("ws://127.0.0.1:0/")
			if err != nil {
				t.Fatal(err)
			}
			c := bareClient(t, ep)
			if _, _, err := c.ReadMessage(nil); err != nil {
				t.Fatal(err)
			}
			c.WriteMessage(ws.OpBinary, []byte{0})
			c.NetConn().Write(tc.in)
			for {
				_, _, err := c.ReadMessage(nil)
				if err != nil {
					return // closed, as it should be
				}
			}
		})
	}
}

func TestWSReconnect(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep, err := rep.Bind("ws://127.0.0.1:0/")
	if err != nil {
		t.Fatal(err)
	}
	startEcho(t, rep)
	req := mustSocket(t, REQ, &Options{ReconnectInterval: 10 * time.Millisecond})
	connect(t, req, ep)
	ctx := testCtx(t)
	for i := range 3 {
		want := "round " + strconv.Itoa(i)
		if err := req.Send(ctx, []byte(want)); err != nil {
			t.Fatal(err)
		}
		got, err := req.Recv(ctx)
		if err != nil || string(got[0]) != want {
			t.Fatalf("round %d: %q, %v", i, got, err)
		}
		// Drop the connection under the REQ: it must come back.
		for _, p := range req.pipeList() {
			if c := p.connection(); c != nil {
				c.Close()
			}
		}
		waitConnectedExactly(t, req, 0)
		waitConnected(t, req, 1)
	}
}

func TestWSCloseStopsGoroutines(t *testing.T) {
	for _, transport := range []string{"ws", "wss"} {
		t.Run(transport, func(t *testing.T) {
			// The stuck client below closes after the leak check,
			// so that only the server's Close can end its
			// goroutine.
			var stuck net.Conn
			t.Cleanup(func() {
				if stuck != nil {
					stuck.Close()
				}
			})
			leakCheck(t)
			hb := Options{Heartbeat: Heartbeat{Interval: 10 * time.Millisecond}}
			rep, req := wsPair(t, transport, REP, REQ, hb, hb)
			startEcho(t, rep)
			ctx := testCtx(t)
			req.Send(ctx, []byte("x"))
			if _, err := req.Recv(ctx); err != nil {
				t.Fatal(err)
			}
			// A client stuck in its HTTP request (or, for wss, in
			// its TLS handshake), which the server must drop on
			// Close.
			var err error
			stuck, err = net.Dial("tcp", rep.listeners[0].Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			// One request answered, so that the server's goroutine
			// for it is there, then half of the next.
			stuck.SetDeadline(time.Now().Add(5 * time.Second))
			sr := stuck
			if transport == "wss" {
				_, client := testTLS(t)
				client = client.Clone()
				client.InsecureSkipVerify = true
				sr = tls.Client(stuck, client)
			}
			sr.Write([]byte("GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n"))
			if line, err := bufio.NewReader(sr).ReadString('\n'); err != nil || !strings.Contains(line, "404") {
				t.Fatalf("the stuck client's first request: %q, %v; want a 404", line, err)
			}
			sr.Write([]byte("GET / HTTP/1.1\r\n"))
			start := time.Now()
			rep.Close()
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v with a client stuck in HTTP, want it dropped at once", d)
			}
		})
	}
}

func TestWSHeartbeat(t *testing.T) {
	hb := Options{Heartbeat: Heartbeat{Interval: 10 * time.Millisecond, Timeout: 200 * time.Millisecond}}
	rep, req := wsPair(t, "ws", REP, REQ, hb, hb)
	startEcho(t, rep)
	ctx := testCtx(t)
	// Quiet for many heartbeat timeouts: the pings, answered, keep the
	// connection up.
	waitConnected(t, req, 1)
	time.Sleep(600 * time.Millisecond) // the quiet spell being tested, not a synchronisation
	waitConnectedExactly(t, req, 1)
	req.Send(ctx, []byte("still here"))
	if got, err := req.Recv(ctx); err != nil || string(got[0]) != "still here" {
		t.Fatalf("after a quiet spell: %q, %v", got, err)
	}
}

func TestWSSteadyStateAllocs(t *testing.T) {
	for _, size := range []int{64, 64 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			rep, req := wsPair(t, "ws", REP, REQ, Options{}, Options{})
			startEcho(t, rep)
			ctx := context.Background()
			payload := make([]byte, size)
			var m Msg
			roundTrip := func() {
				if err := req.Send(ctx, payload); err != nil {
					t.Fatal(err)
				}
				if err := req.RecvMsg(ctx, &m); err != nil {
					t.Fatal(err)
				}
			}
			for range 100 {
				roundTrip()
			}
			if allocs := testing.AllocsPerRun(200, roundTrip); allocs > 0.05 {
				t.Errorf("a REQ/REP round trip of %d bytes over ws allocates %v times, want 0", size, allocs)
			}
		})
	}
}

func TestWSHandshakeBounded(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep, err := rep.Bind("ws://127.0.0.1:0/")
	if err != nil {
		t.Fatal(err)
	}
	startEcho(t, rep)
	addr := strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/")
	for _, tc := range []struct {
		name   string
		req    string
		status string
	}{
		{"headers over the limit", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("x", 4*ws.MaxHandshakeSize) + "\r\n\r\n", "431"},
		{"another path", "GET /other HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "404"},
		{"plain HTTP", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "426"},
	} {
		if line := httpStatus(t, addr, tc.req); !strings.HasPrefix(line, "HTTP/1.1 "+tc.status) {
			t.Errorf("%s: answered %q, want %s", tc.name, line, tc.status)
		}
	}
	req := mustSocket(t, REQ, nil)
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("after"))
	if got, err := req.Recv(ctx); err != nil || string(got[0]) != "after" {
		t.Fatalf("a ZWS client after the bad requests: %q, %v", got, err)
	}
}

func TestWSXPubXSub(t *testing.T) {
	// Subscriptions travel as messages starting with 1 or 0 over ZWS;
	// an XPUB sees them so, and an XSUB sends them so.
	for _, transport := range []string{"ws", "wss"} {
		xpub, xsub := wsPair(t, transport, XPUB, XSUB, Options{}, Options{})
		ctx := testCtx(t)
		if err := xsub.Send(ctx, []byte("\x01news")); err != nil {
			t.Fatal(err)
		}
		got, err := xpub.Recv(ctx)
		if err != nil || len(got) != 1 || string(got[0]) != "\x01news" {
			t.Fatalf("%s: XPUB received %q, %v; want the subscription \"\\x01news\"", transport, got, err)
		}
		if err := xpub.Send(ctx, []byte("news"), []byte("item")); err != nil {
			t.Fatal(err)
		}
		got, err = xsub.Recv(ctx)
		if want := frames("news", "item"); err != nil || !equalFrames(got, want) {
			t.Fatalf("%s: XSUB received %q, %v; want %q", transport, got, err, want)
		}
	}
}

func TestWSStreamRefused(t *testing.T) {
	s := mustSocket(t, STREAM, nil)
	if _, err := s.Bind("ws://127.0.0.1:0/"); !errors.Is(err, errStreamWS) {
		t.Errorf("STREAM Bind on ws: %v, want errStreamWS", err)
	}
	if err := s.Connect("ws://127.0.0.1:1/"); !errors.Is(err, errStreamWS) {
		t.Errorf("STREAM Connect on ws: %v, want errStreamWS", err)
	}
	r := mustSocket(t, REP, nil)
	if _, err := r.Bind("wss://127.0.0.1:0/"); !errors.Is(err, errNoTLS) {
		t.Errorf("wss Bind without TLSConfig: %v, want errNoTLS", err)
	}
}

// firstProtocolServer serves WebSocket on loopback, choosing the first
// subprotocol offered, as jszmq's server does, and runs peer on each
// connection.
func firstProtocolServer(t *testing.T, peer func(c *ws.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := ws.Upgrade(w, r, func(offered []string) (string, error) { return offered[0], nil }, 1<<16)
		if err != nil {
			return
		}
		defer c.Close()
		c.NetConn().SetDeadline(time.Now().Add(10 * time.Second))
		peer(c)
	})}
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return "ws://" + ln.Addr().String() + "/"
}

func TestWSClientHoldsReady(t *testing.T) {
	readyOf := func(typ string) []byte {
		return append([]byte{wsFlagCommand}, AppendReady(nil, Metadata{{Name: PropSocketType, Value: []byte(typ)}})[2:]...)
	}
	for _, tc := range []struct {
		name string
		// first is what the server sends before it reads anything; nil
		// for a server that waits for the client's READY.
		first []byte
		// hello is what the server must read first: our routing id for
		// a bare server, our READY for a NULL one.
		bare bool
	}{
		{"bare server that chose ZWS2.0/NULL", []byte{0}, true},
		{"NULL server that sends READY at once", readyOf("REP"), false},
		{"NULL server that waits for the client's READY", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := firstProtocolServer(t, func(c *ws.Conn) {
				if tc.first != nil {
					c.WriteMessage(ws.OpBinary, tc.first)
				}
				_, hello, err := c.ReadMessage(nil)
				if err != nil {
					t.Errorf("server: %v", err)
					return
				}
				switch {
				case tc.bare && string(hello) != "\x00req-1":
					t.Errorf("bare server read %q first, want the routing id \"\\x00req-1\"", hello)
				case !tc.bare && (len(hello) == 0 || hello[0] != wsFlagCommand || !bytes.Contains(hello, []byte("READY"))):
					t.Errorf("NULL server read %q first, want a READY command", hello)
				}
				if tc.first == nil {
					c.WriteMessage(ws.OpBinary, readyOf("REP"))
				}
				var req [][]byte
				for {
					_, m, err := c.ReadMessage(nil)
					if err != nil {
						t.Errorf("server: %v", err)
						return
					}
					req = append(req, bytes.Clone(m))
					if m[0]&wsFlagMore == 0 {
						break
					}
				}
				for _, m := range req {
					c.WriteMessage(ws.OpBinary, m)
				}
				c.ReadMessage(nil) // until the client goes
			})
			req := mustSocket(t, REQ, &Options{Identity: []byte("req-1")})
			connect(t, req, ep)
			ctx := testCtx(t)
			if err := req.Send(ctx, []byte("ping")); err != nil {
				t.Fatal(err)
			}
			got, err := req.Recv(ctx)
			if err != nil || len(got) != 1 || string(got[0]) != "ping" {
				t.Fatalf("reply %q, %v; want the echo", got, err)
			}
		})
	}
}

// httpStatus sends the raw HTTP request req to addr and returns the
// status line of the answer.
func httpStatus(t *testing.T, addr, req string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	go conn.Write([]byte(req))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return line
}

// TestWSOrigin checks that Options.WSOrigin refuses the handshakes of
// pages it does not allow, takes those it allows, and is not asked about
// clients that send no Origin.
func TestWSOrigin(t *testing.T) {
	var asked []string
	var mu sync.Mutex
	rep := mustSocket(t, REP, &Options{WSOrigin: func(origin string) bool {
		mu.Lock()
		asked = append(asked, origin)
		mu.Unlock()
		return origin == "http://console.example"
	}})
	ep, err := rep.Bind("ws://127.0.0.1:0/")
	if err != nil {
		t.Fatal(err)
	}
	startEcho(t, rep)
	addr := strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/")
	for _, tc := range []struct {
		origin string
		status string
	}{
		{"http://evil.example", "403"},
		{"http://console.example", "101"},
	} {
		req := "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
			"Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nOrigin: " + tc.origin + "\r\n\r\n"
		if line := httpStatus(t, addr, req); !strings.HasPrefix(line, "HTTP/1.1 "+tc.status) {
			t.Errorf("Origin %s: answered %q, want %s", tc.origin, line, tc.status)
		}
	}
	req := mustSocket(t, REQ, nil)
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("no origin"))
	if got, err := req.Recv(ctx); err != nil || string(got[0]) != "no origin" {
		t.Fatalf("a client without an Origin: %q, %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"http://evil.example", "http://console.example"}; !slices.Equal(asked, want) {
		t.Errorf("WSOrigin was asked about %q, want %q", asked, want)
	}
}
