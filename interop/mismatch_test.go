//go:build libzmq

package interop

import (
	"context"
	"fmt"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestMismatchedPeer pairs our sockets with libzmq sockets of types they
// must not talk to. The handshake must fail: libzmq reports the
// connection dropped, our socket delivers no message, even when the libzmq
// side sends some, and our Send and Recv return by their context's
// deadline at the latest. A bound socket of ours goes on serving proper
// peers.
func TestMismatchedPeer(t *testing.T) {
	const wait = 300 * time.Millisecond
	tests := []struct {
		ours      zmtp.Type
		theirs    zmq.Type
		oursBinds bool
	}{
		{zmtp.REQ, zmq.PUB, false},
		{zmtp.REQ, zmq.PUSH, false},
		{zmtp.REQ, zmq.PULL, true},
		{zmtp.REQ, zmq.REQ, false},
		{zmtp.REQ, zmq.DEALER, true},
		{zmtp.REP, zmq.PUSH, true},
		{zmtp.REP, zmq.PUB, true},
		{zmtp.REP, zmq.PAIR, false},
		{zmtp.REP, zmq.REP, true},
		{zmtp.REP, zmq.ROUTER, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("xbahn %v connects to libzmq %v", tt.ours, tt.theirs)
		if tt.oursBinds {
			name = fmt.Sprintf("libzmq %v connects to xbahn %v", tt.theirs, tt.ours)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			z := newZ(t, tt.theirs)
			mon := watch(t, z, zmq.EVENT_DISCONNECTED|zmq.EVENT_HANDSHAKE_SUCCEEDED)
			o := newOurs(t, tt.ours, nil)
			var ep string
			if tt.oursBinds {
				ep = ourBind(t, o)
				zconnect(t, z, ep)
			} else {
				ourConnect(t, o, zbind(t, z))
			}
			// Offer our socket something to receive, where the libzmq
			// type can send.
			switch tt.theirs {
			case zmq.PUB, zmq.PUSH, zmq.DEALER, zmq.REQ, zmq.PAIR:
				for i := range 3 {
					// A PUSH with no peer to take the message, or a
					// REQ after its first request, may refuse it.
					z.SendBytes([]byte{}, zmq.SNDMORE|zmq.DONTWAIT)
					z.SendBytes(fmt.Appendf(nil, "message %d", i), zmq.DONTWAIT)
				}
			}

			ctx := testContext(t, testTimeout)
			start := time.Now()
			var got [][]byte
			var err error
			switch tt.ours {
			case zmtp.REQ:
				sctx, cancel := context.WithTimeout(ctx, wait)
				err = o.Send(sctx, []byte("hello"))
				cancel()
				t.Logf("Send: %v", err)
				rctx, cancel := context.WithTimeout(ctx, wait)
				got, err = o.Recv(rctx)
				cancel()
			case zmtp.REP:
				rctx, cancel := context.WithTimeout(ctx, wait)
				got, err = o.Recv(rctx)
				cancel()
			}
			took := time.Since(start)
			t.Logf("Recv: %v", err)
			if err == nil {
				t.Errorf("Recv = %s from a mismatched peer, want an error", brief(got))
			}
			if limit := 2*wait + time.Second; took > limit {
				t.Errorf("Send and Recv took %v, want at most %v", took, limit)
			}

			evs := mon.waitFor(zmq.EVENT_DISCONNECTED, opTimeout)
			if n := count(evs, zmq.EVENT_HANDSHAKE_SUCCEEDED); n != 0 {
				t.Errorf("libzmq reported a successful handshake (events %v)", evs)
			}

			// A bound socket that refused one peer still serves the next,
			// while the refused one keeps trying.
			if tt.oursBinds {
				switch tt.ours {
				case zmtp.REQ:
					rep := theirs{newZ(t, zmq.REP)}
					rep.connect(t, ep)
					roundTrip(t, ctx, ours{o}, rep, frames("after the refusal"))
				case zmtp.REP:
					req := theirs{newZ(t, zmq.REQ)}
					req.connect(t, ep)
					roundTrip(t, ctx, req, ours{o}, frames("after the refusal"))
				}
			}
		})
	}
}
