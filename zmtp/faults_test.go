package zmtp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// The tests of this file break things on purpose: the server goes away in
// the middle of a session and comes back on the same endpoint, a peer dies
// in the middle of a frame. The socket must drop what was lost with a
// clear error or within the caller's deadline, serve its other peers, and
// carry on once the peer is back. The helpers are in hostile_test.go.

// waitPipes waits until s has n pipes.
func waitPipes(t *testing.T, s *Socket, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.pipeList()) != n {
		if time.Now().After(deadline) {
			t.Fatalf("socket has %d pipes after 5s, want %d", len(s.pipeList()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitDown waits until none of s's pipes has a connection.
func waitDown(t *testing.T, s *Socket) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		up := 0
		for _, p := range s.pipeList() {
			if p.up.Load() {
				up++
			}
		}
		if up == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still up 5s after the server closed", up)
		}
		time.Sleep(time.Millisecond)
	}
}

// roundTrip sends request on client and waits for it to come back, within
// roundTripDeadline. Over a DEALER, the frames carry an empty delimiter.
func roundTrip(client *Socket, request string) error {
	ctx, cancel := context.WithTimeout(context.Background(), roundTripDeadline)
	defer cancel()
	frames := [][]byte{[]byte(request)}
	if client.Type() == DEALER {
		frames = [][]byte{{}, []byte(request)}
	}
	if err := client.Send(ctx, frames...); err != nil {
		return fmt.Errorf("Send(%q): %w", request, err)
	}
	got, err := client.Recv(ctx)
	if err != nil {
		return fmt.Errorf("reply to %q: %w", request, err)
	}
	if last := got[len(got)-1]; string(last) != request {
		return fmt.Errorf("reply to %q = %q", request, got)
	}
	return nil
}

// holdServer is a server socket whose application echoes every request but
// the ones that say "hold": those it keeps, unanswered, and reports on held.
type holdServer struct {
	s    *Socket
	ep   string
	held chan struct{}
	stop func()
}

func startHoldServer(t *testing.T, typ Type, endpoint string) *holdServer {
	t.Helper()
	s := mustSocket(t, typ, nil)
	ep, err := s.Bind(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	h := &holdServer{s: s, ep: ep, held: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m Msg
		for {
			if err := s.RecvMsg(ctx, &m); err != nil {
				return
			}
			if string(m.Frames[len(m.Frames)-1]) == "hold" {
				h.held <- struct{}{}
				if typ == REP {
					// REP must answer before it takes the next
					// request; this one never is.
					<-ctx.Done()
					return
				}
				continue
			}
			s.Send(ctx, m.Frames...)
		}
	}()
	h.stop = func() {
		cancel()
		s.Close()
		<-done
	}
	t.Cleanup(h.stop)
	return h
}

func TestFaultServerRestart(t *testing.T) {
	for _, tt := range []struct{ client, server Type }{{REQ, REP}, {DEALER, ROUTER}} {
		t.Run(tt.client.String()+"-"+tt.server.String(), func(t *testing.T) {
			leakCheck(t)
			server := startHoldServer(t, tt.server, "tcp://127.0.0.1:0")
			ep := server.ep
			client := mustSocket(t, tt.client, &Options{ReconnectInterval: 10 * time.Millisecond})
			if err := client.Connect(ep); err != nil {
				t.Fatal(err)
			}
			if err := roundTrip(client, "before"); err != nil {
				t.Fatal(err)
			}
			for restart := range 3 {
				// A call is in flight when the server goes.
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				frames := [][]byte{[]byte("hold")}
				if tt.client == DEALER {
					frames = [][]byte{{}, []byte("hold")}
				}
				if err := client.Send(ctx, frames...); err != nil {
					t.Fatal(err)
				}
				select {
				case <-server.held:
				case <-time.After(roundTripDeadline):
					t.Fatal("the server never got the request")
				}
				server.stop()
				start := time.Now()
				_, err := client.Recv(ctx)
				cancel()
				took := time.Since(start)
				switch tt.client {
				case REQ:
					// The connection that carried it is gone: at
					// once.
					if !errors.Is(err, ErrNoPeer) {
						t.Fatalf("restart %d: Recv of the call in flight = %v, want ErrNoPeer", restart, err)
					}
					if took > 400*time.Millisecond {
						t.Errorf("restart %d: ErrNoPeer after %v", restart, took)
					}
				case DEALER:
					// A DEALER cannot know: the call ends with its
					// context.
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("restart %d: Recv of the call in flight = %v, want context.DeadlineExceeded", restart, err)
					}
					if took > 500*time.Millisecond+time.Second {
						t.Errorf("restart %d: Recv ended %v after its deadline", restart, took-500*time.Millisecond)
					}
				}
				waitDown(t, client)
				// A request sent while the server is down waits for
				// it; the new server on the same endpoint answers.
				across := make(chan error, 1)
				go func() { across <- roundTrip(client, fmt.Sprintf("across restart %d", restart)) }()
				server = startHoldServer(t, tt.server, ep)
				if err := <-across; err != nil {
					t.Fatal(err)
				}
				if err := roundTrip(client, fmt.Sprintf("after restart %d", restart)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestFaultPeerKilledMidFrame has peers die in the middle of a frame, or of
// the greeting or READY: the socket drops each connection and goes on
// serving a good client.
func TestFaultPeerKilledMidFrame(t *testing.T) {
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	greeting := AppendGreeting(nil, "NULL", false)
	ready := AppendReady(nil, Metadata{{PropSocketType, []byte("REQ")}})
	tests := []struct {
		name      string
		handshake bool // the peer completes the handshake first
		data      []byte
	}{
		{"in the greeting", false, greeting[:30]},
		{"in READY", false, append(greeting, ready[:len(ready)/2]...)},
		{"in a short header", true, []byte{byte(FlagMore)}},
		{"in a long header", true, []byte{byte(FlagLong), 0, 0, 0}},
		{"in a body", true, append([]byte{0, 100}, make([]byte, 50)...)},
		{"in a long body", true, append(longFrameHeader(0, 1<<20), make([]byte, 64<<10)...)},
		{"between frames", true, AppendFrame(AppendFrame(nil, FlagMore, nil), FlagMore, []byte("part"))},
		{"in a command", true, []byte{byte(FlagCommand), 20, 4, 'P', 'I', 'N', 'G'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			peer := dialRaw(t, e.ep)
			if tt.handshake {
				peer.handshake("REQ")
				waitPipes(t, e.s, 2)
			}
			peer.write(tt.data)
			peer.conn.Close()
			waitPipes(t, e.s, 1)
			// Before its handshake a connection has no pipe, only a
			// goroutine, which must end now, not at the handshake
			// timeout of 5s.
			deadline := time.Now().Add(time.Second)
			for runtime.NumGoroutine() > before {
				if time.Now().After(deadline) {
					t.Fatalf("%d goroutines 1s after the peer died, %d before it came", runtime.NumGoroutine(), before)
				}
				time.Sleep(time.Millisecond)
			}
			good.progress(t, 3)
		})
	}
}

// TestFaultPeerKilledWhileReadDirectly kills a peer mid-frame while the
// application reads its connection itself, being its only peer: Recv must
// not fail, and must serve the next peer.
func TestFaultPeerKilledWhileReadDirectly(t *testing.T) {
	leakCheck(t)
	e := startEchoServer(t, REP, nil, time.Second)
	peer := dialRaw(t, e.ep)
	peer.handshake("REQ")
	peer.sendMsg("", "first")
	if got := peer.readMsg(); string(got[1]) != "first" {
		t.Fatalf("reply = %q", got)
	}
	// The echo loop is back in Recv, reading this peer's connection.
	peer.write(AppendFrame(nil, FlagMore, nil))
	peer.write([]byte{0, 200, 'h', 'a', 'l', 'f'})
	peer.conn.Close()
	waitPipes(t, e.s, 0)
	good := startGoodClient(t, e.ep)
	good.progress(t, 5)
}

// TestFaultServerKilledMidReply has the server die in the middle of a reply:
// the REQ's Recv fails with ErrNoPeer at once, and the request after it
// gets through once the server is back.
func TestFaultServerKilledMidReply(t *testing.T) {
	leakCheck(t)
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{ReconnectInterval: 10 * time.Millisecond})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("one")); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.handshake("REP")
	peer.readMsg()
	peer.write(AppendFrame(nil, FlagMore, nil))
	peer.write(append(longFrameHeader(0, 1000), "the start of a reply"...))
	peer.conn.Close()
	start := time.Now()
	if _, err := req.Recv(ctx); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Recv = %v, want ErrNoPeer", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ErrNoPeer after %v", d)
	}
	// The server is back: the socket reconnects and the next request
	// gets its reply.
	if err := req.Send(ctx, []byte("two")); err != nil {
		t.Fatal(err)
	}
	peer = accept()
	peer.handshake("REP")
	if got := peer.readMsg(); len(got) != 2 || string(got[1]) != "two" {
		t.Fatalf("request = %q, want [\"\" two]", got)
	}
	peer.sendMsg("", "reply to two")
	rctx, cancel := context.WithTimeout(ctx, roundTripDeadline)
	defer cancel()
	if got, err := req.Recv(rctx); err != nil || string(got[0]) != "reply to two" {
		t.Fatalf("Recv = %q, %v; want [reply to two]", got, err)
	}
}
