package zmtp

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

func TestHandshakeMetadata(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	peer := dialRaw(t, ep)
	g := peer.greet()
	if g.Major != 3 || g.Minor != 1 || g.Mechanism != "NULL" {
		t.Errorf("greeting = %+v, want 3.1 NULL", g)
	}
	peer.write(AppendReady(nil, Metadata{{"socket-type", []byte("REQ")}})) // any case
	cmd := peer.readCommand()
	md, err := ParseMetadata(cmd.Data, 8)
	if err != nil {
		t.Fatal(err)
	}
	// REP sends Socket-Type only, with libzmq's exact casing.
	if len(md) != 1 || md[0].Name != "Socket-Type" || string(md[0].Value) != "REP" {
		t.Errorf("READY metadata = %+v, want Socket-Type REP", md)
	}
}

func TestHandshakeIdentity(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{Identity: []byte("client-7")})
	req.Connect(ep)
	peer := accept()
	md := peer.handshake("ROUTER")
	if got := mustGet(t, md, "Identity"); string(got) != "client-7" {
		t.Errorf("Identity = %q, want client-7", got)
	}
	if md[0].Name != PropSocketType || md[1].Name != PropIdentity {
		t.Errorf("property names = %q, %q; want exact casing", md[0].Name, md[1].Name)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []Options{
		{Identity: []byte{0, 1}},
		{Identity: make([]byte, 256)},
		{SendHWM: -1},
	} {
		if _, err := NewSocket(REQ, &o); err == nil {
			t.Errorf("NewSocket(%+v) succeeded, want an error", o)
		}
	}
}

func TestSocketTypeMismatch(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	peer := dialRaw(t, ep)
	peer.greet()
	peer.write(AppendReady(nil, Metadata{{PropSocketType, []byte("PUB")}}))
	if cmd := peer.readCommand(); cmd.Name != CmdReady {
		t.Fatalf("got %s, want READY first", cmd.Name)
	}
	cmd := peer.readCommand()
	if cmd.Name != CmdError {
		t.Fatalf("got %s, want ERROR", cmd.Name)
	}
	if reason, _ := ParseError(cmd.Data); reason != "invalid socket type" {
		t.Errorf("ERROR reason = %q", reason)
	}
	peer.waitClosed(5 * time.Second)
}

func TestConnectRefusedForGood(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		peer func(p *rawPeer)
		want error
	}{
		{"ZMTP 2.0 refused", Options{NoDowngrade: true}, func(p *rawPeer) {
			p.write([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 4}) // revision 1, type REP
		}, ErrVersion},
		{"ZMTP 2.0 under PLAIN", Options{Mechanism: PlainClient{Username: "u", Password: "p"}}, func(p *rawPeer) {
			p.write([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 4})
		}, ErrVersion},
		{"ZMTP 2.0 of the wrong type", Options{}, func(p *rawPeer) {
			p.write([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 8}) // PUSH
		}, ErrSocketType},
		{"PLAIN", Options{}, func(p *rawPeer) { p.write(AppendGreeting(nil, "PLAIN", true)) }, ErrMechanism},
		{"wrong type", Options{}, func(p *rawPeer) {
			p.greet()
			p.write(AppendReady(nil, Metadata{{PropSocketType, []byte("PUSH")}}))
		}, ErrSocketType},
		{"ERROR", Options{}, func(p *rawPeer) {
			p.greet()
			p.write(AppendError(nil, "go away"))
		}, &PeerError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, accept := listenRaw(t)
			opts := tt.opts
			opts.ReconnectInterval = time.Millisecond
			req := mustSocket(t, REQ, &opts)
			req.Connect(ep)
			ctx := testCtx(t)
			if err := req.Send(ctx, []byte("q")); err != nil {
				t.Fatal(err)
			}
			tt.peer(accept())
			_, err := req.Recv(ctx)
			var pe *PeerError
			if want, ok := tt.want.(*PeerError); ok {
				if !errors.As(err, &pe) || pe.Reason != "go away" {
					t.Fatalf("Recv error = %v, want a *PeerError %v", err, want)
				}
			} else if !errors.Is(err, tt.want) {
				t.Fatalf("Recv error = %v, want %v", err, tt.want)
			}
			// Refused for good: no reconnection, and Send says why.
			if err := req.Send(ctx, []byte("again")); err == nil {
				t.Error("Send after the refusal succeeded, want the refusal")
			}
		})
	}
}

func TestVersionRefusedByListener(t *testing.T) {
	rep := mustSocket(t, REP, &Options{NoDowngrade: true})
	ep := mustBind(t, rep)
	startEcho(t, rep)
	peer := dialRaw(t, ep)
	// A ZMTP 2.0 peer sends its signature and revision and waits; it
	// must get a prompt close, not a wait for the handshake timeout.
	peer.write([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1})
	peer.waitClosed(500 * time.Millisecond)
}

func TestHandshakeTimeoutDoesNotBlockOthers(t *testing.T) {
	rep := mustSocket(t, REP, &Options{HandshakeTimeout: 300 * time.Millisecond})
	ep := mustBind(t, rep)
	startEcho(t, rep)
	silent := make([]*rawPeer, 10)
	for i := range silent {
		silent[i] = dialRaw(t, ep) // connects, then says nothing
	}
	req := mustSocket(t, REQ, nil)
	req.Connect(ep)
	ctx := testCtx(t)
	quick, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	if err := req.Send(quick, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if _, err := req.Recv(quick); err != nil {
		t.Fatalf("good client not served while silent peers wait: %v", err)
	}
	for _, p := range silent {
		p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		// The signature arrives, then the close at the deadline.
		if _, err := p.r.next(10); err != nil {
			t.Fatal(err)
		}
		if _, err := p.r.next(1); err == nil {
			t.Fatal("silent peer got more than the signature")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("silent peer not disconnected by the handshake timeout")
		}
	}
}

func TestHandshakeCommandLimit(t *testing.T) {
	rep := mustSocket(t, REP, &Options{MaxCommandSize: 1024})
	ep := mustBind(t, rep)
	peer := dialRaw(t, ep)
	peer.greet()
	// A READY declaring a 2 GiB metadata value, and a frame of 2^62 bytes.
	hdr := AppendFrameHeader(nil, FlagCommand, 1<<62)
	peer.write(hdr)
	peer.readCommand() // the socket's READY
	peer.waitClosed(5 * time.Second)
}

func TestPingAnsweredWithPong(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	// No goroutine receives on rep: the pump answers on its own.
	peer := dialRaw(t, ep)
	peer.handshake("REQ")
	peer.write(AppendPing(nil, 0, []byte("0123456789abcdefXYZ")))
	cmd := peer.readCommand()
	if cmd.Name != CmdPong || string(cmd.Data) != "0123456789abcdef" {
		t.Errorf("got %s %q, want PONG with the first 16 context bytes", cmd.Name, cmd.Data)
	}
	// Unknown commands are ignored; the connection stays usable.
	peer.write(AppendCommand(nil, "NEWTHING", []byte("x")))
	peer.write(AppendPing(nil, 0, []byte("again")))
	if cmd := peer.readCommand(); cmd.Name != CmdPong || string(cmd.Data) != "again" {
		t.Errorf("got %s %q, want PONG again", cmd.Name, cmd.Data)
	}
}

func TestHeartbeatClosesDeadPeer(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{Heartbeat: Heartbeat{Interval: 50 * time.Millisecond, Timeout: 100 * time.Millisecond, TTL: 2 * time.Second}})
	req.Connect(ep)
	peer := accept()
	peer.handshake("REP")
	// The socket PINGs with our TTL; the peer never answers.
	cmd := peer.readCommand()
	if cmd.Name != CmdPing {
		t.Fatalf("got %s, want PING", cmd.Name)
	}
	if ttl, _, _ := ParsePing(cmd.Data); ttl != 2*time.Second {
		t.Errorf("PING TTL = %v, want 2s", ttl)
	}
	peer.waitClosed(2 * time.Second)
}

func TestHeartbeatKeepsLivePeer(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{Heartbeat: Heartbeat{Interval: 20 * time.Millisecond, Timeout: 60 * time.Millisecond}})
	req.Connect(ep)
	peer := accept()
	peer.handshake("REP")
	// Answer PINGs for several timeouts: the connection must stay.
	deadline := time.Now().Add(300 * time.Millisecond)
	for pings := 0; time.Now().Before(deadline); pings++ {
		cmd := peer.readCommand()
		if cmd.Name != CmdPing {
			t.Fatalf("got %s, want PING", cmd.Name)
		}
		peer.write(AppendPong(nil, nil))
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("still here")); err != nil {
		t.Fatal(err)
	}
	if got := peer.readMsg(); string(got[1]) != "still here" {
		t.Errorf("request = %q", got)
	}
}

func TestPeerTTLClosesQuietPeer(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	peer := dialRaw(t, ep)
	peer.handshake("REQ")
	start := time.Now()
	peer.write(AppendPing(nil, 200*time.Millisecond, nil))
	peer.readCommand() // PONG
	peer.waitClosed(2 * time.Second)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("closed after %v, before the TTL of 200ms", d)
	}
}
