package zmtp

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nextEvent returns the next event of kind want from ch, skipping others,
// or fails the test when none comes in time.
func nextEvent(t *testing.T, ch <-chan Event, want EventKind) Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Kind == want {
				return e
			}
		case <-timeout:
			t.Fatalf("no %v event within 5s", want)
		}
	}
}

func TestMonitorListener(t *testing.T) {
	ctx := testCtx(t)
	events := make(chan Event, 64)
	rep := mustSocket(t, REP, nil)
	rep.Monitor(events)
	ep := mustBind(t, rep)
	if e := nextEvent(t, events, EventListening); e.Endpoint != ep {
		t.Errorf("listening on %q, want %q", e.Endpoint, ep)
	}
	startEcho(t, rep)
	req := mustSocket(t, REQ, &Options{Identity: []byte("client-1"), Properties: Metadata{{Name: "X-Role", Value: []byte("test")}}})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, events, EventAccepted)
	if e.Endpoint != ep || e.Addr == nil {
		t.Errorf("accepted %+v", e)
	}
	e = nextEvent(t, events, EventHandshakeSucceeded)
	if e.Peer == nil || e.Peer.Type != REQ || e.Peer.Version != 3 || string(e.Peer.Identity) != "client-1" {
		t.Fatalf("handshake with %+v, want a ZMTP 3 REQ client-1", e.Peer)
	}
	if v, _ := e.Peer.Metadata.Get("X-Role"); string(v) != "test" {
		t.Errorf("peer metadata %v, want X-Role", e.Peer.Metadata)
	}
	if err := req.Send(ctx, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := req.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	req.Close()
	if e := nextEvent(t, events, EventDisconnected); e.Err == nil || e.Addr == nil {
		t.Errorf("disconnected %+v, want a cause and the peer", e)
	}
	rep.Close()
	nextEvent(t, events, EventClosed)
	if s := e.String(); !strings.Contains(s, "handshake succeeded tcp://127.0.0.1:") || !strings.Contains(s, "REQ ZMTP 3") {
		t.Errorf("Event.String() = %q", s)
	}
}

func TestMonitorDialer(t *testing.T) {
	events := make(chan Event, 256)
	// A port that refuses: bind, note it, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	req := mustSocket(t, REQ, &Options{ReconnectInterval: 5 * time.Millisecond})
	req.Monitor(events)
	if err := req.Connect("tcp://" + addr); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, events, EventConnectFailed)
	if !errors.Is(e.Err, syscall.ECONNREFUSED) {
		t.Errorf("connect failed with %v, want ECONNREFUSED", e.Err)
	}
	if e := nextEvent(t, events, EventConnectRetried); e.Retry != 5*time.Millisecond {
		t.Errorf("retry in %v, want 5ms", e.Retry)
	}
	// A call that waits for the peer says why it could not reach one.
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	if err := req.Send(ctx, []byte("q")); err != nil {
		t.Fatal(err)
	}
	_, err = req.Recv(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Recv = %v, want the deadline and the refused connection", err)
	}
	// The peer comes: connected, then the handshake.
	rep := mustSocket(t, REP, nil)
	if _, err := rep.Bind("tcp://" + addr); err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	if e := nextEvent(t, events, EventConnected); e.Addr == nil || e.Addr.String() != addr {
		t.Errorf("connected %+v", e)
	}
	if e := nextEvent(t, events, EventHandshakeSucceeded); e.Peer.Type != REP {
		t.Errorf("handshake with %+v", e.Peer)
	}
	rep.Close()
	nextEvent(t, events, EventDisconnected)
}

func TestMonitorHandshakeFailed(t *testing.T) {
	check := func(user, pass string, _ net.Addr) (string, error) {
		if pass == "right" {
			return user, nil
		}
		return "", errors.New("no")
	}
	tests := []struct {
		name   string
		server Options
		client func(ep string) // connects a peer that fails
		want   error
	}{
		{"refused credentials", Options{Mechanism: PlainServer{Authenticate: check}}, func(ep string) {
			c := mustSocket(t, REQ, &Options{Mechanism: PlainClient{Username: "u", Password: "wrong"}})
			c.Connect(ep)
		}, ErrAuth},
		{"another mechanism", Options{Mechanism: PlainServer{Authenticate: check}}, func(ep string) {
			c := mustSocket(t, REQ, nil)
			c.Connect(ep)
		}, ErrMechanism},
		{"an older version refused", Options{NoDowngrade: true}, func(ep string) {
			p := dialRaw(t, ep)
			p.write([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3})
		}, ErrVersion},
		{"a socket type that does not fit", Options{}, func(ep string) {
			c := mustSocket(t, PUSH, nil)
			c.Connect(ep)
		}, ErrSocketType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := make(chan Event, 64)
			rep := mustSocket(t, REP, &tt.server)
			rep.Monitor(events)
			tt.client(mustBind(t, rep))
			if e := nextEvent(t, events, EventHandshakeFailed); !errors.Is(e.Err, tt.want) || e.Addr == nil {
				t.Errorf("handshake failed with %v, want %v", e.Err, tt.want)
			}
		})
	}
	// The client side sees the refusal too.
	server := mustSocket(t, REP, &Options{Mechanism: PlainServer{Authenticate: check}})
	ep := mustBind(t, server)
	events := make(chan Event, 64)
	c := mustSocket(t, REQ, &Options{Mechanism: PlainClient{Username: "u", Password: "wrong"}})
	c.Monitor(events)
	c.Connect(ep)
	if e := nextEvent(t, events, EventHandshakeFailed); !errors.Is(e.Err, ErrAuth) {
		t.Errorf("client's handshake failed with %v, want ErrAuth", e.Err)
	}
}

func TestMonitorStopAndDrops(t *testing.T) {
	full := make(chan Event) // no room: every event is dropped
	kept := make(chan Event, 16)
	s := mustSocket(t, REP, nil)
	stop := s.Monitor(full)
	s.Monitor(kept)
	mustBind(t, s)
	if got := s.MonitorDrops(); got != 1 {
		t.Errorf("MonitorDrops() = %d, want 1", got)
	}
	nextEvent(t, kept, EventListening)
	stop()
	mustBind(t, s)
	if got := s.MonitorDrops(); got != 1 {
		t.Errorf("MonitorDrops() after stop = %d, want still 1", got)
	}
	nextEvent(t, kept, EventListening)
}

func TestMonitorUnwatchedAllocs(t *testing.T) {
	s := mustSocket(t, PUSH, nil)
	allocs := testing.AllocsPerRun(100, func() {
		s.emit(Event{Kind: EventConnectRetried, Endpoint: "tcp://x:1", Retry: time.Second})
	})
	if allocs != 0 {
		t.Errorf("an event nobody watches costs %v allocations, want 0", allocs)
	}
}

func TestPeerString(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7050}
	for _, tt := range []struct {
		p    Peer
		want string
	}{
		{Peer{Type: REQ, Version: 3, Addr: addr}, "REQ ZMTP 3 at 127.0.0.1:7050"},
		{Peer{Type: DEALER, Version: 2, Identity: []byte("w\x01")}, `DEALER ZMTP 2 "w\x01"`},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
