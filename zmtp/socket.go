package zmtp

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A Socket is a ZeroMQ socket: it binds and connects to endpoints, keeps a
// connection to each peer, and sends and receives multipart messages by
// the rules of its type.
//
// A Socket is safe for concurrent use. For REQ and REP the send/receive
// lockstep holds across all goroutines: a Send or Recv that another
// goroutine is already making fails with an error wrapping ErrState.
type Socket struct {
	typ  Type
	opts Options
	pat  pattern
	hs   handshakeConfig

	ctx    context.Context // ends when the socket closes
	cancel context.CancelFunc

	mu        sync.Mutex
	pipes     []*pipe // replaced, never modified in place; see pipeList
	snapshot  atomic.Pointer[[]*pipe]
	queued    atomic.Int32  // messages in all inboxes
	ready     []*pipe       // pipes with messages in their inbox, in turn
	waiters   int           // goroutines waiting in recvMsg
	notify    chan struct{} // a message was queued
	changed   chan struct{} // closed when pipes come, go, connect or disconnect
	direct    *pipe         // pipe a caller reads directly
	listeners []net.Listener
	closed    bool
	refused   error // why a peer refused this socket for good

	wg sync.WaitGroup

	idleDelay time.Duration // see the constant; tests shorten it

	msgs    sync.Pool // *Msg scratch for inproc hand-overs
	inprocs []string  // inproc names bound

	mon      monitors
	lastFail atomic.Pointer[error] // the last failure to reach a peer, or nil
	reach    reach

	bytesIn, bytesOut atomic.Uint64 // over every connection, for Stats
}

// pattern is the behaviour of one socket type.
type pattern interface {
	send(ctx context.Context, frames [][]byte, owned bool) error
	recv(ctx context.Context, m *Msg) error
	// filter decides, with the socket's mutex held, whether a message the
	// pump read from p enters p's inbox.
	filter(p *pipe, m *Msg) bool
	// command handles SUBSCRIBE and CANCEL from p.
	command(p *pipe, cmd Command)
	// attached and detached follow p's connections. A connection that
	// attached refuses is closed.
	attached(p *pipe) bool
	detached(p *pipe)
	// direct reports whether a caller may read a connection itself.
	direct() bool
}

// base gives a pattern the defaults.
type base struct{}

func (base) send(context.Context, [][]byte, bool) error { return ErrNotSupported }
func (base) recv(context.Context, *Msg) error           { return ErrNotSupported }
func (base) filter(*pipe, *Msg) bool                    { return true }
func (base) command(*pipe, Command)                     {}
func (base) attached(*pipe) bool                        { return true }
func (base) detached(*pipe)                             {}
func (base) direct() bool                               { return true }

// NewSocket returns a socket of type t. A nil o means default options.
func NewSocket(t Type, o *Options) (*Socket, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Socket{typ: t, opts: opts, notify: make(chan struct{}, 1), changed: make(chan struct{}), idleDelay: idleDelay}
	switch t {
	case REQ:
		s.pat = newReq(s)
	case REP:
		s.pat = newRep(s)
	case DEALER, PUSH, PULL:
		s.pat = &dealer{s: s, lb: lb{s: s}, canSend: t != PULL, canRecv: t != PUSH}
	case ROUTER:
		s.pat = newRouter(s)
	case PUB, XPUB:
		s.pat = newPub(s, t == XPUB)
	case SUB, XSUB:
		s.pat = newSub(s, t == XSUB)
	case PAIR:
		s.pat = &pair{dealer{s: s, lb: lb{s: s}, canSend: true, canRecv: true}}
	case STREAM:
		s.pat = newStream(s)
	default:
		return nil, errors.New("zmtp: unknown socket type " + t.String())
	}
	s.hs = handshakeConfig{
		mech:     opts.Mechanism,
		typ:      t,
		identity: opts.Identity,
		props:    opts.Properties,
		legacy:   !opts.NoDowngrade,
		maxCmd:   uint64(opts.MaxCommandSize),
		maxProps: opts.MaxProperties,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.msgs.New = func() any { return new(Msg) }
	return s, nil
}

// Type returns the socket's type.
func (s *Socket) Type() Type { return s.typ }

// EveryPeer reports whether the socket has at least one connection and f
// returns true for the peer of each, stopping at the first false. It
// reports false while an endpoint given to Connect is not connected, at
// first or after the connection was lost, because the peer that endpoint
// will lead to is not known yet.
//
// A layer above uses it to pick, from what the peers announced in
// Peer.Metadata (see Options.Properties), an encoding that every current
// peer can read. The answer is a snapshot: a peer may come or go as soon
// as EveryPeer returns.
//
// EveryPeer neither allocates nor takes the socket's lock, and it may be
// called concurrently with Send and every other method. f must not modify
// the Peer.
func (s *Socket) EveryPeer(f func(p *Peer) bool) bool {
	pipes := s.pipeList()
	if len(pipes) == 0 {
		return false
	}
	for _, p := range pipes {
		if !p.up.Load() {
			return false
		}
		d := p.peerDesc.Load()
		if d == nil || !f(d) {
			return false
		}
	}
	return true
}

// Send sends a message made of frames. It does not retain the frames.
// Whether it waits for room, drops the message or fails depends on the
// socket type; a wait ends with the context.
func (s *Socket) Send(ctx context.Context, frames ...[]byte) error {
	return s.send(ctx, frames, false)
}

// SendMsg sends the frames of m and takes them over: to a peer in this
// process (inproc), the frames themselves are handed over, not copied, and
// the receiver and any other receivers of the same message share them.
// m is emptied; neither the caller nor a receiver may modify the frames
// afterwards.
func (s *Socket) SendMsg(ctx context.Context, m *Msg) error {
	err := s.send(ctx, m.Frames, true)
	*m = Msg{}
	return err
}

func (s *Socket) send(ctx context.Context, frames [][]byte, owned bool) error {
	// Concrete calls, unlike calls through the interface, let frames
	// stay on the caller's stack.
	switch p := s.pat.(type) {
	case *req:
		return p.send(ctx, frames, owned)
	case *rep:
		return p.send(ctx, frames, owned)
	case *dealer:
		return p.send(ctx, frames, owned)
	case *router:
		return p.send(ctx, frames, owned)
	case *pub:
		return p.send(ctx, frames, owned)
	case *sub:
		return p.send(ctx, frames, owned)
	case *pair:
		return p.send(ctx, frames, owned)
	case *stream:
		return p.send(ctx, frames, owned)
	}
	return ErrNotSupported
}

// Subscribe adds a subscription to messages whose first frame starts with
// topic; the empty topic matches every message. It is for SUB and XSUB
// sockets. Subscriptions are counted: each Subscribe needs its own
// Unsubscribe.
func (s *Socket) Subscribe(topic []byte) error {
	x, ok := s.pat.(*sub)
	if !ok {
		return ErrNotSupported
	}
	x.subscribe(topic, true)
	return nil
}

// Unsubscribe removes one subscription to topic added by Subscribe. It
// does nothing when there is none.
func (s *Socket) Unsubscribe(topic []byte) error {
	x, ok := s.pat.(*sub)
	if !ok {
		return ErrNotSupported
	}
	x.subscribe(topic, false)
	return nil
}

// RecvMsg receives the next message into m, reusing m's storage; the
// frames of m stay valid until the next RecvMsg into m. It waits until a
// message arrives, the context ends or the socket closes.
func (s *Socket) RecvMsg(ctx context.Context, m *Msg) error {
	return s.pat.recv(ctx, m)
}

// RecvMsgUntil receives as RecvMsg does, but gives up with an error
// wrapping ErrNoPeer when stop is signalled (closed, or sent a value,
// which it takes), or when a connection of the socket comes or goes: for
// a caller that waits for a reply that another goroutine may receive, or
// that can come only over one connection, and must look again. Messages
// received already come first.
func (s *Socket) RecvMsgUntil(ctx context.Context, m *Msg, stop <-chan struct{}) error {
	m.until = stop
	err := s.pat.recv(ctx, m)
	m.until = nil
	return err
}

// Recv receives the next message in newly allocated frames.
func (s *Socket) Recv(ctx context.Context) ([][]byte, error) {
	var m Msg
	if err := s.pat.recv(ctx, &m); err != nil {
		return nil, err
	}
	return m.Frames, nil
}

// Bind listens on the endpoint and accepts peers there. It returns the
// endpoint actually bound, with the port filled in when the endpoint asked
// for any free one (port 0 or *).
func (s *Socket) Bind(endpoint string) (string, error) {
	ep, err := ParseEndpoint(endpoint)
	if err != nil {
		return "", err
	}
	if ep.Transport == "inproc" {
		if s.typ == STREAM {
			return "", errStreamInproc
		}
		return ep.String(), s.bindInproc(ep.Addr)
	}
	if ep.websocket() {
		return s.bindWS(ep)
	}
	network, addr := ep.listenAddr()
	var ln net.Listener
	if network == "unix" {
		ln, err = listenUnix(s.ctx, addr)
	} else {
		ln, err = (&net.ListenConfig{}).Listen(s.ctx, network, addr)
	}
	if err != nil {
		return "", err
	}
	bound := Endpoint{Transport: ep.Transport, Addr: ln.Addr().String()}
	if network == "unix" {
		bound.Addr = addr
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return "", ErrClosed
	}
	s.listeners = append(s.listeners, ln)
	s.wg.Add(1)
	s.mu.Unlock()
	s.emit(Event{Kind: EventListening, Endpoint: bound.String()})
	go s.acceptLoop(ln, bound.String())
	return bound.String(), nil
}

// Connect connects to the endpoint in the background and reconnects
// whenever the connection is lost. Messages sent before the connection is
// up wait for it, up to the high-water mark.
func (s *Socket) Connect(endpoint string) error {
	ep, err := ParseEndpoint(endpoint)
	if err != nil {
		return err
	}
	if ep.Transport == "inproc" {
		if s.typ == STREAM {
			return errStreamInproc
		}
		return s.connectInproc(ep)
	}
	network, addr, err := ep.dialAddr()
	if err != nil {
		return err
	}
	dial := s.tcpDialer(network, addr)
	if ep.websocket() {
		if dial, err = s.wsDialer(ep, network, addr); err != nil {
			return err
		}
	}
	if s.typ == STREAM {
		if !s.spawn(func() { s.streamDialLoop(ep.String(), network, addr) }) {
			return ErrClosed
		}
		return nil
	}
	s.connecting()
	p := newPipe(s, ep.String(), true)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.addPipeLocked(p)
	s.wg.Add(1)
	s.changedLocked()
	s.mu.Unlock()
	go s.dialLoop(p, dial)
	return nil
}

// Serve runs the ZMTP handshake on conn, a connection made some other way
// (a TLS tunnel, a pipe), and serves it as a peer of the socket, as if a
// listener had accepted it, until the connection ends. It returns at once.
func (s *Socket) Serve(conn net.Conn) error {
	if !s.spawn(func() { s.serve(conn, "conn://"+conn.RemoteAddr().String()) }) {
		conn.Close()
		return ErrClosed
	}
	return nil
}

// Close closes the socket: its listeners, its connections and every
// goroutine it started, which have all ended when Close returns. It first
// waits, up to Options.Linger, for the messages already sent to be
// written; what is still unwritten then is dropped.
func (s *Socket) Close() error {
	s.linger()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cancel()
	for _, name := range s.inprocs {
		s.opts.Hub.unbind(name, s)
	}
	lns, pipes := s.listeners, s.pipes
	s.listeners, s.ready = nil, nil
	s.setPipesLocked(nil)
	s.changedLocked()
	s.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	for _, p := range pipes {
		p.remove(ErrClosed)
	}
	s.wg.Wait()
	s.emit(Event{Kind: EventClosed})
	return nil
}

// linger waits, up to Options.Linger, for the messages sent so far to be
// written to their connections.
func (s *Socket) linger() {
	if s.opts.Linger < 0 {
		return
	}
	deadline := time.Now().Add(s.opts.Linger)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		pending := false
		for _, p := range s.pipeList() {
			if !p.w.flushed() {
				pending = true
				break
			}
		}
		if !pending || time.Now().After(deadline) || s.ctx.Err() != nil {
			return
		}
		select {
		case <-tick.C:
		case <-s.ctx.Done():
			return
		}
	}
}

// bindInproc binds an inproc name in the socket's hub.
func (s *Socket) bindInproc(name string) error {
	if s.opts.Hub == nil {
		return errNoHub
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.inprocs = append(s.inprocs, name)
	s.mu.Unlock()
	err := s.opts.Hub.bind(name, s)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		// Other binds may have come meanwhile: drop this name only.
		if i := slices.Index(s.inprocs, name); i >= 0 {
			s.inprocs = slices.Delete(s.inprocs, i, i+1)
		}
		return err
	case s.closed:
		// Close came meanwhile and could not unbind the name yet.
		s.opts.Hub.unbind(name, s)
		return ErrClosed
	}
	return nil
}

// connectInproc connects to an inproc name in the socket's hub, now or
// when it is bound.
func (s *Socket) connectInproc(ep Endpoint) error {
	if s.opts.Hub == nil {
		return errNoHub
	}
	s.connecting()
	p := newPipe(s, ep.String(), true)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.addPipeLocked(p)
	s.changedLocked()
	s.mu.Unlock()
	s.opts.Hub.connect(ep.Addr, p)
	return nil
}

// spawn runs f on a goroutine that Close waits for, unless the socket is
// closed.
func (s *Socket) spawn(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// acceptLoop accepts connections on ln until it is closed.
func (s *Socket) acceptLoop(ln net.Listener, endpoint string) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.emit(Event{Kind: EventAcceptFailed, Endpoint: endpoint, Err: err})
			// Out of file descriptors or similar: wait, then go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(delay):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		delay = 0
		if !s.spawn(func() { s.serve(conn, endpoint) }) {
			conn.Close()
			return
		}
	}
}

// serve runs an accepted connection: handshake, then reading until it
// ends. Each connection has its own goroutine, so a slow handshake holds up
// no other.
func (s *Socket) serve(conn net.Conn, endpoint string) {
	s.emit(Event{Kind: EventAccepted, Endpoint: endpoint, Addr: conn.RemoteAddr()})
	if x, ok := s.pat.(*stream); ok {
		x.run(conn, endpoint)
		return
	}
	r, info, err := s.handshakeWatched(conn, endpoint)
	if err != nil {
		conn.Close()
		return
	}
	p := newPipe(s, endpoint, false)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.addPipeLocked(p)
	s.mu.Unlock()
	if p.attach(conn, r, info) {
		s.run(p, conn)
	}
	s.removePipe(p)
	p.remove(ErrNoPeer)
	s.change()
}

// dialLoop connects p to its endpoint with dial, again and again, until
// the socket closes or a peer refuses it for good.
func (s *Socket) dialLoop(p *pipe, dial func() (net.Conn, error)) {
	defer s.wg.Done()
	wait := s.opts.ReconnectInterval
	timer := time.NewTimer(0)
	<-timer.C
	for {
		conn, err := dial()
		if err != nil && s.ctx.Err() == nil {
			s.failed(err)
			s.attemptFailed()
			s.emit(Event{Kind: EventConnectFailed, Endpoint: p.endpoint, Err: err})
		}
		if err == nil {
			s.emit(Event{Kind: EventConnected, Endpoint: p.endpoint, Addr: conn.RemoteAddr()})
			var r *Reader
			var info peerInfo
			r, info, err = s.handshakeWatched(conn, p.endpoint)
			if err != nil {
				s.failed(err)
				s.attemptFailed()
			} else {
				s.reached()
			}
			if err == nil {
				if !p.attach(conn, r, info) {
					conn.Close()
					return
				}
				s.run(p, conn)
				s.change()
				wait = s.opts.ReconnectInterval
			} else {
				conn.Close()
				if permanent(err) {
					s.refuse(p, err)
					return
				}
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		s.emit(Event{Kind: EventConnectRetried, Endpoint: p.endpoint, Retry: wait})
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.ctx.Done():
			timer.Stop()
			return
		}
		if s.opts.ReconnectMax > wait {
			wait = min(2*wait, s.opts.ReconnectMax)
		}
	}
}

// run serves p's new connection until it ends.
func (s *Socket) run(p *pipe, conn net.Conn) {
	if !s.pat.attached(p) {
		p.fail(conn, protoErr("connect", errRefused))
		return
	}
	p.opened(conn)
	s.change()
	p.pump(conn)
	s.pat.detached(p)
}

// permanent reports whether a handshake error means that trying again
// cannot help: the peer refused us, or speaks something else.
func permanent(err error) bool {
	var pe *PeerError
	return errors.As(err, &pe) || errors.Is(err, ErrMechanism) ||
		errors.Is(err, ErrSocketType) || errors.Is(err, ErrVersion)
}

// refuse records that p's peer refused this socket for good, and drops p.
func (s *Socket) refuse(p *pipe, err error) {
	s.mu.Lock()
	s.refused = err
	s.mu.Unlock()
	s.removePipe(p)
	p.remove(err)
	s.change()
}

// handshake runs the ZMTP handshake on conn within the handshake timeout,
// or until the socket closes.
func (s *Socket) handshake(conn net.Conn) (*Reader, peerInfo, error) {
	stop := context.AfterFunc(s.ctx, func() { conn.Close() })
	defer stop()
	conn.SetDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	r := NewReader(conn, s.opts.ReadBufferSize)
	r.count = &s.bytesIn
	info, err := handshake(conn, r, &s.hs)
	if err != nil {
		return nil, info, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, info, err
	}
	return r, info, nil
}

// handshakeWatched is handshake, reported to the monitors; a success
// clears the last failure.
func (s *Socket) handshakeWatched(conn net.Conn, endpoint string) (*Reader, peerInfo, error) {
	r, info, err := s.handshake(conn)
	if err != nil {
		if s.ctx.Err() == nil {
			s.emit(Event{Kind: EventHandshakeFailed, Endpoint: endpoint, Addr: conn.RemoteAddr(), Err: err})
		}
		return nil, info, err
	}
	s.failed(nil)
	if s.watched() {
		s.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: endpoint, Addr: conn.RemoteAddr(),
			Peer: &Peer{Addr: conn.RemoteAddr(), Type: info.typ, Version: info.version, Identity: info.identity, Metadata: info.md}})
	}
	return r, info, nil
}

// removePipe drops p from the socket's lists.
func (s *Socket) removePipe(p *pipe) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.pipes {
		if q == p {
			s.setPipesLocked(append(s.pipes[:i:i], s.pipes[i+1:]...))
			break
		}
	}
	for i, q := range s.ready {
		if q == p {
			s.ready = slices.Delete(s.ready, i, i+1) // no stale pointer left behind
			break
		}
	}
	s.purgeLocked(p)
	p.inbox.release()
}

// change wakes every goroutine waiting for the pipes to change.
func (s *Socket) change() {
	s.mu.Lock()
	s.changedLocked()
	s.mu.Unlock()
}

// setPipesLocked replaces the list of pipes; mu is held.
func (s *Socket) setPipesLocked(pipes []*pipe) {
	s.pipes = pipes
	s.snapshot.Store(&pipes)
}

// addPipeLocked adds p to the pipes; mu is held.
func (s *Socket) addPipeLocked(p *pipe) {
	s.setPipesLocked(append(s.pipes[:len(s.pipes):len(s.pipes)], p))
}

// pipeList returns the pipes without taking the socket's mutex. The slice
// must not be modified.
func (s *Socket) pipeList() []*pipe {
	if p := s.snapshot.Load(); p != nil {
		return *p
	}
	return nil
}

// refusal returns why a peer refused the socket for good, when no pipe is
// left to try.
func (s *Socket) refusal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pipes) == 0 {
		return s.refused
	}
	return nil
}

// changes returns a channel closed at the next change of the pipes.
func (s *Socket) changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Socket) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// signalLocked wakes a goroutine waiting for a message.
func (s *Socket) signalLocked() {
	if s.waiters > 0 {
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
}

// listenUnix listens on a Unix domain socket at path. A socket file left by
// a process that is gone is replaced; one that a live process listens on
// is not.
func listenUnix(ctx context.Context, path string) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "unix", path)
	if err == nil || !errors.Is(err, errAddrInUse) {
		return ln, err
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	c, derr := d.DialContext(dctx, "unix", path)
	cancel()
	if derr == nil {
		c.Close()
		return nil, err
	}
	if fi, serr := os.Lstat(path); serr != nil || fi.Mode()&os.ModeSocket == 0 {
		return nil, err
	}
	if rerr := os.Remove(path); rerr != nil {
		return nil, err
	}
	return lc.Listen(ctx, "unix", path)
}
