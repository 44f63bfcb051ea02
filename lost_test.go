package xbahn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestLostConnectionFailsCall checks that a request whose connection
// drops while the server works on it fails at once, on REQ and DEALER
// alike, rather than at its deadline: a request sent on a connection that
// was up, and one that waited for the connection to come up.
func TestLostConnectionFailsCall(t *testing.T) {
	for _, tt := range []struct {
		listen, connect string
		up              bool // the connection is up before the request
		// receive makes the client receive on its connection too: a
		// lone call reads its response itself.
		receive bool
	}{
		{"rep", "req", false, false},
		{"rep", "req", true, false},
		{"router", "dealer", false, false},
		{"router", "dealer", true, false},
		{"router", "dealer", false, true},
		{"router", "dealer", true, true},
	} {
		t.Run(fmt.Sprintf("%s/up=%v/receive=%v", tt.connect, tt.up, tt.receive), func(t *testing.T) {
			ctx := testCtx(t)
			server := mustListen(t, "zmq://127.0.0.1:0/"+tt.listen, nil)
			started := make(chan struct{})
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
				if m.Data == "ping" {
					return w.Respond(m, NewMessage("pong"))
				}
				m.Handoff()
				close(started)
				<-release
				return nil
			})
			cc := mustConnect(t, "zmq://"+server.Endpoint()[len("tcp://"):]+"/"+tt.connect, nil)
			conns := Conns{Send: cc}
			if tt.receive {
				conns.Receive = cc
			}
			client := NewLink(conns).Main()
			if tt.up {
				if _, err := client.SendAndWait(ctx, "x", NewMessage("ping")); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() {
				_, err := client.SendAndWait(ctx, "x", NewMessage("work"))
				done <- err
			}()
			<-started
			server.Close()
			err := <-done
			if !errors.Is(err, zmtp.ErrNoPeer) || ctx.Err() != nil {
				t.Errorf("a call whose connection dropped = %v, want it to fail at once with zmtp.ErrNoPeer", err)
			}
			if tt.connect == "dealer" && !errors.Is(err, ErrLost) {
				t.Errorf("a DEALER call whose connection dropped = %v, want ErrLost", err)
			}
		})
	}
}
