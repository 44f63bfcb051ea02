package zmtp

import (
	"context"
	"testing"
)

// TestWaiting checks that Options.Waiting is called for a message that
// nobody receives, over TCP and in process, and that Queued counts it.
func TestWaiting(t *testing.T) {
	for _, tt := range []struct{ name, bind string }{
		{"tcp", "tcp://127.0.0.1:0"},
		{"inproc", "inproc://waiting"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t)
			hub := &Hub{}
			called := make(chan struct{}, 1)
			pull := mustSocket(t, PULL, &Options{Hub: hub, Waiting: func() {
				select {
				case called <- struct{}{}:
				default:
				}
			}})
			ep, err := pull.Bind(tt.bind)
			if err != nil {
				t.Fatal(err)
			}
			push := mustSocket(t, PUSH, &Options{Hub: hub})
			connect(t, push, ep)
			if err := push.Send(ctx, []byte("a")); err != nil {
				t.Fatal(err)
			}
			select {
			case <-called:
			case <-ctx.Done():
				t.Fatal("Waiting was not called for a message nobody receives")
			}
			if got := pull.Queued(); got != 1 {
				t.Errorf("Queued() = %d, want 1", got)
			}
			var m Msg
			if err := pull.RecvMsg(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if got := string(m.Frames[0]); got != "a" {
				t.Errorf("received %q, want %q", got, "a")
			}
			if got := pull.Queued(); got != 0 {
				t.Errorf("Queued() after the receive = %d, want 0", got)
			}
		})
	}
}

// TestCallContexts checks that the watch of a context used for one call
// goes with the call, so that the context's end after the call costs
// nothing, and that a receive loop under one context keeps its watch and
// allocates nothing.
func TestCallContexts(t *testing.T) {
	req, rep := newPair(t, nil)
	startEcho(t, rep)
	payload := make([]byte, 64)
	var m Msg
	roundTrip := func(ctx context.Context) {
		if err := req.Send(ctx, payload); err != nil {
			t.Fatal(err)
		}
		if err := req.RecvMsg(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		roundTrip(ctx)
		cancel()
	}
	req.mu.Lock()
	p := req.pipes[0]
	req.mu.Unlock()
	p.mu.Lock()
	left := p.watchStop != nil
	p.mu.Unlock()
	if left {
		t.Error("the watch of a call's context outlived the call")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 100 {
		roundTrip(ctx) // warm up
	}
	if allocs := testing.AllocsPerRun(200, func() { roundTrip(ctx) }); allocs > 0.05 {
		t.Errorf("a round trip under a loop's context allocates %v times, want 0", allocs)
	}
}
