//go:build libzmq

package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestDealerRouterAsync uses DEALER and ROUTER as they are meant to be
// used without REQ and REP: the DEALER sends twenty messages at once,
// with no empty delimiter, to a ROUTER of the other implementation. The
// ROUTER must receive them in order under one routing id, and answer them
// in reverse order; the DEALER must receive the answers in that order.
func TestDealerRouterAsync(t *testing.T) {
	const n = 20
	tests := []struct {
		name        string
		ourDealer   bool
		dealerBinds bool
	}{
		{"xbahn DEALER connects to libzmq ROUTER", true, false},
		{"libzmq ROUTER connects to xbahn DEALER", true, true},
		{"libzmq DEALER connects to xbahn ROUTER", false, false},
		{"xbahn ROUTER connects to libzmq DEALER", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d, r client
			if tt.ourDealer {
				d, r = ours{newOurs(t, zmtp.DEALER, nil)}, theirs{newZ(t, zmq.ROUTER)}
			} else {
				d, r = theirs{newZ(t, zmq.DEALER)}, ours{newOurs(t, zmtp.ROUTER, nil)}
			}
			ctx := testContext(t, testTimeout)

			if tt.dealerBinds {
				r.connect(t, d.bind(t))
			} else {
				d.connect(t, r.bind(t))
			}

			for i := range n {
				if err := d.send(ctx, frames(strconv.Itoa(i), "request")); err != nil {
					t.Fatalf("DEALER send %d: %v", i, err)
				}
			}
			var id []byte
			for i := range n {
				m, err := r.recv(ctx)
				if err != nil {
					t.Fatalf("ROUTER recv %d: %v", i, err)
				}
				if len(m) != 3 || len(m[0]) == 0 {
					t.Fatalf("ROUTER received %s, want [routing id, %d, \"request\"]", brief(m), i)
				}
				if i == 0 {
					id = m[0]
				} else if !bytes.Equal(m[0], id) {
					t.Fatalf("message %d came with routing id %q, the first with %q", i, m[0], id)
				}
				if d := diffFrames(m[1:], frames(strconv.Itoa(i), "request")); d != "" {
					t.Fatalf("ROUTER message %d: %s", i, d)
				}
			}
			for i := n - 1; i >= 0; i-- {
				if err := r.send(ctx, [][]byte{id, []byte(strconv.Itoa(i)), []byte("reply")}); err != nil {
					t.Fatalf("ROUTER send %d: %v", i, err)
				}
			}
			for i := n - 1; i >= 0; i-- {
				m, err := d.recv(ctx)
				if err != nil {
					t.Fatalf("DEALER recv: %v", err)
				}
				if d := diffFrames(m, frames(strconv.Itoa(i), "reply")); d != "" {
					t.Fatalf("DEALER reply: %s", d)
				}
			}
		})
	}
}

// TestRouterFirstMessages connects our ROUTER to a libzmq DEALER that has
// five messages waiting, while a goroutine polls the ROUTER with receives
// that do not wait (an ended context). The ROUTER must deliver the five,
// the first first, however the poll falls against the connection coming
// up. A connection is open for reading only once the ROUTER has given the
// peer a routing id; a receive that read it before would find no id for
// the message, and drop it as from a peer that has left. Since that
// depends on timing, the test makes a hundred connections.
func TestRouterFirstMessages(t *testing.T) {
	const attempts, messages = 100, 5
	for attempt := range attempts {
		d := newZ(t, zmq.DEALER)
		ep := zbind(t, d)
		r := newOurs(t, zmtp.ROUTER, nil)
		first := make(chan string, 1)
		go func() {
			ended, cancel := context.WithCancel(context.Background())
			cancel()
			for {
				m, err := r.Recv(ended)
				switch {
				case err == nil && len(m) == 2:
					first <- string(m[1])
					return
				case err == nil:
					first <- fmt.Sprintf("a message %s", brief(m))
					return
				case !errors.Is(err, context.Canceled):
					first <- err.Error()
					return
				}
				runtime.Gosched()
			}
		}()
		ourConnect(t, r, ep)
		for i := range messages {
			if err := zsend(d, []byte(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		var got string
		select {
		case got = <-first:
		case <-time.After(time.Second):
			// Nothing came: closing the socket ends the receive.
			closeBounded(t, r)
			got = <-first
		}
		closeBounded(t, r)
		d.Close()
		if got != "0" {
			t.Fatalf("connection %d: the ROUTER's first message was %q, want \"0\": the first messages were lost", attempt, got)
		}
	}
}
