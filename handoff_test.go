package xbahn

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHandoff checks that a handler that calls Handoff holds up no other
// message while it runs, over a REP URL with two REQ clients and over
// ROUTER with one DEALER, and that a handler that does not call it holds
// up the messages behind it.
func TestHandoff(t *testing.T) {
	if NewMessage("local").Handoff() {
		t.Error("Handoff of a message made locally = true")
	}
	for _, tt := range []struct {
		listen, connect string
		handoff         bool
	}{
		{"rep", "req", true},
		{"router", "dealer", true},
		{"router", "dealer", false},
	} {
		name := tt.listen + "/" + tt.connect
		if !tt.handoff {
			name += "/inline"
		}
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			server := mustListen(t, "zmq://127.0.0.1:0/"+tt.listen, nil)
			release := make(chan struct{})
			started := make(chan struct{})
			NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
				if m.Data != "slow" {
					return w.Respond(m, NewMessage("fast done"))
				}
				if tt.handoff {
					if !m.Handoff() {
						t.Error("Handoff of a received request = false")
					}
					if m.Handoff() {
						t.Error("a second Handoff = true")
					}
				}
				close(started)
				<-release
				return w.Respond(m, NewMessage("slow done"))
			})
			u := "zmq://" + server.Endpoint()[len("tcp://"):] + "/" + tt.connect
			slowW := NewLink(Conns{Send: mustConnect(t, u, nil)}).Main()
			fastW := slowW
			if tt.connect == "req" {
				fastW = NewLink(Conns{Send: mustConnect(t, u, nil)}).Main()
			}
			slow := make(chan error, 1)
			go func() {
				_, err := slowW.SendAndWait(ctx, "x", NewMessage("slow"))
				slow <- err
			}()
			<-started
			if tt.handoff {
				if _, err := fastW.SendAndWait(ctx, "x", NewMessage("fast")); err != nil {
					t.Errorf("a call while a handed-off handler runs = %v", err)
				}
			} else {
				// Nothing else receives: the call cannot be answered
				// before the slow one is, however long it waits.
				short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				_, err := fastW.SendAndWait(short, "x", NewMessage("fast"))
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("a call behind a handler that holds its goroutine = %v, want it to wait", err)
				}
			}
			close(release)
			if err := <-slow; err != nil {
				t.Errorf("the slow call = %v", err)
			}
		})
	}
}
