package zmtp

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// liveHeap returns the bytes of the heap that a collection leaves live.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// slack is how far above its baseline the live heap may stay once what
// grew it is over: goroutines, timers and small buffers of the sockets.
const slack = 1 << 20

// TestMemoryAfterClose has 8 peers each send a 48 MiB message (8 MiB
// under the race detector) that nobody receives and close: their messages, dropped with them, take
// their storage along, and the live heap returns near its baseline.
func TestMemoryAfterClose(t *testing.T) {
	leakCheck(t)
	waiting := make(chan struct{}, 16)
	s := mustSocket(t, PULL, &Options{Waiting: func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}})
	ep := mustBind(t, s)
	base := liveHeap()
	const peers = 8
	size := 48 << 20
	if raceEnabled {
		size = 8 << 20 // the same, in a tenth of the time
	}
	var raw []*rawPeer
	for range peers {
		p := dialRaw(t, ep)
		p.handshake("PUSH")
		p.write(AppendFrame(nil, 0, make([]byte, size)))
		raw = append(raw, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// until waits for the socket's pipes to change until done holds.
	until := func(what string, done func() bool) {
		for {
			s.mu.Lock()
			ok, changed := done(), s.changed
			s.mu.Unlock()
			if ok {
				return
			}
			select {
			case <-changed:
			case <-waiting:
			case <-ctx.Done():
				t.Fatalf("waiting for %s: %v (%d queued, %d pipes)", what, ctx.Err(), s.Queued(), len(s.pipeList()))
			}
		}
	}
	until("the messages", func() bool { return s.Queued() == peers })
	for _, p := range raw {
		p.conn.Close()
	}
	until("the pipes to go", func() bool { return len(s.pipes) == 0 && s.Queued() == 0 })
	if got := liveHeap(); got > base+slack {
		t.Errorf("live heap %d MiB after the peers closed, from %d MiB before their %d MiB", got>>20, base>>20, peers*size>>20)
	}
}

// TestMemoryAfterLargeMessages makes a burst of 1 MiB round trips: the
// buffers the sockets grew for them are kept while the burst lasts, and
// let go once it is over, leaving only the messages the test itself
// holds.
func TestMemoryAfterLargeMessages(t *testing.T) {
	leakCheck(t)
	req, rep := newPair(t, nil)
	startEcho(t, rep)
	ctx := testCtx(t)
	base := liveHeap()
	payload := make([]byte, 1<<20)
	var m Msg
	for range 50 {
		if err := req.Send(ctx, payload); err != nil {
			t.Fatal(err)
		}
		if err := req.RecvMsg(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	// The payload, m and the echo's message: 3 MiB of the test's own.
	want := base + 3<<20 + slack
	got := liveHeap()
	for got > want && ctx.Err() == nil {
		// The buffers go within trimDelay of the last use: look
		// again until then, and at most until the test's deadline.
		time.Sleep(trimDelay / 4)
		got = liveHeap()
	}
	if got > want {
		t.Errorf("live heap %d MiB after the round trips, from %d MiB before, want at most %d MiB", got>>20, base>>20, want>>20)
	}
	runtime.KeepAlive(payload)
	runtime.KeepAlive(&m)
}
