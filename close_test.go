package xbahn

import (
	"testing"
	"time"
)

// TestCloseFromHandler checks that a handler can close the connection it
// runs on: Close returns, and the receive loop ends once the handler has.
func TestCloseFromHandler(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/pull", nil)
	closed := make(chan error, 1)
	NewLink(Conns{Receive: server}).OnReceive(func(m *Message, w *Wire) error {
		closed <- server.Close()
		return nil
	})
	client := mustConnect(t, peerURL(server), nil)
	if err := NewLink(Conns{Send: client}).Main().Send(ctx, "shutdown", NewMessage(nil)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close from a handler = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close from a handler did not return")
	}
	loopDone := make(chan struct{})
	go func() {
		server.wg.Wait()
		close(loopDone)
	}()
	select {
	case <-loopDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the receive loop did not end after its handler closed the connection")
	}
}

// TestFailedSendForgetsResponse checks that a message whose send fails is
// not kept waiting for a response that cannot come.
func TestFailedSendForgetsResponse(t *testing.T) {
	ctx := testCtx(t)
	sub := mustListen(t, "zmq://127.0.0.1:0/sub", nil)
	bare, err := NewLink(Conns{}).AddWire("bare", Conns{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		w    *Wire
	}{
		{"no connection", bare},
		{"SUB connection", NewLink(Conns{Send: sub}).Main()},
	} {
		m := NewMessage(nil)
		m.OnResponse(func(*Message) {})
		if err := tt.w.Send(ctx, "x", m); err == nil {
			t.Errorf("%s: Send succeeded, want an error", tt.name)
		}
		l := tt.w.link
		l.mu.Lock()
		n := len(l.pending)
		l.mu.Unlock()
		if n != 0 {
			t.Errorf("%s: %d responses awaited after a failed Send, want 0", tt.name, n)
		}
	}
}
