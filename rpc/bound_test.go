package rpc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBound checks that calls which start close together share a context
// whose deadline is within Timeout/share past each one's Timeout, and
// that a later call gets a new one.
func TestBound(t *testing.T) {
	const timeout = 3200 * time.Millisecond
	var b bound
	start := time.Now()
	for _, tt := range []struct {
		after time.Duration // since start
		same  bool          // the context of the call before
	}{
		{0, false},
		{time.Millisecond, true},
		{timeout / share, true},
		{timeout/share + time.Millisecond, false},
		{timeout/share + 2*time.Millisecond, true},
		{10 * timeout, false},
	} {
		var before context.Context
		if c := b.cur.Load(); c != nil {
			before = c.ctx
		}
		now := start.Add(tt.after)
		ctx := b.context(now, timeout)
		if got := ctx == before; got != tt.same {
			t.Errorf("at %v: same context as before: got %v, want %v", tt.after, got, tt.same)
		}
		dl, ok := ctx.Deadline()
		if !ok || dl.Before(now.Add(timeout)) || dl.After(now.Add(timeout+timeout/share)) {
			t.Errorf("at %v: deadline %v after now, want within [%v, %v]", tt.after, dl.Sub(now), timeout, timeout+timeout/share)
		}
	}
}

// TestTimeoutKeepsValues checks that a call's context keeps the values of
// the caller's, and that only a context that never ends is bounded by a
// shared one.
func TestTimeoutKeepsValues(t *testing.T) {
	c := &Client{opts: ClientOptions{Timeout: time.Minute}}
	type key struct{}
	ctx, cancel := c.timeout(context.WithValue(context.Background(), key{}, "v"))
	defer cancel()
	if got := ctx.Value(key{}); got != "v" {
		t.Errorf("the caller's value: got %v, want v", got)
	}
	a, _ := c.timeout(context.Background())
	b, _ := c.timeout(context.TODO())
	if a != b {
		t.Error("two calls with a context that never ends, at once, have contexts of their own")
	}
	if _, ok := a.Deadline(); !ok {
		t.Error("a call with a context that never ends has no deadline")
	}
}

// TestClientTimeout checks, over REQ/REP and DEALER/ROUTER, that a call
// made with context.Background() ends at the client's Timeout, within the
// share by which calls may exceed it, both for the caller and for the
// handler, and that the next call goes through.
func TestClientTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, typ := range []string{"rep", "router"} {
		t.Run(typ, func(t *testing.T) {
			ws, c := waitPair(t, typ, &ClientOptions{Timeout: timeout})
			for range 2 {
				start := time.Now()
				done := make(chan error, 1)
				go func() {
					_, err := c.Call(context.Background(), "wait")
					done <- err
				}()
				var err error
				select {
				case err = <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("a call with context.Background() did not end at the client's Timeout")
				}
				took := time.Since(start)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("a call past the client's Timeout = %v", err)
				}
				if took < timeout {
					t.Errorf("the call ended after %v, before the Timeout of %v", took, timeout)
				}
				if !<-ws.hadDL {
					t.Error("the handler's context had no deadline")
				}
				<-ws.started
				ws.end(t, context.DeadlineExceeded)
				if v, err := c.Call(context.Background(), "echo", "again"); err != nil || v != "again" {
					t.Errorf("the call after = %v, %v", v, err)
				}
			}
		})
	}
}
