//go:build libzmq

package interop

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// The broker tests scale request-reply out through libzmq's built-in
// proxy, the shared queue of the ZeroMQ guide: a libzmq ROUTER faces the
// clients, a libzmq DEALER faces the workers, and zmq_proxy moves messages
// between them. Clients and workers are ours, so every request crosses two
// connections between the implementations and comes back with libzmq's
// routing envelope around it.

// requestTimeout bounds each request of the broker tests: ample for a
// loaded machine, and short enough that a request lost with a worker
// costs its client little.
const requestTimeout = 500 * time.Millisecond

// A broker is a running libzmq proxy with its two endpoints.
type broker struct {
	front, back string   // where clients and workers connect
	backend     *monitor // handshakes of workers with the backend
}

var controlSeq atomic.Int64

// startBroker binds a ROUTER frontend and a DEALER backend on loopback and
// runs zmq.ProxySteerable between them in a goroutine. When the test ends,
// a TERMINATE on the control socket stops the proxy, and its goroutine has
// returned before the sockets close.
func startBroker(t *testing.T) *broker {
	t.Helper()
	front, back := newZ(t, zmq.ROUTER), newZ(t, zmq.DEALER)
	b := &broker{backend: watch(t, back, zmq.EVENT_HANDSHAKE_SUCCEEDED)}
	b.front, b.back = zbind(t, front), zbind(t, back)

	addr := fmt.Sprintf("inproc://broker-control-%d", controlSeq.Add(1))
	control, steer := newZ(t, zmq.PAIR), newZ(t, zmq.PAIR)
	if err := control.Bind(addr); err != nil {
		t.Fatalf("libzmq Bind(%q): %v", addr, err)
	}
	zconnect(t, steer, addr)

	done := make(chan error, 1)
	go func() { done <- zmq.ProxySteerable(front, back, nil, control) }()
	// Registered after the sockets and the monitor: runs before them.
	t.Cleanup(func() {
		if err := zsend(steer, []byte("TERMINATE")); err != nil {
			t.Errorf("stopping the broker: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("broker: %v", err)
			}
		case <-time.After(opTimeout):
			t.Errorf("broker did not stop within %v of TERMINATE", opTimeout)
		}
	})
	return b
}

// waitWorkers returns once n workers have completed their handshake with
// the backend, so that the DEALER deals requests to all of them.
func (b *broker) waitWorkers(n int) {
	for range n {
		b.backend.waitFor(zmq.EVENT_HANDSHAKE_SUCCEEDED, opTimeout)
	}
}

// A worker is one of our REP sockets behind the broker. It answers each
// request with the request and its own name.
type worker struct {
	name string
	rep  *zmtp.Socket

	// Written by the worker's goroutine, read once it has returned.
	got    []string  // requests received, in order
	held   string    // the request it died holding, if it died
	diedAt time.Time // when it closed its socket
}

// serve answers requests until ctx ends. With dieAfter > 0 the worker
// answers that many, receives one more and closes its socket without
// answering it, as a worker process that crashes would.
func (w *worker) serve(t *testing.T, ctx context.Context, dieAfter int) error {
	for {
		m, err := w.rep.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%s: Recv: %w", w.name, err)
		}
		if len(m) != 1 {
			return fmt.Errorf("%s received %s, want one frame", w.name, brief(m))
		}
		w.got = append(w.got, string(m[0]))
		if dieAfter > 0 && len(w.got) > dieAfter {
			w.held, w.diedAt = string(m[0]), time.Now()
			closeBounded(t, w.rep)
			return nil
		}
		if err := w.rep.Send(ctx, m[0], []byte(w.name)); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%s: Send: %w", w.name, err)
		}
	}
}

// startWorkers connects n workers to the broker, waits until the broker
// has them all, and starts them, worker i dying after dieAfter(i) answers
// if that is above 0. stop ends the workers and waits for them; it runs
// at the end of the test too, so that no worker outlives it.
func startWorkers(t *testing.T, b *broker, n int, dieAfter func(i int) int) (ws []*worker, stop func()) {
	t.Helper()
	ws = make([]*worker, n)
	for i := range ws {
		ws[i] = &worker{name: fmt.Sprintf("worker %d", i), rep: newOurs(t, zmtp.REP, nil)}
		ourConnect(t, ws[i].rep, b.back)
	}
	b.waitWorkers(n)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.serve(t, ctx, dieAfter(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
		})
	}
	t.Cleanup(stop)
	return ws, stop
}

// A result is what became of one request.
type result struct {
	client int
	body   string
	sent   time.Time
	by     string // the worker that answered
	err    error  // why no answer came
}

// runClients connects n of our REQ sockets, with ReqRelaxed and
// ReqCorrelate, to the broker's frontend and has each send requests
// requests at once with the others, one at a time, each bounded by
// requestTimeout. A request that times out is abandoned for the next. It
// returns the results of each client, in order.
func runClients(t *testing.T, b *broker, n, requests int) [][]result {
	t.Helper()
	reqs := make([]*zmtp.Socket, n)
	for i := range reqs {
		reqs[i] = newOurs(t, zmtp.REQ, &zmtp.Options{ReqRelaxed: true, ReqCorrelate: true})
		ourConnect(t, reqs[i], b.front)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	results := make([][]result, n)
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range requests {
				r := ask1(ctx, req, i, fmt.Sprintf("client %d request %d", i, k))
				results[i] = append(results[i], r)
				if r.err != nil && !errors.Is(r.err, context.DeadlineExceeded) || ctx.Err() != nil {
					t.Errorf("client %d: %q: %v", i, r.body, r.err)
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return results
}

// ask1 sends one request and waits up to requestTimeout for its answer,
// which must be the request and a worker's name.
func ask1(ctx context.Context, req *zmtp.Socket, client int, body string) result {
	r := result{client: client, body: body, sent: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if r.err = req.Send(ctx, []byte(body)); r.err != nil {
		return r
	}
	m, err := req.Recv(ctx)
	switch {
	case err != nil:
		r.err = err
	case len(m) != 2 || string(m[0]) != body:
		r.err = fmt.Errorf("reply %s, want [%q, worker name]", brief(m), body)
	default:
		r.by = string(m[1])
	}
	return r
}

// checkServed checks the results against what the workers received: each
// answered request was received once, by the worker that answered it, and
// by no other. It returns how many requests each worker answered.
func checkServed(t *testing.T, ws []*worker, results [][]result) map[string]int {
	t.Helper()
	receivedBy := map[string][]string{}
	for _, w := range ws {
		for _, body := range w.got {
			receivedBy[body] = append(receivedBy[body], w.name)
		}
	}
	answered := map[string]int{}
	for _, rs := range results {
		for _, r := range rs {
			if r.err != nil {
				continue
			}
			answered[r.by]++
			if got := receivedBy[r.body]; len(got) != 1 || got[0] != r.by {
				t.Errorf("%q answered by %s, but received by %q", r.body, r.by, got)
			}
		}
	}
	return answered
}

// TestBrokerSpreadsLoad has six of our REQ clients send 25 requests each,
// all at once, through a libzmq broker to four of our REP workers. Every
// request must be answered once, to the client that sent it, by a worker
// that received it, and every worker must have had a share.
func TestBrokerSpreadsLoad(t *testing.T) {
	const workers, clients, requests = 4, 6, 25
	b := startBroker(t)
	ws, stop := startWorkers(t, b, workers, func(int) int { return 0 })
	results := runClients(t, b, clients, requests)
	stop()

	for _, rs := range results {
		if len(rs) != requests {
			t.Fatalf("a client made %d requests, want %d", len(rs), requests)
		}
		for _, r := range rs {
			if r.err != nil {
				t.Errorf("%q: %v", r.body, r.err)
			}
		}
	}
	answered := checkServed(t, ws, results)
	total := 0
	for _, w := range ws {
		total += len(w.got)
		if answered[w.name] == 0 {
			t.Errorf("%s answered none of the %d requests", w.name, clients*requests)
		}
	}
	if total != clients*requests {
		t.Errorf("workers received %d requests, want %d", total, clients*requests)
	}
	t.Logf("requests answered per worker: %v", answered)
}

// TestBrokerWorkerDies runs the same traffic and has one worker close its
// socket while it holds a request, after answering five. The requests it
// held must fail on their clients with context.DeadlineExceeded when
// their deadline passes; there can be at most one per client, since each
// client has one request in flight. The clients must then go on with new
// requests, which the remaining workers answer: every later request of a
// client succeeds.
func TestBrokerWorkerDies(t *testing.T) {
	const workers, clients, requests, dieAfter = 4, 6, 25, 5
	b := startBroker(t)
	ws, stop := startWorkers(t, b, workers, func(i int) int {
		if i == 0 {
			return dieAfter
		}
		return 0
	})
	results := runClients(t, b, clients, requests)
	stop()

	dead := ws[0]
	if dead.held == "" {
		t.Fatalf("%s received %d requests and never died", dead.name, len(dead.got))
	}
	receivedBy := map[string]string{}
	for _, w := range ws[1:] {
		for _, body := range w.got {
			receivedBy[body] = w.name
		}
	}
	failed, after := 0, 0
	heldFailed := false
	for i, rs := range results {
		if len(rs) != requests {
			t.Fatalf("client %d made %d requests, want %d", i, len(rs), requests)
		}
		failedAt := -1
		for k, r := range rs {
			if r.err == nil {
				if r.sent.After(dead.diedAt) {
					after++
				}
				continue
			}
			failed++
			heldFailed = heldFailed || r.body == dead.held
			if !errors.Is(r.err, context.DeadlineExceeded) {
				t.Errorf("%q failed with %v, want context.DeadlineExceeded", r.body, r.err)
			}
			if w, ok := receivedBy[r.body]; ok {
				t.Errorf("%q failed, but %s, which lives, received it", r.body, w)
			}
			if failedAt >= 0 {
				t.Errorf("client %d: request %d failed after request %d had failed: %v", i, k, failedAt, r.err)
			}
			failedAt = k
		}
		if failedAt == requests-1 {
			t.Errorf("client %d: its last request failed; none came after to show it recovered", i)
		}
	}
	if !heldFailed {
		t.Errorf("the request %q that %s died holding did not fail", dead.held, dead.name)
	}
	if failed > clients {
		t.Errorf("%d requests failed; at most %d can have been in flight when %s died", failed, clients, dead.name)
	}
	if after == 0 {
		t.Errorf("no request sent after %s died was answered", dead.name)
	}
	answered := checkServed(t, ws, results)
	if answered[dead.name] != dieAfter {
		t.Errorf("%s answered %d requests, want %d", dead.name, answered[dead.name], dieAfter)
	}
	for _, w := range ws[1:] {
		if answered[w.name] == 0 {
			t.Errorf("%s answered no request", w.name)
		}
	}
	t.Logf("%d of %d requests failed with the dead worker; %d sent after it died were answered; answered per worker: %v",
		failed, clients*requests, after, answered)
}
