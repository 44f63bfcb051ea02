package xbahn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// loneSetup starts a ROUTER server whose handler answers "call" with
// "re: call", first calling the client back with "notify" when the
// message says so, and returns a DEALER client wire that sends and
// receives on one connection, with a handler that answers "notify" and
// counts the notifications, the server's wire and its way back to the
// client.
func loneSetup(t *testing.T) (client *Wire, cc *Conn, notified func() int, server *Wire, back <-chan Return) {
	t.Helper()
	sc := mustListen(t, "zmq://127.0.0.1:0/router", nil)
	returns := make(chan Return, 1)
	slink := NewLink(Conns{Receive: sc, Respond: sc})
	slink.OnReceive(func(m *Message, w *Wire) error {
		if m.IsResponse() {
			return nil
		}
		select {
		case returns <- m.Return():
		default:
		}
		if q := m.Data.(string); strings.HasPrefix(q, "call back") {
			m.Handoff() // the loop reads the client's answer meanwhile
			resp, err := w.SendAndWaitVia(context.Background(), m.Return(), "notify", NewMessage(strings.TrimPrefix(q, "call back")))
			if err != nil || resp.Data != "noted" {
				return w.Respond(m, NewMessage(fmt.Sprintf("call back failed: %v, %v", resp, err)))
			}
		}
		return w.Respond(m, NewMessage("re: "+m.Data.(string)))
	})
	cc = mustConnect(t, peerURL(sc), nil)
	link := NewLink(Conns{Send: cc, Receive: cc})
	var (
		mu sync.Mutex
		n  int
	)
	if _, err := link.OnPath("notify", func(m *Message, w *Wire) error {
		mu.Lock()
		n++
		mu.Unlock()
		if m.Data == ", nested" {
			// A call from the handler of what a lone call or the
			// receive loop read: on the loop, it hands the reading
			// off first.
			m.Handoff()
			resp, err := w.SendAndWait(context.Background(), "x", NewMessage("call"))
			if err != nil || resp.Data != "re: call" {
				return w.Respond(m, NewMessage(fmt.Sprintf("nested call failed: %v, %v", resp, err)))
			}
		}
		return w.Respond(m, NewMessage("noted"))
	}); err != nil {
		t.Fatal(err)
	}
	return link.Main(), cc, func() int { mu.Lock(); defer mu.Unlock(); return n }, slink.Main(), returns
}

// TestLoneCalls makes calls one at a time on a DEALER connection that
// also receives: each reads its own response, with the receive loop
// standing aside, and what else comes meanwhile, a request of the server,
// is still served, also when its handler calls the server in turn.
func TestLoneCalls(t *testing.T) {
	ctx := testCtx(t)
	w, cc, notified, _, _ := loneSetup(t)
	// After a nested call, which overlaps, loneAfter calls go by before
	// the next reads its own response: some calls here are lone, some
	// not, and a request of the server comes during both.
	for i := range 24 {
		q := "call"
		switch i % 6 {
		case 2:
			q = "call back"
		case 5:
			q = "call back, nested"
		}
		resp, err := w.SendAndWait(ctx, "x", NewMessage(q))
		if err != nil || resp.Data != "re: "+q {
			t.Fatalf("call %d: got %v, %v, want re: %s", i, resp, err, q)
		}
	}
	if got, want := notified(), 8; got != want {
		t.Errorf("the client answered %d requests of the server, want %d", got, want)
	}
	// Plain calls last: the loop, which a request of the server may
	// have made receive again, stands aside once more.
	for range loneAfter + 1 {
		if _, err := w.SendAndWait(ctx, "x", NewMessage("call")); err != nil {
			t.Fatal(err)
		}
	}
	if rctx, _ := cc.runState(); rctx.Err() == nil {
		t.Errorf("the receive loop still receives after lone calls, want it to stand aside")
	}
}

// TestLoneCallsThenPeerRequest has the server call the client when no
// call is under way: the receive loop, standing aside after lone calls,
// receives again.
func TestLoneCallsThenPeerRequest(t *testing.T) {
	ctx := testCtx(t)
	w, cc, notified, server, back := loneSetup(t)
	for i := range loneAfter + 1 {
		if _, err := w.SendAndWait(ctx, "x", NewMessage("call")); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if rctx, _ := cc.runState(); rctx.Err() == nil {
		t.Fatalf("the receive loop still receives after lone calls, want it to stand aside")
	}
	r := <-back
	resp, err := server.SendAndWaitVia(ctx, r, "notify", NewMessage("notify"))
	if err != nil || resp.Data != "noted" {
		t.Fatalf("the server's call of an idle client = %v, %v, want noted", resp, err)
	}
	if got := notified(); got != 1 {
		t.Errorf("the client answered %d requests of the server, want 1", got)
	}
}

// TestLoneAndOverlappingCalls alternates lone calls with bursts of
// overlapping ones: every call gets its own response.
func TestLoneAndOverlappingCalls(t *testing.T) {
	ctx := testCtx(t)
	w, _, _, _, _ := loneSetup(t)
	for round := range 4 {
		for i := range loneAfter + 2 {
			q := fmt.Sprintf("call %d.%d", round, i)
			if resp, err := w.SendAndWait(ctx, "x", NewMessage(q)); err != nil || resp.Data != "re: "+q {
				t.Fatalf("lone %s: %v, %v", q, resp, err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				q := fmt.Sprintf("call %d/%d", round, g)
				if resp, err := w.SendAndWait(ctx, "x", NewMessage(q)); err != nil || resp.Data != "re: "+q {
					errs <- fmt.Errorf("overlapping %s: %v, %v", q, resp, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestLoneCallDeadline ends a lone call's wait with its context while it
// reads the connection itself; the next call still gets its response.
func TestLoneCallDeadline(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/router", nil)
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		if m.Data == "slow" {
			return nil // never answered
		}
		return w.Respond(m, NewMessage("ok"))
	})
	cc := mustConnect(t, peerURL(server), nil)
	w := NewLink(Conns{Send: cc, Receive: cc}).Main()
	for range loneAfter {
		if _, err := w.SendAndWait(ctx, "x", NewMessage("fast")); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := w.SendAndWait(short, "x", NewMessage("slow")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a lone call past its deadline = %v, want context.DeadlineExceeded", err)
	}
	if resp, err := w.SendAndWait(ctx, "x", NewMessage("fast")); err != nil || resp.Data != "ok" {
		t.Fatalf("the call after = %v, %v", resp, err)
	}
}
