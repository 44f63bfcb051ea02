package xbahn

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// attach makes w receive the connection's messages, and starts the
// goroutine that reads them.
func (c *Conn) attach(w *Wire) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sinks = append(c.sinks[:len(c.sinks):len(c.sinks)], w)
	if !c.loop && !c.closed {
		c.loop = true
		c.wg.Add(1)
		go c.run()
	}
}

// detach stops w from receiving the connection's messages.
func (c *Conn) detach(w *Wire) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.sinks {
		if x == w {
			c.sinks = append(c.sinks[:i:i], c.sinks[i+1:]...)
			break
		}
	}
}

func (c *Conn) receivers() []*Wire {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sinks
}

// run reads messages and fires their events until the connection closes.
// On REP it answers every request: with the error of a failed handler,
// or, when no handler responded, with an empty message.
func (c *Conn) run() {
	defer c.wg.Done()
	rx := &receiver{c: c}
	rep := c.url.Type == zmtp.REP
	for {
		rctx, resumed := c.runState()
		if rctx.Err() != nil {
			// Lone callers read: stand aside until resumed.
			select {
			case <-resumed:
				continue
			case <-c.ctx.Done():
				return
			}
		}
		m, err := c.recv(rctx)
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			if rctx.Err() != nil {
				continue
			}
			var de *wire.DecodeError
			if errors.As(err, &de) || errors.Is(err, wire.ErrUnknownEncoding) || errors.Is(err, errFrames) {
				if rep && m != nil {
					// It has no id to answer: a bare error reply.
					e := &Message{Message: wire.Message{ID: NewID(), Error: "xbahn: request does not decode: " + strings.TrimPrefix(err.Error(), "xbahn: ")}}
					c.send(c.ctx, e, c.replyEncoding(m.from.peer, wire.Unknown), m.from.route)
				}
				continue
			}
			return
		}
		var (
			herr    error
			handled bool
		)
		c.handling.Add(1)
		m.from.rx = rx
		rx.state.Store(dispatching)
		for _, w := range c.receivers() {
			took, err := w.link.dispatch(w, m)
			handled = handled || took
			if herr = err; herr != nil {
				break
			}
		}
		c.handling.Add(-1)
		if rx.done() && !c.standBy() {
			return
		}
		if m.from.responded.Load() || m.from.deferred.Load() {
			continue
		}
		switch {
		case herr != nil && c.typ == zmtp.ROUTER:
			c.reply(m, &Message{Message: wire.Message{Error: herr.Error()}})
		case rep && !handled:
			c.reply(m, &Message{Message: wire.Message{Error: noHandlerText + strconv.Quote(m.Path)}})
		case rep:
			c.reply(m, &Message{})
		}
	}
}

// reply answers req on the connection it came from.
func (c *Conn) reply(req *Message, m *Message) {
	m.ID = NewID()
	if m.answer(req) {
		c.send(c.ctx, m, req.from.enc, req.from.route)
	}
}
