//go:build libzmq

package interop

import (
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// routers connects our REQ, with identity "me", to two libzmq ROUTERs
// and warms both connections up. take receives the next request at
// whichever ROUTER gets it, and answer replies to a request taken.
type routers struct {
	t      *testing.T
	req    *zmtp.Socket
	r      [2]*zmq.Socket
	poller *zmq.Poller
}

func newRouters(t *testing.T) *routers {
	rs := &routers{t: t, req: newOurs(t, zmtp.REQ, &zmtp.Options{Identity: []byte("me")}), poller: zmq.NewPoller()}
	events := make(chan zmtp.Event, 16)
	stop := rs.req.Monitor(events)
	defer stop()
	for i := range rs.r {
		rs.r[i] = newZ(t, zmq.ROUTER)
		if err := rs.r[i].SetRouterMandatory(1); err != nil {
			t.Fatal(err)
		}
		ourConnect(t, rs.req, zbind(t, rs.r[i]))
		rs.poller.Add(rs.r[i], zmq.POLLIN)
	}
	// Both connections up, then requests until both ROUTERs have had one.
	ctx := testContext(t, testTimeout)
	for up := 0; up < len(rs.r); {
		select {
		case e := <-events:
			if e.Kind == zmtp.EventHandshakeSucceeded {
				up++
			}
		case <-ctx.Done():
			t.Fatalf("%d of %d connections up: %v", up, len(rs.r), ctx.Err())
		}
	}
	var served [2]bool
	for i := 0; !served[0] || !served[1]; i++ {
		if i == 20 {
			t.Fatalf("20 requests did not reach both ROUTERs")
		}
		if err := rs.req.Send(ctx, []byte("warm up")); err != nil {
			t.Fatal(err)
		}
		k, m := rs.take()
		served[k] = true
		rs.answer(k, m, "ok")
		expect(t, ctx, rs.req, "ok")
	}
	return rs
}

func (rs *routers) take() (int, [][]byte) {
	rs.t.Helper()
	ready, err := rs.poller.Poll(opTimeout)
	if err != nil || len(ready) != 1 {
		rs.t.Fatalf("poll for the request: %d ready, %v", len(ready), err)
	}
	k := 0
	if ready[0].Socket == rs.r[1] {
		k = 1
	}
	m, err := zrecv(rs.r[k])
	if err != nil {
		rs.t.Fatal(err)
	}
	return k, m
}

func (rs *routers) answer(k int, request [][]byte, reply string) {
	rs.t.Helper()
	if err := zsend(rs.r[k], append(request[:2:2], []byte(reply))...); err != nil {
		rs.t.Fatal(err)
	}
}

// stray has ROUTER k send our REQ a reply to no request of its.
func (rs *routers) stray(k int) {
	rs.t.Helper()
	if err := zsend(rs.r[k], []byte("me"), []byte{}, []byte("stray")); err != nil {
		rs.t.Fatalf("stray reply: %v", err)
	}
}

// TestReqIgnoresOtherPeers connects our REQ to two libzmq ROUTERs. While
// one holds a request, the other sends our REQ a reply it was never
// asked for. Our REQ must deliver the reply of the peer that got the
// request, as libzmq's REQ does.
func TestReqIgnoresOtherPeers(t *testing.T) {
	rs := newRouters(t)
	ctx := testContext(t, testTimeout)
	if err := rs.req.Send(ctx, []byte("real")); err != nil {
		t.Fatal(err)
	}
	k, m := rs.take()
	rs.stray(1 - k)
	rs.answer(k, m, "genuine")
	expect(t, ctx, rs.req, "genuine")
}

// TestReqDropsStaleReplies checks that a reply which reached our REQ
// before a request was sent is never taken for the answer to that
// request. libzmq's REQ drops every message already received when it
// starts a request (req.cpp, req_t::xsend: "Eat all currently available
// messages before the request is fully sent"), for exactly this case:
// "REQ sends request to A, A replies, B replies too. A's reply was first
// and matches, that is used. An hour later REQ sends a request to B. B's
// old reply is used."
func TestReqDropsStaleReplies(t *testing.T) {
	// A duplicate reply from the same peer is covered by zmtp's own
	// TestReqDropsStaleReplies, which can make sure the duplicate has
	// arrived before the next request; against libzmq that is a race.
	t.Run("stray reply from the other peer", func(t *testing.T) {
		rs := newRouters(t)
		ctx := testContext(t, testTimeout)
		if err := rs.req.Send(ctx, []byte("real")); err != nil {
			t.Fatal(err)
		}
		k, m := rs.take()
		// The stray leaves before the genuine reply, through the same
		// libzmq I/O thread, so it has reached our REQ's connection by
		// the time the genuine reply is received.
		rs.stray(1 - k)
		rs.answer(k, m, "genuine")
		expect(t, ctx, rs.req, "genuine")

		// The next request goes, in turn, to the ROUTER that sent the
		// stray.
		if err := rs.req.Send(ctx, []byte("later")); err != nil {
			t.Fatal(err)
		}
		k2, m := rs.take()
		if k2 != 1-k {
			t.Fatalf("the next request went to ROUTER %d, want ROUTER %d", k2, 1-k)
		}
		rs.answer(k2, m, "later ok")
		expect(t, ctx, rs.req, "later ok")
	})
}
