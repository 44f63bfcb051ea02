package xbahn

import (
	"context"
	"errors"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// A SendAndWait whose response comes back on the connection its request
// went out on, with no other SendAndWait of that connection under way,
// reads the response itself, as a REQ does, rather than waiting for the
// receive loop to read it and hand it over: a handover costs a goroutine
// wake-up, which on a small machine takes tens of microseconds. Once a
// few lone calls followed each other (loneAfter), and for as long as they
// do, the receive loop stands aside; it receives again when calls
// overlap, and when a message waits that nobody receives, such as a
// request of the peer.
//
// What a lone caller reads that is not its response, it dispatches as the
// receive loop would, on its own goroutine.

// loneAfter is how many calls in a row must have had the connection to
// themselves before the next one reads its own response: where callers
// overlap now and then, the receive loop would otherwise stand aside and
// come back for nearly every call.
const loneAfter = 4

// runState returns the context of the receive loop's receives and the
// channel closed when the loop may receive again once that context is
// cancelled: the loop stands aside while the context is cancelled and
// the connection is open.
func (c *Conn) runState() (context.Context, <-chan struct{}) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	c.initRunLocked()
	return c.runCtx, c.resumed
}

// initRunLocked makes the first run state; c.runMu is held.
func (c *Conn) initRunLocked() {
	if c.runCtx == nil {
		c.runCtx, c.runStop = context.WithCancel(c.ctx)
		c.resumed = make(chan struct{})
	}
}

// standAside makes the receive loop stop receiving, until rejoin.
func (c *Conn) standAside() {
	c.runMu.Lock()
	c.initRunLocked()
	c.runStop() // a no-op if it stands aside already
	c.runMu.Unlock()
}

// rejoin makes the receive loop receive again, if it stands aside.
func (c *Conn) rejoin() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.runCtx == nil || c.runCtx.Err() == nil || c.ctx.Err() != nil {
		return
	}
	close(c.resumed)
	c.runCtx, c.runStop = context.WithCancel(c.ctx)
	c.resumed = make(chan struct{})
}

// loneConn returns the connection a SendAndWait on w may read its
// response from itself (see above), or nil: w sends and receives on the
// same DEALER or PAIR connection, whose receive loop runs.
func (w *Wire) loneConn() *Conn {
	c := w.conns.Send
	if c == nil || c != w.conns.Receive || c.typ != zmtp.DEALER && c.typ != zmtp.PAIR {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loop || c.closed {
		return nil
	}
	return c
}

// awaitLone waits for the response to m, the only SendAndWait of c under
// way, by reading c itself; lost is closed if the connection that carried
// m ends. It is called holding c.reading, and releases it.
//
// A response that another goroutine received is claimed while that one
// still holds c.reading (see Conn.recvLocked), so that holding it, the
// caller knows whether its response is on its way or still to be read.
//
// The handlers of what it reads run without c.reading, so that one may
// call through c: the receive loop then reads, and once it does, the wait
// goes on as await's.
func (w *Wire) awaitLone(ctx context.Context, c *Conn, m *Message, p *pending, lost <-chan struct{}) (*Message, error) {
	for {
		if p.claimed.Load() {
			// Another goroutine received the response before this
			// one took the reading, and delivers it.
			<-c.reading
			return w.await(ctx, m, p, lost)
		}
		got, err := c.recvLocked(ctx, lost)
		if errors.Is(err, zmtp.ErrNoPeer) && !isClosed(lost) && ctx.Err() == nil {
			// A connection came or went that did not carry m.
			continue
		}
		if err == nil {
			<-c.reading
			c.dispatchAll(got)
			select {
			case c.reading <- struct{}{}:
			default:
				return w.await(ctx, m, p, lost)
			}
			continue
		}
		var de *wire.DecodeError
		if errors.As(err, &de) || errors.Is(err, wire.ErrUnknownEncoding) || errors.Is(err, errFrames) {
			continue // dropped, as the receive loop drops it
		}
		<-c.reading
		select {
		case resp := <-p.ch:
			return w.answered(p, resp)
		default:
		}
		w.link.forget(m.ID)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, zmtp.ErrNoPeer) && isClosed(lost):
			return nil, ErrLost
		}
		return nil, err
	}
}

// dispatchAll fires the events of m, read by a lone caller, on every wire
// that receives from c.
func (c *Conn) dispatchAll(m *Message) {
	c.handling.Add(1)
	defer c.handling.Add(-1)
	for _, w := range c.receivers() {
		if _, err := w.link.dispatch(w, m); err != nil {
			return
		}
	}
}

// isClosed reports whether ch, which may be nil, is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
