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
