package zmtp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// legacyPeer is a raw peer that speaks ZMTP 2.0 or 1.0 by hand.
type legacyPeer struct {
	*rawPeer
	version int
}

// greet sends the greeting of a peer of type typ (2.0 only) and identity,
// reads the socket's, checks it and returns the socket's identity.
func (p *legacyPeer) greet(typ Type, identity string) []byte {
	p.t.Helper()
	if p.version == version2 {
		p.write(append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, revision2, legacyType(typ)}, AppendFrame(nil, 0, []byte(identity))...))
	} else {
		p.write(appendFrameV1(nil, 0, []byte(identity)))
	}
	sig, err := p.r.next(10)
	if err != nil || sig[0] != 0xFF || sig[9] != 0x7F {
		p.t.Fatalf("the socket's signature: % x, %v", sig, err)
	}
	if p.version == version1 {
		// The signature was the header of its identity frame.
		n := int(sig[8]) - 1
		id, err := p.r.next(n)
		if err != nil {
			p.t.Fatalf("the socket's identity: %v", err)
		}
		p.r.v1 = true
		return append([]byte(nil), id...)
	}
	b, err := p.r.next(2)
	if err != nil || b[0] != 3 {
		p.t.Fatalf("the socket's version and type: % x, %v", b, err)
	}
	if _, ok := parseLegacyType(b[1]); !ok {
		p.t.Fatalf("the socket's type byte %d", b[1])
	}
	flags, id, err := p.readFrame()
	if err != nil || flags != 0 {
		p.t.Fatalf("the socket's identity frame: %v %q, %v", flags, id, err)
	}
	return id
}

// send sends a message in the peer's framing.
func (p *legacyPeer) send(frames ...string) {
	p.t.Helper()
	var b []byte
	for i, f := range frames {
		var flags Flags
		if i < len(frames)-1 {
			flags = FlagMore
		}
		if p.version == version1 {
			b = appendFrameV1(b, flags, []byte(f))
		} else {
			b = AppendFrame(b, flags, []byte(f))
		}
	}
	p.write(b)
}

func TestLegacyPeers(t *testing.T) {
	for _, version := range []int{version2, version1} {
		t.Run(fmt.Sprintf("ZMTP %d.0", version), func(t *testing.T) {
			ctx := testCtx(t)
			// Our REP binds; the old REQ sends a request with its
			// envelope and gets the reply in its framing.
			rep := mustSocket(t, REP, nil)
			startEcho(t, rep)
			peer := &legacyPeer{dialRaw(t, mustBind(t, rep)), version}
			if id := peer.greet(REQ, ""); len(id) != 0 {
				t.Errorf("REP sent identity %q, want none", id)
			}
			peer.send("", "hello")
			if got := peer.readMsg(); fmt.Sprintf("%q", got) != `["" "hello"]` {
				t.Errorf("reply %q, want the echo in its envelope", got)
			}
			// A long message, over the short frames' 255 bytes.
			long := string(bytes.Repeat([]byte("x"), 1000))
			peer.send("", long)
			if got := peer.readMsg(); len(got) != 2 || string(got[1]) != long {
				t.Errorf("long reply of %d frames", len(got))
			}

			// Our DEALER connects to an old ROUTER, which routes by
			// the identity our greeting gave it.
			ep, accept := listenRaw(t)
			dealer := mustSocket(t, DEALER, &Options{Identity: []byte("worker-7")})
			if err := dealer.Connect(ep); err != nil {
				t.Fatal(err)
			}
			router := &legacyPeer{accept(), version}
			if id := router.greet(ROUTER, "the-router"); string(id) != "worker-7" {
				t.Errorf("identity in the greeting %q, want worker-7", id)
			}
			if err := dealer.Send(ctx, []byte("job"), []byte("1")); err != nil {
				t.Fatal(err)
			}
			if got := router.readMsg(); fmt.Sprintf("%q", got) != `["job" "1"]` {
				t.Errorf("ROUTER got %q", got)
			}
			router.send("done")
			m, err := dealer.Recv(ctx)
			if err != nil || len(m) != 1 || string(m[0]) != "done" {
				t.Errorf("DEALER got %q, %v", m, err)
			}
		})
	}
}

func TestLegacyRouterSeesIdentity(t *testing.T) {
	ctx := testCtx(t)
	router := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, router)
	peer := &legacyPeer{dialRaw(t, ep), version2}
	peer.greet(DEALER, "alice")
	peer.send("hi")
	var m Msg
	if err := router.RecvMsg(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%q", m.Frames); got != `["alice" "hi"]` {
		t.Errorf("ROUTER got %s, want the greeting's identity first", got)
	}
	if id, _ := m.Peer.Metadata.Get(PropIdentity); string(id) != "alice" || m.Peer.Type != DEALER || m.Peer.Version != 2 {
		t.Errorf("peer %v %q version %d, want DEALER alice of ZMTP 2", m.Peer.Type, id, m.Peer.Version)
	}
	if err := router.Send(ctx, []byte("alice"), []byte("back")); err != nil {
		t.Fatal(err)
	}
	if got := peer.readMsg(); fmt.Sprintf("%q", got) != `["back"]` {
		t.Errorf("old DEALER got %q", got)
	}
}

func TestLegacyPubSub(t *testing.T) {
	ctx := testCtx(t)
	pub := mustSocket(t, PUB, nil)
	ep := mustBind(t, pub)
	// A 2.0 subscriber subscribes with a message, as 3.0 does.
	sub2 := &legacyPeer{dialRaw(t, ep), version2}
	sub2.greet(SUB, "")
	sub2.send("\x01news")
	// A 1.0 subscriber sends nothing and filters by itself: it gets all.
	sub1 := &legacyPeer{dialRaw(t, ep), version1}
	sub1.greet(SUB, "")
	// Publish until each subscriber has what it should: the 2.0 one the
	// news only, the 1.0 one everything. Either may join late.
	got := map[*legacyPeer]map[string]bool{sub1: {}, sub2: {}}
	for len(got[sub1]) < 2 || len(got[sub2]) < 1 {
		for _, m := range []string{"news today", "sports"} {
			if err := pub.Send(ctx, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		for _, sub := range []*legacyPeer{sub1, sub2} {
			// A pass of the publisher's: what arrives meanwhile.
			sub.conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			for {
				_, body, err := sub.readFrame()
				if err != nil {
					if ne, ok := err.(net.Error); !ok || !ne.Timeout() || ctx.Err() != nil {
						t.Fatal(err)
					}
					break
				}
				got[sub][string(body)] = true
			}
		}
	}
	if got[sub2]["sports"] {
		t.Error("the 2.0 subscriber to news got sports")
	}

	// Our SUB sends its subscription to an old PUB as a message.
	pep, accept := listenRaw(t)
	sub := mustSocket(t, SUB, nil)
	sub.Subscribe([]byte("a"))
	if err := sub.Connect(pep); err != nil {
		t.Fatal(err)
	}
	oldPub := &legacyPeer{accept(), version2}
	oldPub.greet(PUB, "")
	if _, body, err := oldPub.readFrame(); err != nil || string(body) != "\x01a" {
		t.Errorf("subscription %q, %v; want the message \\x01a", body, err)
	}
}

func TestLegacyNoHeartbeat(t *testing.T) {
	rep := mustSocket(t, REP, &Options{Heartbeat: Heartbeat{Interval: 10 * time.Millisecond}})
	startEcho(t, rep)
	peer := &legacyPeer{dialRaw(t, mustBind(t, rep)), version2}
	peer.greet(REQ, "")
	// Fifty intervals pass: no PING, which a 2.0 peer would not know.
	peer.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if flags, body, err := peer.readFrame(); err == nil {
		t.Fatalf("the socket sent a frame %v %q to a ZMTP 2.0 peer", flags, body)
	}
	// And the connection is still served.
	peer.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	peer.r.Reset(peer.conn)
	peer.send("", "still there")
	if got := peer.readMsg(); len(got) != 2 || string(got[1]) != "still there" {
		t.Errorf("reply %q", got)
	}
}

func TestLegacyHostile(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	startEcho(t, rep)
	tests := []struct {
		name string
		data []byte
	}{
		{"2.0 identity over 255 bytes", append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3}, AppendFrame(nil, 0, make([]byte, 256))...)},
		{"2.0 identity declaring 2^62 bytes", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3, 2, 0x40, 0, 0, 0, 0, 0, 0, 0}},
		{"2.0 of an unknown type", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 200}},
		{"1.0 identity declaring 2^62 bytes", []byte{0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"1.0 frame without flags", []byte{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := dialRaw(t, ep)
			peer.write(tt.data)
			peer.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err := io.ReadAll(peer.conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection still open after 2s")
			}
		})
	}
	// The socket still serves a good 2.0 peer.
	good := &legacyPeer{dialRaw(t, ep), version2}
	good.greet(REQ, "")
	good.send("", "ok")
	if got := good.readMsg(); len(got) != 2 {
		t.Errorf("good peer got %q", got)
	}
}

func TestLegacyRefusedErrors(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{NoDowngrade: true}, "zmtp: greeting: peer speaks ZMTP 2.0: older versions are refused (Options.NoDowngrade)"},
		{Options{Mechanism: PlainClient{Username: "u"}}, "zmtp: greeting: peer speaks ZMTP 2.0: the PLAIN mechanism needs ZMTP 3"},
	} {
		cfg := &handshakeConfig{mech: tt.opts.Mechanism, legacy: !tt.opts.NoDowngrade}
		if cfg.mech == nil {
			cfg.mech = Null{}
		}
		err := cfg.downgrade("2.0")
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrVersion) {
			t.Errorf("downgrade = %v, want %q matching ErrVersion", err, tt.want)
		}
	}
}
