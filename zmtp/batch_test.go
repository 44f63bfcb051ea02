package zmtp

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// countingConn is a connection without raw access, so every write goes
// through the pipe's writer goroutine; it counts Write calls, and its first
// Write blocks until released, as a full kernel buffer would.
type countingConn struct {
	net.Conn
	mu      sync.Mutex
	writes  int
	bytes   int
	release chan struct{}
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.bytes += len(b)
	first := c.writes == 1
	c.mu.Unlock()
	if first {
		<-c.release
	}
	return len(b), nil
}

func (c *countingConn) counts() (writes, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes, c.bytes
}

func TestWritesAreBatched(t *testing.T) {
	s := mustSocket(t, REQ, &Options{SendHWM: 10000})
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	conn := &countingConn{Conn: a, release: make(chan struct{})}
	p := newPipe(s, "test", false)
	down := make(chan struct{})
	defer close(down)
	go p.w.loop(conn, down)
	p.w.attach(conn, nil, nil)
	ctx := testCtx(t)
	const n = 1000
	msg := [][]byte{make([]byte, 16)}
	for i := 0; i < n; i++ {
		if err := p.w.send(ctx, nil, msg, false, false); err != nil {
			t.Fatal(err)
		}
	}
	close(conn.release)
	want := n * (2 + 16)
	deadline := time.Now().Add(5 * time.Second)
	for {
		writes, bytes := conn.counts()
		if bytes == want {
			// The first message went alone; the other 999 were queued
			// behind it and leave together.
			if writes > 3 {
				t.Errorf("%d messages took %d writes, want at most 3", n, writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("wrote %d of %d bytes", bytes, want)
		}
		time.Sleep(time.Millisecond)
	}
	p.remove(ErrClosed)
}

func TestReqRoundRobin(t *testing.T) {
	ctx := testCtx(t)
	req := mustSocket(t, REQ, nil)
	const servers, requests = 3, 30
	counts := make([]int, servers)
	var mu sync.Mutex
	for i := 0; i < servers; i++ {
		rep := mustSocket(t, REP, nil)
		ep := mustBind(t, rep)
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				msg, err := rep.Recv(sctx)
				if err != nil {
					return
				}
				mu.Lock()
				counts[i]++
				mu.Unlock()
				rep.Send(sctx, msg...)
			}
		}()
		t.Cleanup(func() { cancel(); <-done })
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until every connection is up, so that none is skipped.
	waitConnected(t, req, servers)
	for i := 0; i < requests; i++ {
		if err := req.Send(ctx, []byte("q")); err != nil {
			t.Fatal(err)
		}
		if _, err := req.Recv(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, c := range counts {
		if c != requests/servers {
			t.Errorf("server %d got %d requests, want %d (counts %v)", i, c, requests/servers, counts)
		}
	}
}

// waitConnected waits until at least n of the socket's pipes have a
// connection.
func waitConnected(t testing.TB, s *Socket, n int) {
	t.Helper()
	waitConnections(t, s, n, func(up int) bool { return up >= n })
}

// waitConnectedExactly waits until exactly n of the socket's pipes have a
// connection, for example until a lost connection is noticed.
func waitConnectedExactly(t testing.TB, s *Socket, n int) {
	t.Helper()
	waitConnections(t, s, n, func(up int) bool { return up == n })
}

// waitConnections waits up to 5s until done holds for the number of the
// socket's pipes that have a connection.
func waitConnections(t testing.TB, s *Socket, n int, done func(up int) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		up := 0
		for _, p := range s.pipes {
			if p.up.Load() {
				up++
			}
		}
		s.mu.Unlock()
		if done(up) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections up after 5s, want %d", up, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestYieldBackoff checks how often a writer yields before a direct write:
// after each yield that let no other sender join, it makes twice as many
// writes without yielding, up to maxYieldSkip; a yield that paid off
// makes the next write yield again.
func TestYieldBackoff(t *testing.T) {
	var w writer
	for i, tt := range []struct {
		joined   bool
		wantSkip int
	}{
		{false, 1},
		{false, 2},
		{false, 4},
		{true, 0},
		{false, 1},
	} {
		w.yieldSkip = 0
		w.yielded(tt.joined)
		if got := w.yieldSkip; got != tt.wantSkip {
			t.Errorf("yield %d (joined %v): %d writes without yielding, want %d", i, tt.joined, got, tt.wantSkip)
		}
	}
	for range 20 {
		w.yielded(false)
	}
	if got := w.yieldSkip; got != maxYieldSkip {
		t.Errorf("after many fruitless yields: %d writes without yielding, want %d", got, maxYieldSkip)
	}
}
