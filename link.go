package xbahn

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Link groups named Wires and fires events for the messages they receive.
// The first wire added is the main one. A Link is safe for concurrent use.
type Link struct {
	events
	encoded encodedPaths // see OnPathEncoded

	mu      sync.Mutex
	wires   []*Wire
	pending map[string]*pending // requests waiting for their response, by id
	pool    sync.Pool           // of *pending
}

// pending is a request waiting for its response.
type pending struct {
	req  *Message
	wait bool          // SendAndWait waits on ch
	ch   chan *Message // holds the response for SendAndWait
	// claimed is set once the response has been received, before it is
	// delivered: a caller that reads the connection itself (see
	// awaitLone) waits on ch instead.
	claimed atomic.Bool
}

// Conns are the connections of a wire: Send carries its Send and
// SendAndWait, Receive brings the messages whose events fire, and Respond
// carries Respond. Any may be nil; one connection may take several roles.
type Conns struct {
	Send, Receive, Respond *Conn
}

// Errors of links and wires.
var (
	ErrNoConn           = errors.New("xbahn: the wire has no connection for that")
	ErrWireExists       = errors.New("xbahn: a wire of that name exists")
	ErrAlreadyResponded = errors.New("xbahn: the message was answered already")
	ErrNotReceived      = errors.New("xbahn: only a received message can be answered")
	// ErrNoHandler is the error reply of a REP connection to a request
	// that no handler took: its path has none and it answers no request.
	// The original answered it with an empty message, which left its
	// requesters waiting.
	ErrNoHandler = errors.New("xbahn: no handler for the message")
)

// noHandlerText starts the error text of a reply to a request that no
// handler took; the path follows, quoted.
const noHandlerText = "xbahn: no handler for path "

// NewLink returns a link. If c has any connection, the link gets a main
// wire named "main" with them, as the original's Link(send=, receive=,
// respond=).
func NewLink(c Conns) *Link {
	l := &Link{pending: map[string]*pending{}}
	l.pool.New = func() any { return new(pending) }
	if c != (Conns{}) {
		l.AddWire("main", c, nil)
	}
	return l
}

// AddWire adds a wire. Meta is copied into the meta of every message the
// wire sends.
func (l *Link) AddWire(name string, c Conns, meta map[string]any) (*Wire, error) {
	w := &Wire{link: l, name: name, conns: c, meta: map[string]any{}}
	for k, v := range meta {
		w.meta[k] = v
	}
	l.mu.Lock()
	for _, x := range l.wires {
		if x.name == name {
			l.mu.Unlock()
			return nil, fmt.Errorf("%w: %s", ErrWireExists, strconv.Quote(name))
		}
	}
	l.wires = append(l.wires, w)
	l.mu.Unlock()
	for _, conn := range w.receivers() {
		conn.attach(w)
	}
	return w, nil
}

// Main returns the main wire: the first one added, or nil.
func (l *Link) Main() *Wire {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.wires) == 0 {
		return nil
	}
	return l.wires[0]
}

// Wire returns the wire of that name, or nil.
func (l *Link) Wire(name string) *Wire {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.wires {
		if w.name == name {
			return w
		}
	}
	return nil
}

// Wires returns the wires in the order they were added.
func (l *Link) Wires() []*Wire {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Wire(nil), l.wires...)
}

// Cut removes the wire of that name; with disconnect set it also closes
// the wire's connections.
func (l *Link) Cut(name string, disconnect bool) error {
	l.mu.Lock()
	var w *Wire
	for i, x := range l.wires {
		if x.name == name {
			w = x
			l.wires = append(l.wires[:i:i], l.wires[i+1:]...)
			break
		}
	}
	l.mu.Unlock()
	if w == nil {
		return fmt.Errorf("xbahn: no wire named %s", strconv.Quote(name))
	}
	for _, conn := range w.receivers() {
		conn.detach(w)
	}
	if disconnect {
		return w.closeConns()
	}
	return nil
}

// Close cuts every wire and closes its connections.
func (l *Link) Close() error {
	var errs []error
	for _, w := range l.Wires() {
		errs = append(errs, l.Cut(w.name, true))
	}
	return errors.Join(errs...)
}

// OnReceive registers h for every message that arrives on any wire of the
// link (the original's "receive" event); the returned function removes it.
func (l *Link) OnReceive(h Handler) (cancel func()) { return l.add(&l.receive, h) }

// OnPath registers h for messages whose path is path or below it, on any
// wire of the link (the original's "receive_<path>"): "address" gets
// "address" and "address.usa", not "addressbook". The error reports an
// invalid path (see route.Check).
func (l *Link) OnPath(path string, h Handler) (cancel func(), err error) {
	return l.addPath(path, h, false)
}

// OnResponse registers h for every response that arrives on any wire of
// the link (the original's "response" event).
func (l *Link) OnResponse(h Handler) (cancel func()) { return l.add(&l.response, h) }

// expect registers req as waiting for its response; with wait set, the
// returned pending's channel receives it.
func (l *Link) expect(req *Message, wait bool) *pending {
	p := l.pool.Get().(*pending)
	p.req = req
	if wait && p.ch == nil {
		p.ch = make(chan *Message, 1)
	}
	p.wait = wait
	if req.keepResponse {
		l.encoded.responses.Store(true)
	}
	l.mu.Lock()
	l.pending[req.ID] = p
	l.mu.Unlock()
	return p
}

// claim marks the request of that id, if one waits, as answered by a
// response received and about to be dispatched.
func (l *Link) claim(id string) {
	l.mu.Lock()
	if p := l.pending[id]; p != nil {
		p.claimed.Store(true)
	}
	l.mu.Unlock()
}

// forget drops the request of that id from the waiting ones. The pending
// entry is reused only if it was still registered: otherwise a dispatch
// may be about to deliver to it.
func (l *Link) forget(id string) {
	l.mu.Lock()
	p := l.pending[id]
	delete(l.pending, id)
	l.mu.Unlock()
	if p != nil {
		l.recycle(p)
	}
}

// recycle returns p to the pool; nothing may refer to it any more.
func (l *Link) recycle(p *pending) {
	p.req, p.wait = nil, false
	p.claimed.Store(false)
	l.pool.Put(p)
}

// dispatch fires the events of a message that arrived on w, in the
// original's order (see the package documentation), and reports whether
// anything took the message: a handler, or a request awaiting it as its
// response. A panic in a handler becomes the returned error.
func (l *Link) dispatch(w *Wire, m *Message) (handled bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			handled, err = true, &PanicError{Value: r}
		}
	}()
	if m.body != nil && m.ResponseID != "" && !l.awaitsEncoded(m.ResponseID) {
		// What waits for a response reads it decoded.
		if err := m.Expand(); err != nil {
			return false, err
		}
	}
	if handled, err = l.fire(m, w); err != nil {
		return handled, err
	}
	var req *Message
	if m.ResponseID != "" {
		l.mu.Lock()
		p := l.pending[m.ResponseID]
		delete(l.pending, m.ResponseID)
		l.mu.Unlock()
		if p != nil {
			// After the send, p belongs to the waiter, or, if none
			// waits, to nobody.
			req, handled = p.req, true
			if p.wait {
				p.ch <- m
			} else {
				l.recycle(p)
			}
		}
	}
	ran, err := w.fire(m, w)
	if handled = handled || ran; err != nil {
		return handled, err
	}
	if req != nil {
		for _, f := range req.responseCallbacks() {
			f(m)
		}
	}
	return handled, nil
}

// PanicError is a panic of a handler, turned into an error.
type PanicError struct {
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("xbahn: handler panicked: %v", e.Value) }

// RemoteError is an error reply: the peer's handler failed.
type RemoteError struct {
	Message string   // the error text the peer sent
	Reply   *Message // the whole reply
}

func (e *RemoteError) Error() string { return "xbahn: remote error: " + e.Message }

// Unwrap returns ErrNoHandler for the reply of a REP connection that no
// handler took the request of, and nil for other errors.
func (e *RemoteError) Unwrap() error {
	if strings.HasPrefix(e.Message, noHandlerText) {
		return ErrNoHandler
	}
	return nil
}
