package zmtp

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadRouterManyPeers has REQ and DEALER clients, all at once, make
// round trips with unique payloads through one ROUTER socket, and checks
// that every reply reaches the client that asked, that the server sees
// each request exactly once, and that the heap stays bounded.
func TestLoadRouterManyPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 16,000 round trips")
	}
	leakCheck(t)
	const clients, rounds = 64, 250
	router := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, router)
	var (
		mu   sync.Mutex
		seen = make(map[string]int, clients*rounds)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	served := make(chan struct{})
	go func() {
		defer close(served)
		var m Msg
		for {
			if err := router.RecvMsg(ctx, &m); err != nil {
				return
			}
			mu.Lock()
			seen[string(m.Frames[len(m.Frames)-1])]++
			mu.Unlock()
			if err := router.Send(ctx, m.Frames...); err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		<-served
	}()
	socks := make([]*Socket, clients)
	for i := range socks {
		typ := REQ
		if i%2 == 1 {
			typ = DEALER
		}
		socks[i] = mustSocket(t, typ, nil)
		if err := socks[i].Connect(ep); err != nil {
			t.Fatal(err)
		}
	}
	heap := watchHeap(t)
	start := time.Now()
	var done atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m Msg
			for j := range rounds {
				want := fmt.Sprintf("%v client %d round %d", s.Type(), i, j)
				frames := [][]byte{[]byte(want)}
				if s.Type() == DEALER {
					frames = [][]byte{{}, []byte(want)}
				}
				if err := s.Send(ctx, frames...); err != nil {
					errs <- fmt.Errorf("client %d round %d: Send: %w", i, j, err)
					return
				}
				if err := s.RecvMsg(ctx, &m); err != nil {
					errs <- fmt.Errorf("client %d round %d: Recv: %w", i, j, err)
					return
				}
				if got := m.Frames[len(m.Frames)-1]; string(got) != want {
					errs <- fmt.Errorf("client %d round %d: reply %q, want %q", i, j, got, want)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if ctx.Err() != nil {
		t.Errorf("gave up after 60s with %d of %d round trips done", done.Load(), clients*rounds)
	}
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d round trips in %v (%.0f/s) with %d goroutines", clients*rounds, elapsed,
		float64(clients*rounds)/elapsed.Seconds(), runtime.NumGoroutine())
	heap.check(t, 128<<20)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != clients*rounds {
		t.Errorf("the server got %d distinct requests, want %d", len(seen), clients*rounds)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("the server got %q %d times", s, n)
		}
	}
}

// TestLoadInprocFirstRequest makes the first round trip of new inproc
// REQ and REP sockets, again and again, each within a deadline.
func TestLoadInprocFirstRequest(t *testing.T) {
	leakCheck(t)
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
		hub := &Hub{}
		rep, err := NewSocket(REP, &Options{Hub: hub})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rep.Bind("inproc://first"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), roundTripDeadline)
		served := make(chan struct{})
		go func() {
			defer close(served)
			echo(ctx, rep)
		}()
		req, err := NewSocket(REQ, &Options{Hub: hub})
		if err != nil {
			t.Fatal(err)
		}
		err = req.Connect("inproc://first")
		if err == nil {
			err = req.Send(ctx, []byte("first"))
		}
		var got [][]byte
		if err == nil {
			got, err = req.Recv(ctx)
		}
		queued := rep.queued.Load()
		cancel()
		<-served
		req.Close()
		rep.Close()
		if err != nil {
			t.Fatalf("round trip %d: %v; messages queued at the REP: %d", i, err, queued)
		}
		if string(got[0]) != "first" {
			t.Fatalf("round trip %d: reply %q", i, got)
		}
	}
}
