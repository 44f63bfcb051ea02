//go:build libzmq

package interop

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestReqMalformedReply has a libzmq ROUTER answer our REQ without the
// empty delimiter. Like libzmq's REQ, ours must fail the request with a
// protocol error and drop the connection; the next request then travels
// on a new connection and is answered.
func TestReqMalformedReply(t *testing.T) {
	r := newZ(t, zmq.ROUTER)
	mon := watch(t, r, zmq.EVENT_ACCEPTED|zmq.EVENT_DISCONNECTED)
	req := newOurs(t, zmtp.REQ, &zmtp.Options{ReconnectInterval: 10 * time.Millisecond})
	ourConnect(t, req, zbind(t, r))
	ctx := testContext(t, testTimeout)

	if err := req.Send(ctx, []byte("first")); err != nil {
		t.Fatal(err)
	}
	m, err := zrecv(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := zsend(r, m[0], []byte("no delimiter")); err != nil {
		t.Fatal(err)
	}
	got, err := req.Recv(ctx)
	var pe *zmtp.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("Recv = %s, %v; want a *zmtp.ProtocolError", brief(got), err)
	}
	mon.waitFor(zmq.EVENT_DISCONNECTED, opTimeout)

	router := &router{server: theirs{r}}
	roundTrip(t, ctx, ours{req}, router, frames("second"))
}

// TestOversizeMessage has a libzmq REQ send our REP a message just over
// its MaxMsgSize or MaxFrames. Our REP must not deliver it and must drop
// that connection, while it goes on serving another client a message
// exactly at the limits.
func TestOversizeMessage(t *testing.T) {
	const maxSize, maxFrames = 1000, 100
	tests := []struct {
		name      string
		over, max [][]byte
	}{
		{"one frame over MaxMsgSize",
			[][]byte{make([]byte, maxSize+1)},
			[][]byte{make([]byte, maxSize)}},
		{"frames adding up to over MaxMsgSize",
			[][]byte{make([]byte, 600), make([]byte, maxSize-600+1)},
			[][]byte{make([]byte, 600), make([]byte, maxSize-600)}},
		// The REQ's delimiter is a frame of the message too.
		{"over MaxFrames",
			make([][]byte, maxFrames),
			make([][]byte, maxFrames-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := newOurs(t, zmtp.REP, &zmtp.Options{MaxMsgSize: maxSize, MaxFrames: maxFrames})
			ep := ourBind(t, rep)
			big := newZ(t, zmq.REQ)
			mon := watch(t, big, zmq.EVENT_DISCONNECTED)
			zconnect(t, big, ep)
			ctx := testContext(t, testTimeout)

			if err := zsend(big, tt.over...); err != nil {
				t.Fatal(err)
			}
			mon.waitFor(zmq.EVENT_DISCONNECTED, opTimeout)

			small := theirs{newZ(t, zmq.REQ)}
			small.connect(t, ep)
			// Whatever the REP receives first must be this request: the
			// oversize one, sent earlier, must never arrive.
			roundTrip(t, ctx, small, ours{rep}, tt.max)
		})
	}
}

// TestReplyToDepartedPeer has a libzmq REQ leave after its request
// reached our REP. The reply must be dropped without an error or a wait,
// and the REP must serve the next client.
func TestReplyToDepartedPeer(t *testing.T) {
	rep := newOurs(t, zmtp.REP, nil)
	ep := ourBind(t, rep)
	ctx := testContext(t, testTimeout)

	gone := newZ(t, zmq.REQ)
	zconnect(t, gone, ep)
	if err := zsend(gone, []byte("asking, then leaving")); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if err := gone.Close(); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if err := rep.Send(sctx, []byte("too late")); err != nil {
		t.Fatalf("Send of a reply to a departed peer: %v, want nil", err)
	}

	next := theirs{newZ(t, zmq.REQ)}
	next.connect(t, ep)
	roundTrip(t, ctx, next, ours{rep}, frames("next client"))
}

// freePort returns a loopback tcp:// endpoint with a port that was free a
// moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + ln.Addr().String()
	ln.Close()
	return ep
}

// TestConnectBeforeBind connects and sends before the peer has bound: the
// request must wait in the connecting socket's queue and be delivered once
// the peer binds, with libzmq connecting to us and us to libzmq.
func TestConnectBeforeBind(t *testing.T) {
	t.Run("xbahn REQ connects to libzmq REP", func(t *testing.T) {
		ep := freePort(t)
		req := newOurs(t, zmtp.REQ, &zmtp.Options{ReconnectInterval: 10 * time.Millisecond})
		ourConnect(t, req, ep)
		ctx := testContext(t, testTimeout)
		if err := req.Send(ctx, []byte("early")); err != nil {
			t.Fatal(err)
		}
		rep := newZ(t, zmq.REP)
		if err := rep.Bind(ep); err != nil {
			t.Fatal(err)
		}
		got, err := zrecv(rep)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffFrames(got, frames("early")); d != "" {
			t.Fatal(d)
		}
		if err := zsend(rep, []byte("welcome")); err != nil {
			t.Fatal(err)
		}
		expect(t, ctx, req, "welcome")
	})
	t.Run("libzmq REQ connects to xbahn REP", func(t *testing.T) {
		ep := freePort(t)
		req := newZ(t, zmq.REQ)
		if err := req.SetReconnectIvl(10 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		zconnect(t, req, ep)
		if err := zsend(req, []byte("early")); err != nil {
			t.Fatal(err)
		}
		rep := newOurs(t, zmtp.REP, nil)
		if _, err := rep.Bind(ep); err != nil {
			t.Fatal(err)
		}
		ctx := testContext(t, testTimeout)
		got, err := rep.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffFrames(got, frames("early")); d != "" {
			t.Fatal(d)
		}
		if err := rep.Send(ctx, []byte("welcome")); err != nil {
			t.Fatal(err)
		}
		got, err = zrecv(req)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffFrames(got, frames("welcome")); d != "" {
			t.Fatal(d)
		}
	})
}

// TestRecvResumesAfterTimeout has a libzmq REP send our REQ an 8 MiB
// reply while our REQ receives with deadlines so short that most of them
// end in the middle of the message. Receiving again must resume where the
// last call stopped, and the reply must arrive byte for byte. A plain
// timeout must also leave the request pending, as libzmq's EAGAIN does.
func TestRecvResumesAfterTimeout(t *testing.T) {
	rep := newZ(t, zmq.REP)
	req := newOurs(t, zmtp.REQ, nil)
	ourConnect(t, req, zbind(t, rep))
	ctx := testContext(t, testTimeout)

	if err := req.Send(ctx, []byte("big one, please")); err != nil {
		t.Fatal(err)
	}
	if _, err := zrecv(rep); err != nil {
		t.Fatal(err)
	}
	abandon(t, ctx, req)

	rng := rand.New(rand.NewPCG(3, 4))
	want := [][]byte{make([]byte, 8<<20), []byte("tail")}
	for i := range want[0] {
		want[0][i] = byte(rng.Uint32())
	}
	if err := zsend(rep, want...); err != nil {
		t.Fatal(err)
	}
	timeouts := 0
	deadline := time.Now().Add(opTimeout)
	for {
		rctx, cancel := context.WithTimeout(ctx, 100*time.Microsecond)
		got, err := req.Recv(rctx)
		cancel()
		if err == nil {
			if d := diffFrames(got, want); d != "" {
				t.Fatalf("after %d timeouts: %s", timeouts, d)
			}
			if timeouts == 0 {
				t.Skip("the 8 MiB reply arrived within one 100µs deadline: no Recv timed out, so resuming after a timeout was not exercised")
			}
			t.Logf("received after %d timeouts", timeouts)
			return
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Recv after %d timeouts: %v", timeouts, err)
		}
		timeouts++
		if time.Now().After(deadline) {
			t.Fatalf("no reply after %d timeouts in %v", timeouts, opTimeout)
		}
	}
}

// TestReqLosesPeer has the libzmq REP that holds our REQ's request close
// without answering. Our REQ must fail the request with ErrNoPeer at once,
// rather than wait for its context as libzmq's REQ would, and must
// reconnect to a REP that binds the same endpoint again.
func TestReqLosesPeer(t *testing.T) {
	first := newZ(t, zmq.REP)
	ep := zbind(t, first)
	req := newOurs(t, zmtp.REQ, &zmtp.Options{ReconnectInterval: 10 * time.Millisecond})
	ourConnect(t, req, ep)
	ctx := testContext(t, testTimeout)
	roundTrip(t, ctx, ours{req}, theirs{first}, frames("hello"))

	if err := req.Send(ctx, []byte("unanswered")); err != nil {
		t.Fatal(err)
	}
	if _, err := zrecv(first); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := req.Recv(ctx)
	if !errors.Is(err, zmtp.ErrNoPeer) {
		t.Fatalf("Recv = %s, %v; want ErrNoPeer", brief(got), err)
	}
	// A closed TCP connection is noticed as soon as its FIN is read: a
	// second is far beyond that, and far below the REQ's own deadline.
	if took := time.Since(start); took > time.Second {
		t.Errorf("Recv took %v to notice the lost peer", took)
	}

	second := newZ(t, zmq.REP)
	if err := second.Bind(ep); err != nil {
		t.Fatalf("libzmq Bind(%q) again: %v", ep, err)
	}
	roundTrip(t, ctx, ours{req}, theirs{second}, frames("again"))
}
