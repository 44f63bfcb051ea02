package rpc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// leakCheck fails t if, once every cleanup registered after it has run,
// more goroutines are left than when it was called, after a grace of 5s.
func leakCheck(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// holdServer is an rpc server on its own connection. Its "echo" returns
// its argument; its "hold" reports on held and returns only once release
// is closed.
type holdServer struct {
	conn    *xbahn.Conn
	srv     *Server
	held    chan struct{}
	release chan struct{}
}

func startHoldServer(t *testing.T, url string) *holdServer {
	t.Helper()
	conn, err := xbahn.Listen(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &holdServer{conn: conn, srv: srv, held: make(chan struct{}, 1), release: make(chan struct{})}
	srv.Register("echo", func(s string) string { return s })
	srv.Register("hold", func() string {
		h.held <- struct{}{}
		<-h.release
		return "released"
	})
	if err := srv.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.stop)
	return h
}

// kill drops the server's socket, as a crash would: its peers lose their
// connections, and a call it holds is never answered.
func (h *holdServer) kill() { h.conn.Socket().Close() }

// stop releases any held call and closes the server and its connection.
func (h *holdServer) stop() {
	select {
	case <-h.release:
	default:
		close(h.release)
	}
	h.srv.Close()
	h.conn.Close()
}

// newTestClient connects an rpc client of the given connection type to
// url.
func newTestClient(t testing.TB, url string) *Client {
	t.Helper()
	return newTestClientWith(t, url, nil)
}

// newTestClientWith is newTestClient with client options.
func newTestClientWith(t testing.TB, url string, o *ClientOptions) *Client {
	t.Helper()
	conn, err := xbahn.Connect(url, &xbahn.Options{Socket: zmtp.Options{ReconnectInterval: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c, err := NewClient(testCtx(t), xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main(), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// echo makes one call of "echo" within 2s.
func echo(c *Client, s string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := CallAs[string](ctx, c, "echo", s)
	if err != nil {
		return fmt.Errorf("echo(%q): %w", s, err)
	}
	if got != s {
		return fmt.Errorf("echo(%q) = %q", s, got)
	}
	return nil
}

// TestRestartMidSession restarts the server, over REQ/REP and DEALER/ROUTER
// connections, while a call is in flight: the call ends at once with
// ErrNoPeer, its connection being lost, and once a new server listens on
// the same endpoint the client's next call succeeds.
func TestRestartMidSession(t *testing.T) {
	for _, tt := range []struct{ server, client string }{{"rep", "req"}, {"router", "dealer"}} {
		t.Run(tt.client+"-"+tt.server, func(t *testing.T) {
			leakCheck(t)
			server := startHoldServer(t, "zmq://127.0.0.1:0/"+tt.server)
			host := strings.TrimPrefix(server.conn.Endpoint(), "tcp://")
			c := newTestClient(t, "zmq://"+host+"/"+tt.client)
			if err := echo(c, "before"); err != nil {
				t.Fatal(err)
			}
			for restart := range 3 {
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				inflight := make(chan error, 1)
				go func() {
					_, err := c.Call(ctx, "hold")
					inflight <- err
				}()
				select {
				case <-server.held:
				case <-time.After(2 * time.Second):
					t.Fatal("the server never got the call")
				}
				server.kill()
				start := time.Now()
				err := <-inflight
				took := time.Since(start)
				cancel()
				if !errors.Is(err, zmtp.ErrNoPeer) {
					t.Fatalf("restart %d: the call in flight ended with %v, want ErrNoPeer", restart, err)
				}
				// Its deadline is 500ms away: the loss, not the
				// deadline, ended it.
				if took > 400*time.Millisecond {
					t.Errorf("restart %d: ErrNoPeer after %v", restart, took)
				}
				server.stop()
				server = startHoldServer(t, "zmq://"+host+"/"+tt.server)
				if err := echo(c, fmt.Sprintf("after restart %d", restart)); err != nil {
					t.Fatalf("restart %d: %v", restart, err)
				}
			}
		})
	}
}

// TestReqClientToRouter calls a server on a ROUTER connection from a REQ
// connection, a pairing ZeroMQ allows.
func TestReqClientToRouter(t *testing.T) {
	leakCheck(t)
	server := startHoldServer(t, "zmq://127.0.0.1:0/router")
	conn, err := xbahn.Connect("zmq://"+strings.TrimPrefix(server.conn.Endpoint(), "tcp://")+"/req", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main(), nil)
	if err != nil {
		t.Fatalf("NewClient over REQ to ROUTER: %v", err)
	}
	if err := echo(c, "hello"); err != nil {
		t.Fatal(err)
	}
}

// TestLoadConcurrentClients has 200 clients make 100 calls each, all at
// once, to one server, and checks that every reply reaches its own caller,
// that no call is lost or run twice, and that the heap stays bounded.
//
// The clients are DEALER connections to a ROUTER server: a ROUTER server
// runs calls concurrently, where a REP one takes them one at a time, and
// the xbahn REQ connection cannot reach a ROUTER one (TestReqClientToRouter).
func TestLoadConcurrentClients(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 20,000 calls")
	}
	const clients, calls = 200, 100
	leakCheck(t)

	conn, err := xbahn.Listen("zmq://127.0.0.1:0/router", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	srv, err := NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var (
		mu   sync.Mutex
		seen = make(map[string]int, clients*calls)
	)
	srv.Register("echo", func(s string) string {
		mu.Lock()
		seen[s]++
		mu.Unlock()
		return s
	})
	if err := srv.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})); err != nil {
		t.Fatal(err)
	}
	url := "zmq://" + strings.TrimPrefix(conn.Endpoint(), "tcp://") + "/dealer"
	cs := make([]*Client, clients)
	for i := range cs {
		cs[i] = newTestClient(t, url)
	}

	// The heap in use, sampled while the calls run.
	var peak atomic.Uint64
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-tick.C:
			case <-sampling:
				return
			}
		}
	}()

	// The test is bounded by its count of calls, not by time: this bound
	// only ends a hang, some fifty times what the calls take under the
	// race detector on a loaded 2-core machine. Speed is the benchmarks'.
	const hang = 5 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	start := time.Now()
	var done atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range calls {
				want := fmt.Sprintf("client %d call %d", i, j)
				got, err := CallAs[string](ctx, c, "echo", want)
				if err != nil {
					errs <- fmt.Errorf("client %d call %d: %w", i, j, err)
					return
				}
				if got != want {
					errs <- fmt.Errorf("client %d call %d: reply %q", i, j, got)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(sampling)
	<-sampled
	close(errs)
	if ctx.Err() != nil {
		t.Errorf("gave up after %v with %d of %d calls done", hang, done.Load(), clients*calls)
	}
	n := 0
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("and %d more clients failed", n-10)
	}
	total := clients * calls
	t.Logf("%d calls from %d clients in %v (%.0f calls/s), heap in use at most %d MiB",
		total, clients, elapsed, float64(total)/elapsed.Seconds(), peak.Load()>>20)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != total {
		t.Errorf("the server ran %d distinct calls, want %d", len(seen), total)
	}
	for s, k := range seen {
		if k != 1 {
			t.Errorf("the server ran %q %d times", s, k)
		}
	}
	if p := peak.Load(); p > 256<<20 {
		t.Errorf("heap in use reached %d MiB, want under 256 MiB", p>>20)
	}
}
