package zmtp

import (
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A pipe is a socket's link to one peer: the connection, when there is
// one, its read and write state, and its queues. A pipe made by Connect
// outlives its connections: messages sent while it is disconnected wait in
// it and leave when the next connection is up. A pipe made by an accepted
// connection ends with that connection.
type pipe struct {
	s          *Socket
	endpoint   string
	persistent bool

	// Guarded by mu.
	mu       sync.Mutex
	conn     net.Conn        // nil while disconnected
	raw      syscall.RawConn // conn's, when it has one
	info     peerInfo
	down     chan struct{} // closed when the current connection ends
	open     bool          // the socket type has taken the connection
	lostBy   error         // why the last connection ended
	removed  bool          // the pipe is gone for good
	whyGone  error         // why it is gone
	role     role          // who reads the connection
	want     bool          // a caller waits for the pump to hand reading over
	intr     bool          // an interrupt set the read deadline in the past
	dlSet    bool          // the read deadline may not be zero
	handback chan struct{} // the pump has handed reading to the caller
	trimCur  bool          // trim asks to let cur's large buffer go

	// Owned by the goroutine that holds the read role.
	r    *Reader
	cur  Msg         // message being read
	sbuf []byte      // scratch for sealed frames
	nb   nonBlocking // reads of drain
	cbuf []byte      // scratch for commands the reader answers

	// Guarded by the socket's mutex.
	inbox  msgRing
	ready  bool          // in the socket's ready list
	room   chan struct{} // closed when the inbox shrinks to roomAt; nil if nobody waits
	roomAt int

	stalled atomic.Bool // the pump stopped reading because the inbox is full

	memory   atomic.Bool // linked to a pipe of a socket in this process
	peerDesc atomic.Pointer[Peer]
	up       atomic.Bool // connected, in memory or not
	dead     atomic.Bool // removed, readable without mu

	inboxLen atomic.Int32 // inbox.len(), readable without the socket's mutex

	// The context whose end interrupts a caller's read, whether its watch
	// stays, the last one watched, and that of the caller reading now; see
	// watchLocked.
	watchDone   <-chan struct{}
	watchStop   func() bool
	watchKeep   bool
	lastDone    <-chan struct{}
	interruptFn func()
	readDone    <-chan struct{}

	// Read-side signals to the pump goroutine.
	kick      chan struct{}
	idle      *time.Timer
	idleArmed atomic.Bool // idle runs: released reads do not reset it

	rcount atomic.Uint64 // frames read; heartbeats watch it move

	// Letting buffers grown for large messages go (see keptLarge):
	// whether one was used since the last look, and whether a look is
	// due.
	largeUsed atomic.Bool
	trimArmed atomic.Bool
	trimmer   *time.Timer

	w writer

	hb heartbeat
}

type role uint8

const (
	roleFree role = iota
	rolePump
	roleCaller
)

// idleDelay is how long a connection that callers read directly may go
// unread before its pump goroutine reads it, to answer heartbeats and notice
// a lost peer.
const idleDelay = time.Millisecond

func newPipe(s *Socket, endpoint string, persistent bool) *pipe {
	p := &pipe{
		s:          s,
		endpoint:   endpoint,
		persistent: persistent,
		down:       make(chan struct{}),
		handback:   make(chan struct{}, 1),
		kick:       make(chan struct{}, 1),
		idle:       time.NewTimer(time.Hour),
	}
	p.idle.Stop()
	p.trimmer = time.AfterFunc(time.Hour, p.trim)
	p.trimmer.Stop()
	p.interruptFn = p.interruptEnded
	p.w.p = p
	p.w.wake = make(chan struct{}, 1)
	p.w.space = make(chan struct{})
	return p
}

// attach makes conn, whose handshake is done, the pipe's connection.
func (p *pipe) attach(conn net.Conn, r *Reader, info peerInfo) bool {
	down := p.w.nextDown()
	p.mu.Lock()
	if p.removed {
		p.mu.Unlock()
		close(down) // what waited for the connection is gone with the pipe
		return false
	}
	if info.session == nil {
		// Under a security session every frame travels in a command
		// (CURVE's MESSAGE); the commands it opens are bounded in
		// command.
		r.SetCommandLimit(uint64(p.s.opts.MaxCommandSize))
	}
	p.conn, p.info, p.r = conn, info, r
	p.raw = rawConn(conn)
	p.peerDesc.Store(&Peer{Addr: conn.RemoteAddr(), Type: info.typ, Version: info.version, Identity: info.identity, Metadata: info.md})
	p.role, p.want, p.intr = roleFree, false, false
	p.cur.reset()
	p.down = down
	p.mu.Unlock()
	if !p.s.spawn(func() { p.w.loop(conn, down) }) {
		return false // the pipe's removal fails conn, closing down
	}
	p.up.Store(true) // messages sent from now on queue behind the pending ones
	p.w.attach(conn, info.session, down)
	p.hb.start(p, conn)
	return true
}

// lostError returns the error for a request whose connection ended: it
// wraps ErrNoPeer and why the connection ended.
func (p *pipe) lostError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lostBy == nil {
		return ErrNoPeer
	}
	return &lostError{p.lostBy}
}

// opened marks the connection as taken by the socket type (a ROUTER has
// given it a routing id, say): callers may read it from now on.
func (p *pipe) opened(conn net.Conn) {
	p.mu.Lock()
	if p.conn == conn {
		p.open = true
	}
	p.mu.Unlock()
}

// connection returns the current connection, or nil while detached.
func (p *pipe) connection() net.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn
}

// fail ends conn, if it is still the pipe's connection, with err.
func (p *pipe) fail(conn net.Conn, err error) {
	if conn == nil {
		return
	}
	if pe := (*ProtocolError)(nil); errors.As(err, &pe) && p.peer().version >= version3 {
		p.w.refuse(conn, trimPrefix(pe.Error()))
	}
	// The writer first: what is sent from now on waits for the next
	// connection, instead of joining the bytes dropped with this one.
	p.w.detach(conn)
	p.mu.Lock()
	if p.conn != conn {
		p.mu.Unlock()
		return
	}
	p.conn, p.open, p.lostBy = nil, false, err
	p.up.Store(false)
	close(p.down)
	if p.want {
		// A caller waits for the read role: let it see the loss.
		p.want = false
		p.role = roleCaller
		p.handback <- struct{}{}
	}
	p.mu.Unlock()
	conn.Close()
	p.hb.stop()
	p.s.change()
	p.s.emit(Event{Kind: EventDisconnected, Endpoint: p.endpoint, Addr: conn.RemoteAddr(), Err: err})
}

// remove ends the pipe for good.
func (p *pipe) remove(err error) {
	p.mu.Lock()
	p.removed, p.whyGone = true, err
	p.dead.Store(true)
	conn := p.conn
	p.mu.Unlock()
	if conn != nil {
		p.fail(conn, err)
	}
	p.w.mu.Lock()
	peer := p.w.peer
	p.w.peer = nil
	p.w.mu.Unlock()
	if peer != nil {
		peer.unlinkPeer(p)
	}
	if name, ok := strings.CutPrefix(p.endpoint, "inproc://"); ok && p.persistent && p.s.opts.Hub != nil {
		p.s.opts.Hub.forget(name, p)
	}
	p.w.remove()
	p.idle.Stop()
	p.trimmer.Stop()
	p.unwatch()
}

// gone returns why the pipe has ended for good, or nil if it has not.
func (p *pipe) gone() error {
	if !p.dead.Load() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.whyGone
}

// peer returns what the handshake of the current or last connection learnt
// about the peer.
func (p *pipe) peer() peerInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.info
}

// rawConn returns the raw connection for direct non-blocking writes, or nil
// when conn offers none.
func rawConn(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
