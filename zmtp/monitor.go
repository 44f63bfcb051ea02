package zmtp

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// EventKind is what an Event reports.
type EventKind uint8

// Kinds of events, in the order a connection meets them. They follow
// libzmq's zmq_socket_monitor events.
const (
	// EventListening: Bind listens on Endpoint.
	EventListening EventKind = iota + 1
	// EventAccepted: a peer connected to the listener at Endpoint.
	EventAccepted
	// EventAcceptFailed: accepting on Endpoint failed (Err); the listener
	// tries again.
	EventAcceptFailed
	// EventConnected: a dial of Endpoint reached the peer at Addr.
	EventConnected
	// EventConnectFailed: a dial of Endpoint failed (Err), a refused
	// connection or a name that does not resolve, say.
	EventConnectFailed
	// EventConnectRetried: the socket dials Endpoint again after Retry.
	EventConnectRetried
	// EventHandshakeSucceeded: the connection to Addr is ready for
	// messages; Peer says who the peer is: its type, ZMTP version and
	// metadata, User-Id included when the mechanism authenticated it.
	EventHandshakeSucceeded
	// EventHandshakeFailed: the greeting or the security handshake with
	// Addr failed (Err): errors.Is finds ErrAuth for a refused
	// authentication, ErrVersion, ErrMechanism or ErrSocketType for a
	// peer that speaks something else, ErrMalformed for a broken one.
	EventHandshakeFailed
	// EventDisconnected: the connection to Addr ended (Err says why).
	EventDisconnected
	// EventClosed: the socket closed; no event follows.
	EventClosed
)

var eventNames = [...]string{
	EventListening:          "listening",
	EventAccepted:           "accepted",
	EventAcceptFailed:       "accept failed",
	EventConnected:          "connected",
	EventConnectFailed:      "connect failed",
	EventConnectRetried:     "connect retried",
	EventHandshakeSucceeded: "handshake succeeded",
	EventHandshakeFailed:    "handshake failed",
	EventDisconnected:       "disconnected",
	EventClosed:             "closed",
}

// String returns the kind's name, such as "handshake failed".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "unknown"
}

// Event is something that happened to a socket or one of its connections.
type Event struct {
	Kind     EventKind
	Time     time.Time
	Endpoint string        // the endpoint given to Bind or Connect, as bound
	Addr     net.Addr      // the peer's address, once there is a connection
	Peer     *Peer         // EventHandshakeSucceeded: the peer
	Err      error         // failures and disconnections: why
	Retry    time.Duration // EventConnectRetried: the wait before the dial
}

// String returns the event in one line, for logs.
func (e Event) String() string {
	s := e.Kind.String()
	if e.Endpoint != "" {
		s += " " + e.Endpoint
	}
	if e.Addr != nil {
		s += " peer " + e.Addr.String()
	}
	if e.Peer != nil {
		s += " " + e.Peer.Type.String() + " ZMTP " + strconv.Itoa(e.Peer.Version)
	}
	if e.Retry > 0 {
		s += " in " + e.Retry.String()
	}
	if e.Err != nil {
		s += ": " + trimPrefix(e.Err.Error())
	}
	return s
}

// monitors are the channels events go to. A socket without any builds no
// event.
type monitors struct {
	mu    sync.Mutex
	chans atomic.Pointer[[]chan<- Event]
	drops atomic.Uint64
}

// Monitor sends the socket's events to ch from now on, until stop is
// called or the socket closes, after its EventClosed. The socket never
// waits for ch: an event that finds ch full is dropped and counted
// (MonitorDrops), so give ch room. ch is not closed. A socket may have
// several monitors; connections in this process (inproc) have no events.
func (s *Socket) Monitor(ch chan<- Event) (stop func()) {
	m := &s.mon
	m.mu.Lock()
	var next []chan<- Event
	if old := m.chans.Load(); old != nil {
		next = slices.Clone(*old)
	}
	next = append(next, ch)
	m.chans.Store(&next)
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if old := m.chans.Load(); old != nil {
			next := slices.DeleteFunc(slices.Clone(*old), func(c chan<- Event) bool { return c == ch })
			m.chans.Store(&next)
		}
	}
}

// MonitorDrops returns how many events found a monitor's channel full.
func (s *Socket) MonitorDrops() uint64 { return s.mon.drops.Load() }

// watched reports whether anyone monitors the socket or logs its events.
func (s *Socket) watched() bool {
	c := s.mon.chans.Load()
	return c != nil && len(*c) > 0 || s.opts.Logger != nil
}

// emit sends e to the socket's monitors and logger.
func (s *Socket) emit(e Event) {
	c := s.mon.chans.Load()
	if (c == nil || len(*c) == 0) && s.opts.Logger == nil {
		return
	}
	e.Time = time.Now()
	if l := s.opts.Logger; l != nil {
		level := slog.LevelDebug
		switch e.Kind {
		case EventHandshakeFailed, EventAcceptFailed:
			level = slog.LevelWarn
		case EventDisconnected:
			level = slog.LevelInfo
		}
		l.Log(context.Background(), level, "zmtp: "+e.String(), "socket", s.typ.String())
	}
	if c == nil {
		return
	}
	for _, ch := range *c {
		select {
		case ch <- e:
		default:
			s.mon.drops.Add(1)
		}
	}
}

// failed records err as the last failure to reach a peer, for waiting
// callers (see waitErr); nil says the last attempt succeeded.
func (s *Socket) failed(err error) { s.lastFail.Store(&err) }

// waitErr returns err, the end of a caller's wait for a peer, with the last
// failure to reach one wrapped in it, when no connection is up: a send
// that timed out against a peer refusing the handshake says so, and
// errors.Is finds both the context's error and the failure's.
func (s *Socket) waitErr(err error) error {
	f := s.lastFail.Load()
	if f == nil || *f == nil {
		return err
	}
	for _, p := range s.pipeList() {
		if p.up.Load() {
			return err
		}
	}
	return &waitError{err: err, last: *f}
}

// Stats is a snapshot of a socket's connections and traffic.
type Stats struct {
	Connections  int    // connected peers, in this process (inproc) or not
	BytesRead    uint64 // from network connections, handshakes included
	BytesWritten uint64 // to network connections, after their handshakes
}

// Stats returns a snapshot of the socket's connections and traffic; it is
// cheap enough to poll.
func (s *Socket) Stats() Stats {
	st := Stats{BytesRead: s.bytesIn.Load(), BytesWritten: s.bytesOut.Load()}
	for _, p := range s.pipeList() {
		if p.up.Load() {
			st.Connections++
		}
	}
	return st
}

// reach is the state of a connecting socket's first connection, for
// Options.ConnectTimeout.
type reach struct {
	mu      sync.Mutex
	started time.Time     // the first Connect
	up      bool          // a handshake ever succeeded
	lost    chan struct{} // closed when the socket gives up on its first peer
	gaveUp  bool
}

// connecting records the first Connect.
func (s *Socket) connecting() {
	r := &s.reach
	r.mu.Lock()
	if r.started.IsZero() {
		r.started = time.Now()
		r.lost = make(chan struct{})
	}
	r.mu.Unlock()
}

// reached records that a handshake succeeded.
func (s *Socket) reached() {
	r := &s.reach
	r.mu.Lock()
	r.up = true
	r.mu.Unlock()
}

// attemptFailed gives up on the first peer, if the connect timeout has
// passed since Connect without a success.
func (s *Socket) attemptFailed() {
	r := &s.reach
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.opts.ConnectTimeout > 0 && !r.up && !r.gaveUp && !r.started.IsZero() && time.Since(r.started) >= s.opts.ConnectTimeout {
		r.gaveUp = true
		close(r.lost)
	}
}

// Unreachable reports, for a socket that connects with a ConnectTimeout,
// whether it gave up on reaching its first peer: err is ErrUnreachable with
// the last failure when it has; otherwise lost, when not nil, is closed
// when it does. Both are nil for a socket that has reached a peer, binds
// only, or waits as ZeroMQ does. A layer above, such as an RPC client
// waiting for a reply, selects on lost.
func (s *Socket) Unreachable() (lost <-chan struct{}, err error) {
	r := &s.reach
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.up || r.lost == nil || s.opts.ConnectTimeout <= 0:
		return nil, nil
	case r.gaveUp:
		return nil, s.unreachableErr()
	}
	return r.lost, nil
}

// unreachableErr is ErrUnreachable with the last failure.
func (s *Socket) unreachableErr() error {
	if f := s.lastFail.Load(); f != nil && *f != nil {
		return &waitError{err: ErrUnreachable, last: *f}
	}
	return ErrUnreachable
}

// waitError is a wait for a peer that ended while the socket could not
// reach one.
type waitError struct{ err, last error }

func (e *waitError) Error() string {
	return e.err.Error() + "; the last attempt to reach a peer: " + trimPrefix(e.last.Error())
}

func (e *waitError) Unwrap() []error { return []error{e.err, e.last} }
