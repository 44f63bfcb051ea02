package zmtp

import (
	"net"
	"sync"
	"time"
)

// Heartbeat configures ZMTP 3.1 heartbeats, as libzmq's ZMQ_HEARTBEAT_IVL,
// _TIMEOUT and _TTL options do. The zero value sends none; PINGs from the
// peer are answered either way.
type Heartbeat struct {
	// Interval between PINGs sent to the peer; 0 sends none.
	Interval time.Duration
	// Timeout after a PING with no traffic from the peer before the
	// connection is closed; 0 means Interval.
	Timeout time.Duration
	// TTL asks the peer to close the connection when it hears nothing
	// from this side for that long; sent in tenths of a second.
	TTL time.Duration
}

// heartbeat watches one connection: it sends PINGs and closes the
// connection when the peer goes quiet for longer than allowed.
type heartbeat struct {
	mu         sync.Mutex
	conn       net.Conn
	t          *time.Timer
	count      uint64    // frames read at the last tick
	lastActive time.Time // when the count last moved
	lastPing   time.Time // when the last PING was sent
	unanswered time.Time // the first PING sent since the peer was last heard
	ttl        time.Duration
}

// start begins watching conn if heartbeats are configured.
func (h *heartbeat) start(p *pipe, conn net.Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conn = conn
	h.ttl = 0
	h.count = p.rcount.Load()
	h.lastActive, h.lastPing, h.unanswered = time.Now(), time.Time{}, time.Time{}
	if p.s.opts.Heartbeat.Interval > 0 && p.info.version >= version3 {
		// ZMTP 1.0 and 2.0 have no PING.
		h.arm(p, conn, 0)
	}
}

// peerTTL records the TTL of a PING from the peer: if nothing arrives for
// that long, the connection is closed.
func (h *heartbeat) peerTTL(p *pipe, conn net.Conn, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != conn {
		return
	}
	h.ttl = ttl
	if h.t == nil {
		h.arm(p, conn, ttl)
	}
}

// arm schedules the next tick; mu is held.
func (h *heartbeat) arm(p *pipe, conn net.Conn, d time.Duration) {
	if d <= 0 {
		d = h.period(p)
	}
	if h.t == nil {
		h.t = time.AfterFunc(d, func() { h.tick(p, conn) })
		return
	}
	h.t.Reset(d)
}

// period is the time between ticks: short enough to act on every limit.
func (h *heartbeat) period(p *pipe) time.Duration {
	hb := p.s.opts.Heartbeat
	d := time.Duration(0)
	for _, v := range [...]time.Duration{hb.Interval, hb.Timeout, h.ttl / 2} {
		if v > 0 && (d == 0 || v < d) {
			d = v
		}
	}
	return max(d, 10*time.Millisecond)
}

// tick sends a PING when due and ends a connection that went quiet.
func (h *heartbeat) tick(p *pipe, conn net.Conn) {
	h.mu.Lock()
	if h.conn != conn || h.t == nil {
		h.mu.Unlock()
		return
	}
	hb := p.s.opts.Heartbeat
	now := time.Now()
	if c := p.rcount.Load(); c != h.count {
		h.count, h.lastActive = c, now
		h.unanswered = time.Time{}
	}
	timeout := hb.Timeout
	if timeout <= 0 {
		timeout = hb.Interval
	}
	dead := h.ttl > 0 && now.Sub(h.lastActive) >= h.ttl ||
		!h.unanswered.IsZero() && now.Sub(h.unanswered) >= timeout
	if dead {
		h.t = nil
		h.mu.Unlock()
		p.fail(conn, protoErr("heartbeat", errHeartbeat))
		return
	}
	ping := hb.Interval > 0 && now.Sub(h.lastPing) >= hb.Interval
	if ping {
		h.lastPing = now
		if h.unanswered.IsZero() {
			h.unanswered = now
		}
	}
	h.arm(p, conn, 0)
	h.mu.Unlock()
	if ping {
		p.w.control(conn, AppendPing(nil, hb.TTL, nil), false)
	}
}

// stop ends the watch of the current connection.
func (h *heartbeat) stop() {
	h.mu.Lock()
	if h.t != nil {
		h.t.Stop()
		h.t = nil
	}
	h.conn = nil
	h.mu.Unlock()
}

type heartbeatError struct{}

func (heartbeatError) Error() string { return "zmtp: peer went quiet past the heartbeat timeout" }
func (heartbeatError) Timeout() bool { return true }

var errHeartbeat error = heartbeatError{}
