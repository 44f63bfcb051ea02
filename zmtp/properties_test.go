package zmtp

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests of this file cover Options.Properties, which a socket sends in
// its READY, and Socket.EveryPeer, which asks about the peers' metadata.

// hasCodec reports whether p announced X-Codec v2.
func hasCodec(p *Peer) bool {
	v, ok := p.Metadata.Get("X-Codec")
	return ok && string(v) == "v2"
}

// codecProps are the properties of a socket that reads codec v2.
func codecProps() Metadata { return Metadata{{Name: "X-Codec", Value: []byte("v2")}} }

// formatMetadata returns md as "Name=value" pairs, for comparisons.
func formatMetadata(md Metadata) string {
	var b strings.Builder
	for i, p := range md {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Name + "=" + string(p.Value))
	}
	return b.String()
}

// waitUp waits until n of the connections of s are up, looking again at
// each change of its pipes.
func waitUp(ctx context.Context, t *testing.T, s *Socket, n int) {
	t.Helper()
	for {
		changed := s.changes()
		up := 0
		for _, p := range s.pipeList() {
			if p.up.Load() {
				up++
			}
		}
		if up == n {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("%d connections up, want %d: %v", up, n, ctx.Err())
		}
	}
}

func TestOptionsProperties(t *testing.T) {
	many := func(n int) Metadata {
		m := make(Metadata, n)
		for i := range m {
			m[i] = Property{Name: "X-P" + strconv.Itoa(i)}
		}
		return m
	}
	name253 := strings.Repeat("n", 253)
	// "X-Big" takes 1+5+4 bytes besides its value.
	largest := MaxPropertiesSize - 10
	tests := []struct {
		name  string
		props Metadata
		want  string // in the error; empty when the properties are valid
	}{
		{"none", nil, ""},
		{"empty", Metadata{}, ""},
		{"one", codecProps(), ""},
		{"lower-case prefix", Metadata{{"x-codec", []byte("v2")}}, ""},
		{"every allowed character", Metadata{{"X-azAZ09-_.+", nil}}, ""},
		{"prefix alone", Metadata{{"X-", nil}}, ""},
		{"binary value", Metadata{{"X-Key", []byte{0, 0xff, ':', ' '}}}, ""},
		{"255-byte name", Metadata{{"X-" + name253, nil}}, ""},
		{"most properties", many(maxAppProperties), ""},
		{"largest value", Metadata{{"X-Big", make([]byte, largest)}}, ""},

		{"empty name", Metadata{{"", nil}}, "empty name"},
		{"no prefix", Metadata{{"Codec", nil}}, "does not start with X-"},
		{"X alone", Metadata{{"X", nil}}, "does not start with X-"},
		{"other separator", Metadata{{"X_Codec", nil}}, "does not start with X-"},
		{"prefix not first", Metadata{{"My-X-Codec", nil}}, "does not start with X-"},
		{"256-byte name", Metadata{{"X-" + name253 + "n", nil}}, "longer than 255 bytes"},
		{"space", Metadata{{"X-Co dec", nil}}, "other than letters, digits and -_.+"},
		{"colon", Metadata{{"X-Codec:v2", nil}}, "other than letters, digits and -_.+"},
		{"slash", Metadata{{"X-a/b", nil}}, "other than letters, digits and -_.+"},
		{"control byte", Metadata{{"X-a\x00", nil}}, "other than letters, digits and -_.+"},
		{"non-ASCII", Metadata{{"X-Cödec", nil}}, "other than letters, digits and -_.+"},
		{"duplicate", Metadata{{"X-Codec", nil}, {"X-Other", nil}, {"x-CODEC", nil}}, "appears twice"},
		{"Socket-Type", Metadata{{"socket-type", []byte("REP")}}, "set by ZMTP"},
		{"Identity", Metadata{{"Identity", []byte("me")}}, "set by ZMTP"},
		{"Resource", Metadata{{"RESOURCE", []byte("a/b")}}, "set by ZMTP"},
		{"User-Id", Metadata{{"User-Id", []byte("admin")}}, "set by ZMTP"},
		{"too many", many(maxAppProperties + 1), "more than " + strconv.Itoa(maxAppProperties) + " properties"},
		{"value too large", Metadata{{"X-Big", make([]byte, largest+1)}}, "more than MaxPropertiesSize"},
		{"too large together", Metadata{{"X-Big", make([]byte, largest/2)}, {"X-Bag", make([]byte, largest/2+1)}}, "more than MaxPropertiesSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSocket(DEALER, &Options{Properties: tt.props})
			if s != nil {
				s.Close()
			}
			if tt.want == "" {
				if err != nil {
					t.Errorf("NewSocket = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "zmtp: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSocket = %v, want an error starting with %q and containing %q", err, "zmtp: ", tt.want)
			}
		})
	}
}

// TestPropertiesCopied changes the caller's properties after NewSocket: the
// socket keeps sending what it was given.
func TestPropertiesCopied(t *testing.T) {
	props := Metadata{{"X-Codec", []byte("v2")}, {"X-Role", []byte("edge")}}
	s := mustSocket(t, DEALER, &Options{Identity: []byte("d1"), Properties: props})
	props[0].Value[1] = '9'
	props[1] = Property{Name: "Socket-Type", Value: []byte("REP")}
	got := formatMetadata(s.hs.metadata())
	want := "Socket-Type=DEALER Identity=d1 X-Codec=v2 X-Role=edge"
	if got != want {
		t.Errorf("READY metadata = %s, want %s", got, want)
	}
}

// TestPropertiesOnTheWire reads the READY of a socket with properties:
// they follow Socket-Type and Identity.
func TestPropertiesOnTheWire(t *testing.T) {
	tests := []struct {
		typ  Type
		want string
	}{
		{DEALER, "Socket-Type=DEALER Identity=d1 X-Codec=v2 x-empty="},
		{PUSH, "Socket-Type=PUSH X-Codec=v2 x-empty="},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			ep, accept := listenRaw(t)
			props := append(codecProps(), Property{Name: "x-empty"})
			s := mustSocket(t, tt.typ, &Options{Identity: []byte("d1"), Properties: props})
			connect(t, s, ep)
			peerType := "ROUTER"
			if tt.typ == PUSH {
				peerType = "PULL"
			}
			md := accept().handshake(peerType)
			if got := formatMetadata(md); got != tt.want {
				t.Errorf("READY metadata = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPropertiesReachPeers connects a DEALER and a ROUTER, both with
// properties, over each transport and mechanism: each sees the other's in
// Msg.Peer.Metadata, and inproc peers look as they do over TCP.
func TestPropertiesReachPeers(t *testing.T) {
	users := &plainUsers{}
	tests := []struct {
		name           string
		client, server Mechanism // nil for inproc
		inproc         bool
		routerSees     string // the DEALER's metadata
	}{
		{"tcp NULL", Null{}, Null{}, false, "Socket-Type=DEALER Identity=d1 X-Codec=v2"},
		{"tcp PLAIN", PlainClient{Username: "admin", Password: "secret"}, users.server(), false,
			"Socket-Type=DEALER Identity=d1 X-Codec=v2 User-Id=id-of-admin"},
		{"inproc", nil, nil, true, "Socket-Type=DEALER Identity=d1 X-Codec=v2"},
	}
	const dealerSees = "Socket-Type=ROUTER Identity= X-Role=hub"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t)
			ro := &Options{Mechanism: tt.server, Properties: Metadata{{"X-Role", []byte("hub")}}}
			do := &Options{Mechanism: tt.client, Identity: []byte("d1"), Properties: codecProps()}
			var router, dealer *Socket
			if tt.inproc {
				router, dealer = inprocPair(t, ROUTER, DEALER, ro, do)
			} else {
				router = mustSocket(t, ROUTER, ro)
				ep := mustBind(t, router)
				do.ReconnectInterval = time.Millisecond
				dealer = mustSocket(t, DEALER, do)
				connect(t, dealer, ep)
			}
			if err := dealer.Send(ctx, []byte("hello")); err != nil {
				t.Fatal(err)
			}
			var m Msg
			if err := router.RecvMsg(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if m.Peer == nil {
				t.Fatal("ROUTER got a message without a Peer")
			}
			if got := formatMetadata(m.Peer.Metadata); got != tt.routerSees {
				t.Errorf("ROUTER sees the DEALER's metadata %s, want %s", got, tt.routerSees)
			}
			if got := string(m.Peer.Identity); got != "d1" {
				t.Errorf("ROUTER sees the DEALER's Identity %q, want d1", got)
			}
			if err := router.Send(ctx, []byte("d1"), []byte("welcome")); err != nil {
				t.Fatal(err)
			}
			if err := dealer.RecvMsg(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if m.Peer == nil {
				t.Fatal("DEALER got a message without a Peer")
			}
			if got := formatMetadata(m.Peer.Metadata); got != dealerSees {
				t.Errorf("DEALER sees the ROUTER's metadata %s, want %s", got, dealerSees)
			}
			if m.Peer.Identity != nil {
				t.Errorf("DEALER sees the ROUTER's Identity %q, want nil", m.Peer.Identity)
			}
		})
	}
}

// TestPropertiesAtTheLimits sends the largest and the most properties
// Options allows, with the longest Identity, to a peer with default
// limits: the peer accepts the handshake under each mechanism.
func TestPropertiesAtTheLimits(t *testing.T) {
	most := make(Metadata, maxAppProperties)
	for i := range most {
		most[i] = Property{Name: "X-P" + strconv.Itoa(i), Value: []byte{byte(i)}}
	}
	largest := Metadata{{"X-Big", make([]byte, MaxPropertiesSize-10)}}
	users := &plainUsers{}
	for _, mech := range []struct {
		name           string
		client, server Mechanism
	}{
		{"NULL", Null{}, Null{}},
		{"PLAIN", PlainClient{Username: "admin", Password: "secret"}, users.server()},
	} {
		for _, tt := range []struct {
			name  string
			props Metadata
		}{
			{"largest", largest},
			{"most", most},
		} {
			t.Run(mech.name+" "+tt.name, func(t *testing.T) {
				ctx := testCtx(t)
				router := mustSocket(t, ROUTER, &Options{Mechanism: mech.server})
				ep := mustBind(t, router)
				id := []byte(strings.Repeat("i", 255))
				dealer := mustSocket(t, DEALER, &Options{Mechanism: mech.client, Identity: id, Properties: tt.props})
				connect(t, dealer, ep)
				if err := dealer.Send(ctx, []byte("hello")); err != nil {
					t.Fatal(err)
				}
				var m Msg
				if err := router.RecvMsg(ctx, &m); err != nil {
					t.Fatal(err)
				}
				for _, p := range tt.props {
					got, ok := m.Peer.Metadata.Get(p.Name)
					if !ok || len(got) != len(p.Value) {
						t.Fatalf("ROUTER sees %s of %d bytes (present %v), want %d bytes", p.Name, len(got), ok, len(p.Value))
					}
				}
			})
		}
	}
}

// TestEveryPeer follows a DEALER through the states EveryPeer tells
// apart: no connection, a connection not up yet, peers that all have a
// property, a peer without it, and a peer lost.
func TestEveryPeer(t *testing.T) {
	ctx := testCtx(t)
	hub := &Hub{}
	d := mustSocket(t, DEALER, &Options{Hub: hub, ReconnectInterval: time.Millisecond})
	calls := 0
	counted := func(p *Peer) bool {
		calls++
		return true
	}
	step := func(name string, wantCodec, wantAny bool) {
		t.Helper()
		if got := d.EveryPeer(hasCodec); got != wantCodec {
			t.Errorf("%s: EveryPeer(has X-Codec v2) = %v, want %v", name, got, wantCodec)
		}
		if got := d.EveryPeer(counted); got != wantAny {
			t.Errorf("%s: EveryPeer(any peer) = %v, want %v", name, got, wantAny)
		}
	}

	step("no connection", false, false)

	connect(t, d, "inproc://a")
	step("inproc connection not bound", false, false)
	if calls != 0 {
		t.Errorf("EveryPeer called f %d times with no peer up, want 0", calls)
	}

	a := mustSocket(t, ROUTER, &Options{Hub: hub, Properties: codecProps()})
	if _, err := a.Bind("inproc://a"); err != nil {
		t.Fatal(err)
	}
	waitUp(ctx, t, d, 1)
	step("one inproc peer with X-Codec", true, true)

	b := mustSocket(t, ROUTER, &Options{Properties: codecProps()})
	connect(t, d, mustBind(t, b))
	waitUp(ctx, t, d, 2)
	step("inproc and tcp peers with X-Codec", true, true)

	c := mustSocket(t, ROUTER, &Options{Properties: Metadata{{"X-Codec", []byte("v1")}}})
	connect(t, d, mustBind(t, c))
	waitUp(ctx, t, d, 3)
	step("a peer with another X-Codec", false, true)

	// c's listener goes with it: d's connection to it stays down.
	c.Close()
	waitUp(ctx, t, d, 2)
	if got, want := len(d.pipeList()), 3; got != want {
		t.Fatalf("DEALER has %d pipes, want %d", got, want)
	}
	step("a connection lost", false, false)

	d.Close()
	step("closed", false, false)
}

// TestEveryPeerPeerWithout has a ROUTER with two accepted peers, one that
// announces X-Codec and one that does not.
func TestEveryPeerPeerWithout(t *testing.T) {
	ctx := testCtx(t)
	r := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, r)
	connect(t, mustSocket(t, DEALER, &Options{Properties: codecProps()}), ep)
	waitUp(ctx, t, r, 1)
	if got := r.EveryPeer(hasCodec); !got {
		t.Errorf("with one peer with X-Codec: EveryPeer = %v, want true", got)
	}
	connect(t, mustSocket(t, DEALER, nil), ep)
	waitUp(ctx, t, r, 2)
	if got := r.EveryPeer(hasCodec); got {
		t.Errorf("with a peer without X-Codec: EveryPeer = %v, want false", got)
	}
}

func TestEveryPeerAllocs(t *testing.T) {
	ctx := testCtx(t)
	hub := &Hub{}
	d := mustSocket(t, DEALER, &Options{Hub: hub})
	a := mustSocket(t, ROUTER, &Options{Hub: hub, Properties: codecProps()})
	if _, err := a.Bind("inproc://a"); err != nil {
		t.Fatal(err)
	}
	connect(t, d, "inproc://a")
	b := mustSocket(t, ROUTER, &Options{Properties: codecProps()})
	connect(t, d, mustBind(t, b))
	waitUp(ctx, t, d, 2)
	ok := true
	allocs := testing.AllocsPerRun(100, func() {
		ok = ok && d.EveryPeer(func(p *Peer) bool {
			v, ok := p.Metadata.Get("x-codec")
			return ok && string(v) == "v2"
		})
	})
	if !ok {
		t.Error("EveryPeer = false, want true")
	}
	if allocs != 0 {
		t.Errorf("EveryPeer allocates %v times, want 0", allocs)
	}
}

// TestEveryPeerConcurrent calls EveryPeer while messages are sent and
// peers come and go; the race detector watches.
func TestEveryPeerConcurrent(t *testing.T) {
	ctx := testCtx(t)
	hub := &Hub{}
	r := mustSocket(t, ROUTER, &Options{Hub: hub, Properties: codecProps()})
	ep := mustBind(t, r)
	d := mustSocket(t, DEALER, &Options{Hub: hub, Properties: codecProps(), ReconnectInterval: time.Millisecond})
	connect(t, d, ep)
	const n = 500
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if err := d.Send(ctx, []byte("m")); err != nil {
				t.Error(err)
				return
			}
			if i == n/2 {
				if err := d.Connect("inproc://late"); err != nil {
					t.Error(err)
				}
				if _, err := r.Bind("inproc://late"); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			default:
			}
			d.EveryPeer(hasCodec)
			r.EveryPeer(hasCodec)
		}
	}()
	for i := 0; i < n; i++ {
		if _, err := r.Recv(ctx); err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	waitUp(ctx, t, d, 2)
	if got := d.EveryPeer(hasCodec); !got {
		t.Errorf("after the hand-over: EveryPeer = %v, want true", got)
	}
}
