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
	}{
		{"rep", "req", false},
		{"rep", "req", true},
		{"router", "dealer", false},
		{"router", "dealer", true},
	} {
		t.Run(fmt.Sprintf("%s/up=%v", tt.connect, tt.up), func(t *testing.T) {
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
			client := NewLink(Conns{Send: mustConnect(t, "zmq://"+server.Endpoint()[len("tcp://"):]+"/"+tt.connect, nil)}).Main()
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
