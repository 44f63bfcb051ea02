//go:build libzmq

package interop

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestCloseLeavesNoGoroutines works our sockets against libzmq peers,
// binding and connecting, with heartbeats running and a libzmq peer that
// is still connected, then closes them. Within a bounded wait no goroutine
// of package zmtp may remain, and no more goroutines than before.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	requireLibzmq(t)
	before := runtime.NumGoroutine()

	hb := &zmtp.Options{Heartbeat: zmtp.Heartbeat{Interval: 20 * time.Millisecond, Timeout: 100 * time.Millisecond}}
	ctx := testContext(t, testTimeout)

	rep := newOurs(t, zmtp.REP, hb)
	zreq := theirs{newZ(t, zmq.REQ)}
	zreq.connect(t, ourBind(t, rep))
	roundTrip(t, ctx, zreq, ours{rep}, frames("to our REP"))

	req := newOurs(t, zmtp.REQ, hb)
	zrep := theirs{newZ(t, zmq.REP)}
	ourConnect(t, req, zrep.bind(t))
	roundTrip(t, ctx, ours{req}, zrep, frames("from our REQ"))

	// A request left in flight, and a connect to a port where nobody
	// listens, so that a reconnect loop is running.
	if err := req.Send(ctx, []byte("never answered")); err != nil {
		t.Fatal(err)
	}
	idle := newOurs(t, zmtp.REQ, nil)
	ourConnect(t, idle, "tcp://127.0.0.1:1")

	for _, s := range []*zmtp.Socket{rep, req, idle} {
		closeBounded(t, s)
	}

	deadline := time.Now().Add(2 * time.Second)
	for {
		n, ours := runtime.NumGoroutine(), zmtpGoroutines()
		if n <= before && len(ours) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Close: %d goroutines, %d before; goroutines of zmtp still running:\n%s",
				n, before, bytes.Join(ours, []byte("\n\n")))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// zmtpGoroutines returns the stacks of the goroutines running code of
// package zmtp.
func zmtpGoroutines() [][]byte {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out [][]byte
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("xbahn-go/xbahn/zmtp.")) {
			out = append(out, g)
		}
	}
	return out
}
