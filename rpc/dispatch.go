package rpc

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// ErrBusy is the answer to a call that finds every slot of the server
// taken and its queue full (see ServerOptions.MaxConcurrent).
var ErrBusy = errors.New("rpc: server busy")

// calls are the calls a server serves: a queue, the workers that take
// calls from it, at most MaxConcurrent, and the state of a shutdown.
type calls struct {
	s        *Server
	queue    chan work
	slots    chan struct{} // one for each call running, MaxConcurrent
	workers  atomic.Int32
	inflight sync.WaitGroup // calls taken and not yet answered
	wg       sync.WaitGroup // workers

	// The contexts of the running calls end with base: at Close, or when
	// a Shutdown's context ends first.
	base   context.Context
	cancel context.CancelFunc

	gate     sync.RWMutex  // held to read draining and then count a call
	draining bool          // Shutdown or Close began: new calls are refused
	done     chan struct{} // closed when the server has shut down
	doneOnce sync.Once

	mu      sync.Mutex
	running map[runKey]*callCtx // for cancels
}

// work is a call waiting for a worker.
type work struct {
	m        *xbahn.Message
	w        *xbahn.Wire
	received time.Time
}

func (c *calls) init(s *Server) {
	c.s = s
	c.queue = make(chan work, s.opts.MaxQueued)
	c.slots = make(chan struct{}, s.opts.MaxConcurrent)
	c.base, c.cancel = context.WithCancel(context.Background())
	c.done = make(chan struct{})
	c.running = map[runKey]*callCtx{}
}

// Attach makes the server answer the calls that arrive on any wire of l,
// from now on, and returns at once; Shutdown or Close end it.
func (s *Server) Attach(l *xbahn.Link) error {
	_, err := s.attach(l)
	return err
}

// attach is Attach, with the function that detaches the server again.
func (s *Server) attach(l *xbahn.Link) (detach func(), err error) {
	// Calls keep their arguments encoded until the function's parameter
	// types decode them (see function.callEncoded).
	stopCalls, err := l.OnPathEncoded(s.callPath, s.handle)
	if err != nil {
		return nil, err
	}
	stopCancels, err := l.OnPath(s.cancelPath, s.handle)
	if err != nil {
		stopCalls()
		return nil, err
	}
	return func() { stopCalls(); stopCancels() }, nil
}

// Serve answers the calls that arrive on any wire of l, as Attach does,
// and returns when the server has shut down, with ErrClosed: after
// Shutdown, once the calls in flight are answered, or after Close.
func (s *Server) Serve(l *xbahn.Link) error {
	if err := s.Attach(l); err != nil {
		return err
	}
	<-s.calls.done
	return ErrClosed
}

// handle takes a call message from a link. When a slot is free, the call
// runs on the goroutine that received it, which hands the reading of its
// connection to a new one (xbahn.Message.Handoff); otherwise it waits in
// the queue for a worker. Either way calls run concurrently, and a
// server can call a client back over the very connection the call came
// on; the connection sends no automatic reply meanwhile.
func (s *Server) handle(m *xbahn.Message, w *xbahn.Wire) error {
	if m.IsResponse() {
		return nil
	}
	if m.Path == s.cancelPath {
		s.calls.cancelCall(m, w)
		return nil
	}
	c := &s.calls
	c.gate.RLock()
	if c.draining {
		c.gate.RUnlock()
		s.reply(m, w, nil, ErrClosed, false)
		return nil
	}
	c.inflight.Add(1)
	c.gate.RUnlock()
	s.stats.inflight.Add(1)
	job := work{m, w, time.Now()}
	select {
	case c.slots <- struct{}{}:
		if m.Handoff() {
			c.serve(job)
			<-c.slots
			return nil
		}
		<-c.slots
	default:
	}
	m.Defer()
	select {
	case c.queue <- job:
	default:
		c.inflight.Done()
		s.stats.inflight.Add(-1)
		s.reply(m, w, nil, ErrBusy, false)
		return nil
	}
	c.gate.RLock()
	if n := c.workers.Load(); !c.draining && n < int32(s.opts.MaxConcurrent) && c.workers.CompareAndSwap(n, n+1) {
		c.wg.Add(1)
		go c.work()
	}
	c.gate.RUnlock()
	return nil
}

// stopTaking makes the server refuse new calls.
func (c *calls) stopTaking() {
	c.gate.Lock()
	c.draining = true
	c.gate.Unlock()
}

// work serves calls from the queue, each in a slot, until the server
// closes. Workers stay, so that their stacks have grown already.
func (c *calls) work() {
	defer c.wg.Done()
	for {
		select {
		case w := <-c.queue:
			select {
			case c.slots <- struct{}{}:
			case <-c.base.Done():
				c.serve(w) // answered ErrClosed
				return
			}
			c.serve(w)
			<-c.slots
		case <-c.base.Done():
			return
		}
	}
}

// serve runs one call and answers it. The call leaves the counts of those
// in flight before its answer goes, so that a caller that has its answer
// finds Stats up to date.
func (c *calls) serve(w work) {
	defer c.inflight.Done()
	var (
		result any
		authed bool
		err    = ErrClosed
	)
	if c.base.Err() == nil {
		result, authed, err = c.s.call(w)
	}
	c.s.stats.inflight.Add(-1)
	c.s.reply(w.m, w.w, result, err, authed)
}

// runKey names a running call for its cancel: the connection it came on,
// so that only its caller can cancel it, and its request id.
type runKey struct {
	peer *zmtp.Peer
	id   string
}

func keyOf(m *xbahn.Message) runKey { return runKey{m.Peer(), m.ID} }

// track registers the cancel of the call m, for the client's cancel
// message.
func (c *calls) track(m *xbahn.Message, ctx *callCtx) {
	if m.ID == "" {
		return
	}
	c.mu.Lock()
	c.running[keyOf(m)] = ctx
	c.mu.Unlock()
}

// finish ends the context of the call m and forgets it.
func (c *calls) finish(m *xbahn.Message, ctx *callCtx) {
	if m.ID != "" {
		c.mu.Lock()
		delete(c.running, keyOf(m))
		c.mu.Unlock()
	}
	ctx.end()
}

// cancelCall serves a client's cancel message: it ends the context of the
// call it names, if that call still runs and came on the same connection,
// and acknowledges with whether it did.
func (c *calls) cancelCall(m *xbahn.Message, w *xbahn.Wire) {
	id, _ := m.Data.(string)
	c.mu.Lock()
	ctx := c.running[runKey{m.Peer(), id}]
	c.mu.Unlock()
	if ctx != nil {
		ctx.end()
	}
	w.Respond(m, xbahn.NewMessage(ctx != nil))
}

// Shutdown shuts the server down gracefully, as net/http's does: it
// refuses new calls (with ErrClosed), waits for the calls in flight to be
// answered, then closes the server. When ctx ends first, it cancels the
// calls still running, waits for their answers, closes the server and
// returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	c := &s.calls
	c.stopTaking()
	drained := make(chan struct{})
	go func() {
		c.inflight.Wait()
		close(drained)
	}()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = ctx.Err()
		c.cancel()
		<-drained
	}
	s.Close()
	return err
}

// Close closes the server at once: the contexts of the calls running end,
// each is answered with its outcome, calls that wait are answered with
// ErrClosed, and the server stops its janitor and drops its clients with
// the connections it opened back to them.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	clients := s.clients
	s.clients = map[string]*Remote{}
	s.mu.Unlock()
	c := &s.calls
	c.stopTaking()
	c.cancel()
	s.stop()
	c.wg.Wait()
	// No worker is left: answer what still waits.
	for {
		select {
		case w := <-c.queue:
			c.serve(w)
			continue
		default:
		}
		break
	}
	c.inflight.Wait()
	s.wg.Wait()
	for _, r := range clients {
		s.drop(r)
	}
	c.doneOnce.Do(func() { close(c.done) })
	return nil
}
