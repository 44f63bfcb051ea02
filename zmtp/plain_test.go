package zmtp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// plainUsers is an authenticator for tests: it knows "admin" with the
// password "secret", and counts its calls.
type plainUsers struct {
	calls atomic.Int32
}

func (u *plainUsers) server() PlainServer {
	return PlainServer{Authenticate: func(user, pass string, peer net.Addr) (string, error) {
		u.calls.Add(1)
		if peer == nil {
			return "", errors.New("no peer address")
		}
		if user == "admin" && pass == "secret" {
			return "id-of-" + user, nil
		}
		return "", errors.New("wrong password")
	}}
}

// securePair returns a connected client and a bound server socket using
// the given mechanisms.
func securePair(t testing.TB, ct, st Type, cm, sm Mechanism) (client, server *Socket) {
	t.Helper()
	server = mustSocket(t, st, &Options{Mechanism: sm})
	ep := mustBind(t, server)
	client = mustSocket(t, ct, &Options{Mechanism: cm, ReconnectInterval: time.Millisecond})
	if err := client.Connect(ep); err != nil {
		t.Fatal(err)
	}
	return client, server
}

// peerMetadata waits for s to have a connected peer and returns the
// metadata the handshake learnt about it.
func peerMetadata(t testing.TB, s *Socket) Metadata {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range s.pipeList() {
			if p.up.Load() {
				return p.peer().md
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no connected peer")
	return nil
}

func TestPlainReqRep(t *testing.T) {
	var users plainUsers
	req, rep := securePair(t, REQ, REP, PlainClient{Username: "admin", Password: "secret"}, users.server())
	startEcho(t, rep)
	ctx := testCtx(t)
	for i := range 3 {
		msg := []byte{'m', byte('0' + i)}
		if err := req.Send(ctx, msg, []byte("second")); err != nil {
			t.Fatal(err)
		}
		got, err := req.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !bytes.Equal(got[0], msg) || string(got[1]) != "second" {
			t.Fatalf("reply %q, want [%q second]", got, msg)
		}
	}
	md := peerMetadata(t, rep)
	if got := mustGet(t, md, PropUserID); string(got) != "id-of-admin" {
		t.Errorf("User-Id = %q, want %q", got, "id-of-admin")
	}
	if got := mustGet(t, md, PropSocketType); string(got) != "REQ" {
		t.Errorf("Socket-Type = %q, want REQ", got)
	}
	if got := mustGet(t, peerMetadata(t, req), PropSocketType); string(got) != "REP" {
		t.Errorf("client sees Socket-Type %q, want REP", got)
	}
	if n := users.calls.Load(); n != 1 {
		t.Errorf("Authenticate called %d times, want 1", n)
	}
}

func TestPlainDealerRouter(t *testing.T) {
	var users plainUsers
	dealer := mustSocket(t, DEALER, &Options{Mechanism: PlainClient{Username: "admin", Password: "secret"}, Identity: []byte("d1")})
	router := mustSocket(t, ROUTER, &Options{Mechanism: users.server()})
	ep := mustBind(t, router)
	if err := dealer.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := dealer.Send(ctx, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	got, err := router.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0]) != "d1" || string(got[1]) != "hi" {
		t.Fatalf("ROUTER got %q, want [d1 hi]", got)
	}
	if err := router.Send(ctx, got[0], []byte("back")); err != nil {
		t.Fatal(err)
	}
	back, err := dealer.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || string(back[0]) != "back" {
		t.Fatalf("DEALER got %q, want [back]", back)
	}
	if got := mustGet(t, peerMetadata(t, router), PropUserID); string(got) != "id-of-admin" {
		t.Errorf("User-Id = %q, want id-of-admin", got)
	}
}

func TestPlainRefused(t *testing.T) {
	for _, tt := range []struct{ user, pass string }{
		{"admin", "wrong"},
		{"nobody", "secret"},
		{"", ""},
	} {
		t.Run(tt.user+"/"+tt.pass, func(t *testing.T) {
			var users plainUsers
			req, rep := securePair(t, REQ, REP, PlainClient{Username: tt.user, Password: tt.pass}, users.server())
			ctx := testCtx(t)
			err := request(ctx, req, []byte("let me in"))
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("Recv error = %v, want ErrAuth", err)
			}
			var pe *PeerError
			if !errors.As(err, &pe) || pe.Reason != ReasonAuthFailed {
				t.Errorf("Recv error = %v, want a *PeerError with reason %q", err, ReasonAuthFailed)
			}
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Mechanism != "PLAIN" || ae.Reason != ReasonAuthFailed {
				t.Errorf("Recv error = %#v, want an *AuthError of PLAIN with reason %q", err, ReasonAuthFailed)
			}
			if !strings.Contains(err.Error(), "authentication failed") {
				t.Errorf("error text %q does not say authentication failed", err)
			}

			// The server never delivers anything.
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			if got, err := rep.Recv(short); err == nil {
				t.Errorf("server received %q from a refused client", got)
			}

			// No reconnection loop: with a reconnect interval of
			// 1 ms, a loop would call Authenticate many times.
			time.Sleep(200 * time.Millisecond)
			if n := users.calls.Load(); n != 1 {
				t.Errorf("Authenticate called %d times, want 1: the client reconnects after a refusal", n)
			}
			if err := req.Send(ctx, []byte("again")); !errors.Is(err, ErrAuth) {
				t.Errorf("Send after the refusal: %v, want ErrAuth", err)
			}
		})
	}
}

func TestPlainNilAuthenticateRefuses(t *testing.T) {
	req, _ := securePair(t, REQ, REP, PlainClient{Username: "a", Password: "b"}, PlainServer{})
	ctx := testCtx(t)
	if err := request(ctx, req, []byte("q")); !errors.Is(err, ErrAuth) {
		t.Fatalf("Recv error = %v, want ErrAuth", err)
	}
}

func TestPlainLongCredentials(t *testing.T) {
	req, _ := securePair(t, REQ, REP, PlainClient{Username: strings.Repeat("u", 256)}, PlainServer{})
	ctx := testCtx(t)
	if err := request(ctx, req, []byte("q")); !errors.Is(err, ErrMechanism) {
		t.Fatalf("Recv error = %v, want ErrMechanism", err)
	}
}

func TestPlainNullRefused(t *testing.T) {
	tests := []struct {
		name   string
		cm, sm Mechanism
	}{
		{"NULL client, PLAIN server", Null{}, nil},
		{"PLAIN client, NULL server", PlainClient{Username: "admin", Password: "secret"}, Null{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var users plainUsers
			sm := tt.sm
			if sm == nil {
				sm = users.server()
			}
			req, rep := securePair(t, REQ, REP, tt.cm, sm)
			ctx := testCtx(t)
			if err := request(ctx, req, []byte("q")); !errors.Is(err, ErrMechanism) {
				t.Fatalf("Recv error = %v, want ErrMechanism", err)
			}
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if got, err := rep.Recv(short); err == nil {
				t.Errorf("server received %q", got)
			}
			if n := users.calls.Load(); n != 0 {
				t.Errorf("Authenticate called %d times, want 0", n)
			}
		})
	}
}

// plainGreet exchanges PLAIN greetings as a client.
func (p *rawPeer) plainGreet() {
	p.t.Helper()
	p.write(AppendGreeting(nil, "PLAIN", false))
	b, err := p.r.next(GreetingSize)
	if err != nil {
		p.t.Fatalf("raw peer reading greeting: %v", err)
	}
	g, err := ParseGreeting(b)
	if err != nil || g.Mechanism != "PLAIN" {
		p.t.Fatalf("raw peer got greeting %+v, %v", g, err)
	}
}

func TestPlainMalformedHello(t *testing.T) {
	tests := []struct {
		name string
		cmd  []byte
	}{
		{"empty", AppendCommand(nil, CmdHello)},
		{"user length only", AppendCommand(nil, CmdHello, []byte{5})},
		{"user past end", AppendCommand(nil, CmdHello, []byte{9, 'a', 'd', 'm', 'i', 'n', 0})},
		{"no password length", AppendCommand(nil, CmdHello, []byte{5}, []byte("admin"))},
		{"password short", AppendCommand(nil, CmdHello, []byte{5}, []byte("admin"), []byte{7}, []byte("secret"))},
		{"trailing byte", AppendCommand(nil, CmdHello, AppendPlainHello(nil, "admin", "secret"), []byte{0})},
		{"INITIATE first", AppendCommand(nil, CmdInitiate)},
		{"READY first", AppendReady(nil, Metadata{{PropSocketType, []byte("REQ")}})},
		{"message frame", AppendFrame(nil, 0, []byte("\x05HELLO\x00\x00"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var users plainUsers
			rep := mustSocket(t, REP, &Options{Mechanism: users.server()})
			ep := mustBind(t, rep)
			peer := dialRaw(t, ep)
			peer.plainGreet()
			peer.write(tt.cmd)
			peer.waitClosed(5 * time.Second)
			if n := users.calls.Load(); n != 0 {
				t.Errorf("Authenticate called %d times for a malformed HELLO", n)
			}
		})
	}
}

// TestPlainServerBytes checks the commands the server sends, byte for
// byte, against a hand-driven client.
func TestPlainServerBytes(t *testing.T) {
	var users plainUsers
	rep := mustSocket(t, REP, &Options{Mechanism: users.server()})
	startEcho(t, rep)
	ep := mustBind(t, rep)
	peer := dialRaw(t, ep)
	peer.plainGreet()
	peer.write(AppendCommand(nil, CmdHello, AppendPlainHello(nil, "admin", "secret")))
	flags, body, err := peer.readFrame()
	if err != nil || flags != FlagCommand || string(body) != "\x07WELCOME" {
		t.Fatalf("after HELLO got %v %q %v, want an empty WELCOME", flags, body, err)
	}
	md := Metadata{{PropSocketType, []byte("REQ")}, {PropIdentity, nil}, {"user-id", []byte("forged")}}
	peer.write(AppendCommand(nil, CmdInitiate, md.Append(nil)))
	cmd := peer.readCommand()
	if cmd.Name != CmdReady {
		t.Fatalf("after INITIATE got %s, want READY", cmd.Name)
	}
	got, err := ParseMetadata(cmd.Data, 16)
	if err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, got, PropSocketType); string(v) != "REP" {
		t.Errorf("READY Socket-Type = %q, want REP", v)
	}
	peer.sendMsg("", "ping")
	if msg := peer.readMsg(); len(msg) != 2 || string(msg[1]) != "ping" {
		t.Fatalf("echo = %q", msg)
	}
	// The client's own User-Id is replaced by the authenticated one.
	pm := peerMetadata(t, rep)
	n := 0
	for _, p := range pm {
		if strings.EqualFold(p.Name, PropUserID) {
			n++
			if string(p.Value) != "id-of-admin" {
				t.Errorf("User-Id = %q, want id-of-admin", p.Value)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d User-Id properties, want 1", n)
	}
}

// TestPlainClientBytes drives the client against a hand-driven server.
func TestPlainClientBytes(t *testing.T) {
	tests := []struct {
		name    string
		welcome []byte // nil: the normal exchange
		want    error
	}{
		{"good", nil, nil},
		{"WELCOME with data", AppendCommand(nil, CmdWelcome, []byte{0}), ErrMalformed},
		{"READY instead of WELCOME", AppendReady(nil, nil), ErrMalformed},
		{"ERROR", AppendError(nil, "400"), ErrAuth},
		{"malformed ERROR", AppendCommand(nil, CmdError, []byte{9, '4'}), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, accept := listenRaw(t)
			req := mustSocket(t, REQ, &Options{Mechanism: PlainClient{Username: "u", Password: "pw"}, ReconnectInterval: time.Hour})
			if err := req.Connect(ep); err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			if err := req.Send(ctx, []byte("q")); err != nil {
				t.Fatal(err)
			}
			peer := accept()
			peer.write(AppendGreeting(nil, "PLAIN", true))
			if _, err := peer.r.next(GreetingSize); err != nil {
				t.Fatal(err)
			}
			flags, body, err := peer.readFrame()
			if err != nil || flags != FlagCommand || string(body) != "\x05HELLO\x01u\x02pw" {
				t.Fatalf("HELLO = %v %q %v", flags, body, err)
			}
			if tt.welcome != nil {
				peer.write(tt.welcome)
				peer.waitClosed(5 * time.Second)
				if tt.want == ErrAuth {
					if _, err := req.Recv(ctx); !errors.Is(err, ErrAuth) {
						t.Errorf("Recv error = %v, want ErrAuth", err)
					}
				}
				return
			}
			peer.write(AppendCommand(nil, CmdWelcome))
			cmd := peer.readCommand()
			if cmd.Name != CmdInitiate {
				t.Fatalf("got %s, want INITIATE", cmd.Name)
			}
			md, err := ParseMetadata(cmd.Data, 16)
			if err != nil {
				t.Fatal(err)
			}
			if v := mustGet(t, md, PropSocketType); string(v) != "REQ" {
				t.Errorf("INITIATE Socket-Type = %q", v)
			}
			peer.write(AppendReady(nil, Metadata{{PropSocketType, []byte("REP")}}))
			if msg := peer.readMsg(); len(msg) != 2 || string(msg[1]) != "q" {
				t.Fatalf("request = %q", msg)
			}
			peer.sendMsg("", "a")
			got, err := req.Recv(ctx)
			if err != nil || len(got) != 1 || string(got[0]) != "a" {
				t.Fatalf("Recv = %q, %v", got, err)
			}
		})
	}
}

func TestParsePlainHello(t *testing.T) {
	tests := []struct {
		data       string
		user, pass string
		ok         bool
	}{
		{"\x00\x00", "", "", true},
		{"\x05admin\x06secret", "admin", "secret", true},
		{"\x01a\x00", "a", "", true},
		{"", "", "", false},
		{"\x00", "", "", false},
		{"\x01a", "", "", false},
		{"\x05admin\x06secre", "", "", false},
		{"\x05admin\x06secrets", "", "", false},
		{"\xffa\x00", "", "", false},
	}
	for _, tt := range tests {
		user, pass, err := ParsePlainHello([]byte(tt.data))
		if (err == nil) != tt.ok || user != tt.user || pass != tt.pass {
			t.Errorf("ParsePlainHello(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.data, user, pass, err, tt.user, tt.pass, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePlainHello(%q) error %v does not wrap ErrMalformed", tt.data, err)
		}
		if err == nil {
			if b := AppendPlainHello(nil, user, pass); string(b) != tt.data {
				t.Errorf("AppendPlainHello(%q, %q) = %q, want %q", user, pass, b, tt.data)
			}
		}
	}
}

// TestPlainLibzmqError checks that the client takes the ERROR of libzmq's
// PLAIN server, whose name is garbled, for a refusal.
func TestPlainLibzmqError(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{Mechanism: PlainClient{Username: "u", Password: "pw"}, ReconnectInterval: time.Millisecond})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("q")); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.write(AppendGreeting(nil, "PLAIN", false))
	if _, err := peer.r.next(GreetingSize); err != nil {
		t.Fatal(err)
	}
	peer.readCommand()
	// These are the bytes libzmq 4.3.4 sends.
	peer.write([]byte("\x04\x09\x5eRROR\x03400"))
	_, err := req.Recv(ctx)
	var pe *PeerError
	if !errors.Is(err, ErrAuth) || !errors.As(err, &pe) || pe.Reason != "400" {
		t.Fatalf("Recv error = %v, want ErrAuth with the reason 400", err)
	}
	peer.waitClosed(5 * time.Second)
}

// request sends a request on req and waits for the reply. A refusal may
// come back from either call: Send returns it once the socket has been
// refused.
func request(ctx context.Context, req *Socket, body []byte) error {
	if err := req.Send(ctx, body); err != nil {
		return err
	}
	_, err := req.Recv(ctx)
	return err
}
