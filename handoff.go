package xbahn

import "sync/atomic"

// The states of a receive goroutine's dispatch.
const (
	idle        int32 = iota // between messages
	dispatching              // running handlers
	armed                    // a handler called Handoff
	handedOff                // another goroutine receives now
)

// receiver is one goroutine of a connection's receive loop.
type receiver struct {
	c     *Conn
	state atomic.Int32
}

// A handler that called Message.Handoff keeps its receive goroutine; the
// connection goes on receiving on another one when a message comes that
// nobody receives (zmtp.Options.Waiting) while that handler runs. So a
// handler that returns before the next message costs no goroutine switch,
// which takes tens of microseconds of wake-ups on a small machine.

// arm lets the dispatch in progress hand the receiving off; it reports
// false when Handoff was called already. Messages waiting already make
// it hand off at once.
func (r *receiver) arm() bool {
	if !r.state.CompareAndSwap(dispatching, armed) {
		return false
	}
	c := r.c
	c.rxMu.Lock()
	c.armed = append(c.armed, r)
	c.rxMu.Unlock()
	if c.sock.Queued() > 0 {
		c.unattended()
	}
	return true
}

// done ends a dispatch and reports whether the receiving was handed off.
func (r *receiver) done() bool {
	switch r.state.Swap(idle) {
	case armed:
		r.c.disarm(r)
	case handedOff:
		return true
	}
	return false
}

// disarm takes r from the receivers whose receiving may be handed off.
func (c *Conn) disarm(r *receiver) {
	c.rxMu.Lock()
	defer c.rxMu.Unlock()
	for i, x := range c.armed {
		if x == r {
			last := len(c.armed) - 1
			c.armed[i], c.armed[last] = c.armed[last], nil
			c.armed = c.armed[:last]
			return
		}
	}
}

// unattended is zmtp.Options.Waiting: a message waits and nobody
// receives. If a handler that runs may hand its receiving off, it does.
func (c *Conn) unattended() {
	c.rxMu.Lock()
	var r *receiver
	for i := len(c.armed) - 1; i >= 0; i-- {
		if x := c.armed[i]; x.state.CompareAndSwap(armed, handedOff) {
			r = x
			break
		}
	}
	c.rxMu.Unlock()
	if r != nil {
		c.disarm(r)
		c.handoff()
		return
	}
	c.rejoin()
}

// maxSpares bounds the receive goroutines that stand by for a handoff.
const maxSpares = 4

// handoff has another goroutine go on receiving: one that stands by, or
// else a new one, unless the connection is closing.
func (c *Conn) handoff() {
	select {
	case c.resume <- struct{}{}:
		return
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.wg.Add(1)
		go c.run()
	}
}

// standBy is where a receive goroutine that handed the reading off goes
// once its handler returns: it waits to take the reading over at a later
// handoff, and reports whether it does. Goroutines that stand by keep
// their grown stacks, so that a handoff costs a wake-up, not a new
// goroutine.
func (c *Conn) standBy() bool {
	if c.spares.Add(1) > maxSpares {
		c.spares.Add(-1)
		return false
	}
	defer c.spares.Add(-1)
	select {
	case <-c.resume:
		return true
	case <-c.ctx.Done():
		return false
	}
}
