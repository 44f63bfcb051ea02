package curve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newSocket(t testing.TB, typ zmtp.Type, o *zmtp.Options) *zmtp.Socket {
	t.Helper()
	s, err := zmtp.NewSocket(typ, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func bind(t testing.TB, s *zmtp.Socket) string {
	t.Helper()
	ep, err := s.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// keyring is a server's view of its clients for tests: it knows one
// client key, counts the calls of Authorize and records the metadata of
// each finished handshake.
type keyring struct {
	allowed Key
	calls   atomic.Int32
	peers   chan zmtp.Metadata
}

func newKeyring(allowed Key) *keyring {
	return &keyring{allowed: allowed, peers: make(chan zmtp.Metadata, 16)}
}

func (k *keyring) authorize(client Key, peer net.Addr) (string, error) {
	k.calls.Add(1)
	if peer == nil {
		return "", errors.New("no peer address")
	}
	if client != k.allowed {
		return "", errors.New("unknown key")
	}
	return "user-" + client.String()[:8], nil
}

// recording wraps a mechanism and records the peer metadata of each
// handshake that succeeds.
type recording struct {
	zmtp.Mechanism
	peers chan zmtp.Metadata
}

func (r recording) Handshake(c *zmtp.HandshakeConn, local zmtp.Metadata) (zmtp.Metadata, zmtp.Session, error) {
	md, sess, err := r.Mechanism.Handshake(c, local)
	if err == nil {
		select {
		case r.peers <- md:
		default:
		}
	}
	return md, sess, err
}

func (k *keyring) server() zmtp.Mechanism {
	return recording{Server{PublicKey: serverPub, SecretKey: serverSec, Authorize: k.authorize}, k.peers}
}

func goodClient() Client {
	return Client{ServerKey: serverPub, PublicKey: clientPub, SecretKey: clientSec}
}

// pair returns a connected client and a bound server socket.
func pair(t testing.TB, ct, st zmtp.Type, co, so *zmtp.Options) (client, server *zmtp.Socket) {
	t.Helper()
	server = newSocket(t, st, so)
	ep := bind(t, server)
	if co.ReconnectInterval == 0 {
		co.ReconnectInterval = time.Millisecond
	}
	client = newSocket(t, ct, co)
	if err := client.Connect(ep); err != nil {
		t.Fatal(err)
	}
	return client, server
}

func echo(t testing.TB, s *zmtp.Socket) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m zmtp.Msg
		for s.RecvMsg(ctx, &m) == nil {
			if s.Send(ctx, m.Frames...) != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func roundTrip(t testing.TB, ctx context.Context, req *zmtp.Socket, frames ...[]byte) {
	t.Helper()
	if err := req.Send(ctx, frames...); err != nil {
		t.Fatal(err)
	}
	got, err := req.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(frames) {
		t.Fatalf("reply has %d frames, want %d", len(got), len(frames))
	}
	for i := range got {
		if !bytes.Equal(got[i], frames[i]) {
			t.Fatalf("reply frame %d = %.40q, want %.40q", i, got[i], frames[i])
		}
	}
}

func TestReqRep(t *testing.T) {
	ring := newKeyring(clientPub)
	req, rep := pair(t, zmtp.REQ, zmtp.REP, &zmtp.Options{Mechanism: goodClient()}, &zmtp.Options{Mechanism: ring.server()})
	echo(t, rep)
	ctx := testCtx(t)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 31)
	}
	roundTrip(t, ctx, req, []byte("hello"))
	roundTrip(t, ctx, req, []byte("a"), nil, []byte("c"))
	roundTrip(t, ctx, req, big)
	roundTrip(t, ctx, req, []byte("after the big one"))

	md := <-ring.peers
	if v, _ := md.Get(zmtp.PropUserID); string(v) != "user-"+clientPub.String()[:8] {
		t.Errorf("User-Id = %q", v)
	}
	if v, _ := md.Get(zmtp.PropSocketType); string(v) != "REQ" {
		t.Errorf("Socket-Type = %q, want REQ", v)
	}
	if n := ring.calls.Load(); n != 1 {
		t.Errorf("Authorize called %d times, want 1", n)
	}
}

func TestDealerRouter(t *testing.T) {
	ring := newKeyring(clientPub)
	dealer, router := pair(t, zmtp.DEALER, zmtp.ROUTER,
		&zmtp.Options{Mechanism: goodClient(), Identity: []byte("dealer-1")},
		&zmtp.Options{Mechanism: ring.server()})
	ctx := testCtx(t)
	for i := range 100 {
		if err := dealer.Send(ctx, []byte("part"), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		got, err := router.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || string(got[0]) != "dealer-1" || string(got[1]) != "part" || got[2][0] != byte(i) {
			t.Fatalf("ROUTER got %q", got)
		}
		if err := router.Send(ctx, got[0], got[2]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		got, err := dealer.Recv(ctx)
		if err != nil || len(got) != 1 || got[0][0] != byte(i) {
			t.Fatalf("DEALER got %q, %v", got, err)
		}
	}
}

func TestPubSub(t *testing.T) {
	pub := newSocket(t, zmtp.PUB, &zmtp.Options{Mechanism: Server{SecretKey: serverSec}})
	ep := bind(t, pub)
	sub := newSocket(t, zmtp.SUB, &zmtp.Options{Mechanism: Client{ServerKey: serverPub, SecretKey: clientSec}})
	if err := sub.Subscribe([]byte("news")); err != nil {
		t.Fatal(err)
	}
	if err := sub.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	// The subscription travels inside a MESSAGE; publish until it has
	// arrived.
	got := make(chan [][]byte, 1)
	go func() {
		m, err := sub.Recv(ctx)
		if err == nil {
			got <- m
		}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		pub.Send(ctx, []byte("sport"), []byte("ignored"))
		pub.Send(ctx, []byte("news"), []byte("read"))
		select {
		case m := <-got:
			if len(m) != 2 || string(m[0]) != "news" || string(m[1]) != "read" {
				t.Fatalf("SUB got %q", m)
			}
			return
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("no message through the subscription")
		}
	}
}

func TestHeartbeat(t *testing.T) {
	// Heartbeats every 20 ms with a 100 ms timeout on both sides: a PING
	// or PONG that did not get through the encryption would end the
	// connection, and the client would reconnect and authorize again.
	hb := zmtp.Heartbeat{Interval: 20 * time.Millisecond, Timeout: 100 * time.Millisecond, TTL: 200 * time.Millisecond}
	ring := newKeyring(clientPub)
	req, rep := pair(t, zmtp.REQ, zmtp.REP,
		&zmtp.Options{Mechanism: goodClient(), Heartbeat: hb},
		&zmtp.Options{Mechanism: ring.server(), Heartbeat: hb})
	echo(t, rep)
	ctx := testCtx(t)
	roundTrip(t, ctx, req, []byte("before"))
	time.Sleep(600 * time.Millisecond)
	roundTrip(t, ctx, req, []byte("after"))
	if n := ring.calls.Load(); n != 1 {
		t.Errorf("Authorize called %d times, want 1: the connection did not survive idle heartbeats", n)
	}
}

func TestWrongServerKey(t *testing.T) {
	otherPub, _, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	ring := newKeyring(clientPub)
	req, rep := pair(t, zmtp.REQ, zmtp.REP,
		&zmtp.Options{Mechanism: Client{ServerKey: otherPub, PublicKey: clientPub, SecretKey: clientSec}, ReconnectInterval: 20 * time.Millisecond},
		&zmtp.Options{Mechanism: ring.server()})
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("secret")); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if got, err := rep.Recv(short); err == nil {
		t.Fatalf("server received %q from a client with the wrong server key", got)
	}
	if n := ring.calls.Load(); n != 0 {
		t.Errorf("Authorize called %d times for a client that does not know the server key", n)
	}
}

func TestAuthorizeRefuses(t *testing.T) {
	otherPub, otherSec, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	ring := newKeyring(clientPub)
	req, rep := pair(t, zmtp.REQ, zmtp.REP,
		&zmtp.Options{Mechanism: Client{ServerKey: serverPub, PublicKey: otherPub, SecretKey: otherSec}},
		&zmtp.Options{Mechanism: ring.server()})
	ctx := testCtx(t)
	err = request(ctx, req, []byte("let me in"))
	if !errors.Is(err, zmtp.ErrAuth) {
		t.Fatalf("Recv error = %v, want zmtp.ErrAuth", err)
	}
	var pe *zmtp.PeerError
	if !errors.As(err, &pe) || pe.Reason != zmtp.ReasonAuthFailed {
		t.Errorf("Recv error = %v, want a *zmtp.PeerError with reason %q", err, zmtp.ReasonAuthFailed)
	}
	var ae *zmtp.AuthError
	if !errors.As(err, &ae) || ae.Mechanism != "CURVE" {
		t.Errorf("Recv error = %v, want a *zmtp.AuthError of CURVE", err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if got, err := rep.Recv(short); err == nil {
		t.Errorf("server received %q from a refused client", got)
	}
	time.Sleep(100 * time.Millisecond)
	if n := ring.calls.Load(); n != 1 {
		t.Errorf("Authorize called %d times, want 1: the client reconnects after a refusal", n)
	}
}

func TestNilAuthorizeAcceptsAny(t *testing.T) {
	peers := make(chan zmtp.Metadata, 1)
	anyPub, anySec, _ := NewKeyPair()
	req, rep := pair(t, zmtp.REQ, zmtp.REP,
		&zmtp.Options{Mechanism: Client{ServerKey: serverPub, SecretKey: anySec}},
		&zmtp.Options{Mechanism: recording{Server{PublicKey: serverPub, SecretKey: serverSec}, peers}})
	echo(t, rep)
	roundTrip(t, testCtx(t), req, []byte("x"))
	if v, _ := (<-peers).Get(zmtp.PropUserID); string(v) != anyPub.String() {
		t.Errorf("User-Id = %q, want the client key %s", v, anyPub)
	}
}

func TestNullRefused(t *testing.T) {
	tests := []struct {
		name   string
		cm, sm zmtp.Mechanism
	}{
		{"NULL client", zmtp.Null{}, Server{SecretKey: serverSec}},
		{"NULL server", goodClient(), zmtp.Null{}},
		{"PLAIN server", goodClient(), zmtp.PlainServer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := pair(t, zmtp.REQ, zmtp.REP, &zmtp.Options{Mechanism: tt.cm}, &zmtp.Options{Mechanism: tt.sm})
			ctx := testCtx(t)
			if err := request(ctx, req, []byte("q")); !errors.Is(err, zmtp.ErrMechanism) {
				t.Fatalf("Recv error = %v, want zmtp.ErrMechanism", err)
			}
		})
	}
}

// TestRawClientReplay drives a server by hand: a MESSAGE replayed on the
// wire ends the connection.
func TestRawClientReplay(t *testing.T) {
	rep := newSocket(t, zmtp.REP, &zmtp.Options{Mechanism: Server{PublicKey: serverPub, SecretKey: serverSec}})
	echo(t, rep)
	ep := bind(t, rep)
	conn, err := net.Dial("tcp", ep[len("tcp://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := zmtp.NewReader(conn, 0)
	write := func(b []byte) {
		t.Helper()
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (zmtp.Flags, []byte) {
		t.Helper()
		flags, body, err := r.ReadFrame(nil, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return flags, body
	}
	write(zmtp.AppendGreeting(nil, "CURVE", false))
	// The greeting is not a frame: read it whole, before the reader
	// buffers anything.
	var greeting [zmtp.GreetingSize]byte
	if _, err := io.ReadFull(conn, greeting[:]); err != nil {
		t.Fatal(err)
	}
	h := fixedClient(t)
	write(zmtp.AppendCommand(nil, zmtp.CmdHello, h.hello()))
	_, body := read()
	cmd, err := zmtp.ParseCommand(body)
	if err != nil || cmd.Name != zmtp.CmdWelcome {
		t.Fatalf("got %q, %v; want WELCOME", body, err)
	}
	if err := h.welcome(cmd.Data); err != nil {
		t.Fatal(err)
	}
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("REQ")}}
	initiate, _ := h.initiate(md.Append(nil))
	write(zmtp.AppendCommand(nil, zmtp.CmdInitiate, initiate))
	_, body = read()
	cmd, _ = zmtp.ParseCommand(body)
	if cmd.Name != zmtp.CmdReady {
		t.Fatalf("got %s, want READY", cmd.Name)
	}
	if _, err := h.ready(cmd.Data); err != nil {
		t.Fatal(err)
	}
	sess := h.session()
	var b []byte
	b = sess.Seal(b, zmtp.FlagMore, nil)
	b = sess.Seal(b, 0, []byte("ping"))
	write(b)
	for _, want := range []string{"", "ping"} {
		flags, body := read()
		_, got, err := sess.Open(nil, flags, body)
		if err != nil || string(got) != want {
			t.Fatalf("reply frame %q, %v; want %q", got, err, want)
		}
	}
	write(b) // the same two MESSAGEs again
	if _, _, err := r.ReadFrame(nil, 1<<20); err == nil {
		t.Fatal("the server answered a replayed request")
	}
}

// request sends a request on req and waits for the reply. A refusal may
// come back from either call: Send returns it once the socket has been
// refused.
func request(ctx context.Context, req *zmtp.Socket, body []byte) error {
	if err := req.Send(ctx, body); err != nil {
		return err
	}
	_, err := req.Recv(ctx)
	return err
}

func TestBadKeys(t *testing.T) {
	otherPub, _, _ := NewKeyPair()
	t.Run("client", func(t *testing.T) {
		for name, m := range map[string]Client{
			"no server key":      {PublicKey: clientPub, SecretKey: clientSec},
			"no secret key":      {ServerKey: serverPub, PublicKey: clientPub},
			"mismatched pair":    {ServerKey: serverPub, PublicKey: otherPub, SecretKey: clientSec},
			"nothing configured": {},
		} {
			t.Run(name, func(t *testing.T) {
				req, _ := pair(t, zmtp.REQ, zmtp.REP, &zmtp.Options{Mechanism: m}, &zmtp.Options{Mechanism: Server{SecretKey: serverSec}})
				if err := request(testCtx(t), req, []byte("q")); !errors.Is(err, zmtp.ErrMechanism) {
					t.Fatalf("error = %v, want zmtp.ErrMechanism", err)
				}
			})
		}
	})
	t.Run("server", func(t *testing.T) {
		for name, m := range map[string]Server{
			"no secret key":   {PublicKey: serverPub},
			"mismatched pair": {PublicKey: otherPub, SecretKey: serverSec},
		} {
			t.Run(name, func(t *testing.T) {
				req, rep := pair(t, zmtp.REQ, zmtp.REP, &zmtp.Options{Mechanism: goodClient()}, &zmtp.Options{Mechanism: m})
				ctx := testCtx(t)
				if err := req.Send(ctx, []byte("q")); err != nil {
					t.Fatal(err)
				}
				short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				if got, err := rep.Recv(short); err == nil {
					t.Fatalf("server with bad keys received %q", got)
				}
			})
		}
	})
}

// TestMaxMsgSize checks that the message size limit applies to what a
// sealed frame carries, not to the larger sealed frame.
func TestMaxMsgSize(t *testing.T) {
	ring := newKeyring(clientPub)
	const limit = 1024
	req, rep := pair(t, zmtp.REQ, zmtp.REP,
		&zmtp.Options{Mechanism: goodClient(), MaxMsgSize: limit},
		&zmtp.Options{Mechanism: ring.server(), MaxMsgSize: limit})
	echo(t, rep)
	ctx := testCtx(t)
	// The REQ delimiter is an empty frame: the body may take the rest.
	roundTrip(t, ctx, req, bytes.Repeat([]byte{7}, limit))
	if err := req.Send(ctx, bytes.Repeat([]byte{7}, limit+1)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := req.Recv(short); err == nil {
		t.Error("a message over the limit went through")
	}
}
