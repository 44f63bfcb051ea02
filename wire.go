package xbahn

import (
	"context"
	"errors"
	"fmt"

	"github.com/xbahn-go/xbahn/route"
	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Wire is a named set of connections within a Link, with events of its
// own and meta that goes into every message it sends.
type Wire struct {
	events
	link  *Link
	name  string
	conns Conns
	meta  map[string]any
}

// Name returns the wire's name.
func (w *Wire) Name() string { return w.name }

// Link returns the link the wire belongs to.
func (w *Wire) Link() *Link { return w.link }

// Conns returns the wire's connections.
func (w *Wire) Conns() Conns { return w.conns }

// OnReceive registers h for every message that arrives on this wire.
func (w *Wire) OnReceive(h Handler) (cancel func()) { return w.add(&w.receive, h) }

// OnPath registers h for messages on this wire whose path is path or below
// it.
func (w *Wire) OnPath(path string, h Handler) (cancel func(), err error) {
	return w.addPath(path, h, false)
}

// OnResponse registers h for every response that arrives on this wire.
func (w *Wire) OnResponse(h Handler) (cancel func()) { return w.add(&w.response, h) }

// receivers returns the connections whose messages the wire dispatches:
// the receive connection, and a send connection that gets replies by
// itself (DEALER, PAIR). REQ replies are read by Send.
func (w *Wire) receivers() []*Conn {
	var cs []*Conn
	if c := w.conns.Receive; c != nil && c.url.Type != zmtp.REQ {
		cs = append(cs, c)
	}
	if c := w.conns.Send; c != nil && c != w.conns.Receive && (c.url.Type == zmtp.DEALER || c.url.Type == zmtp.PAIR) {
		cs = append(cs, c)
	}
	return cs
}

func (w *Wire) closeConns() error {
	var errs []error
	seen := map[*Conn]bool{}
	for _, c := range []*Conn{w.conns.Send, w.conns.Receive, w.conns.Respond} {
		if c != nil && !seen[c] {
			seen[c] = true
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// prepare sets what Send sets: the path appended to the message's, the
// wire's meta, and an id.
func (w *Wire) prepare(path string, m *Message) {
	if m.Path != "" || route.Check(path) != nil {
		path = route.Join(m.Path, path)
	}
	m.Path = path
	w.addMeta(m)
	if m.ID == "" {
		m.ID = NewID()
	}
}

// addMeta merges the wire's meta into a copy of the message's, so that a
// meta map shared by many messages is never written.
func (w *Wire) addMeta(m *Message) {
	if len(w.meta) == 0 {
		return
	}
	meta := make(map[string]any, len(m.Meta)+len(w.meta))
	for k, v := range m.Meta {
		meta[k] = v
	}
	for k, v := range w.meta {
		meta[k] = v
	}
	m.Meta = meta
}

// Send sends m to path on the wire's send connection: m's path gets path
// appended, and its meta the wire's. On a REQ connection Send also waits
// for the reply and fires its events before it returns, as the original
// did; on other connections the reply, if any, comes in the background.
func (w *Wire) Send(ctx context.Context, path string, m *Message) error {
	w.prepare(path, m)
	expected := len(m.responseCallbacks()) > 0
	if expected {
		w.link.expect(m, false)
	}
	err := w.send(ctx, m)
	if err != nil && expected {
		w.link.forget(m.ID)
	}
	return err
}

// SendAndWait sends m as Send does and returns its response. The wait
// ends with the context. An error reply is returned as a *RemoteError.
func (w *Wire) SendAndWait(ctx context.Context, path string, m *Message) (*Message, error) {
	w.prepare(path, m)
	p := w.link.expect(m, true)
	c := w.loneConn()
	if c == nil {
		lost, err := w.sendTracked(ctx, m)
		if err != nil {
			w.link.forget(m.ID)
			return nil, err
		}
		return w.await(ctx, m, p, lost)
	}
	n := c.calls.Add(1)
	// A call that may read its own response says so before it sends:
	// whoever reads the response then claims it (see Conn.recvLocked).
	maybe := n == 1 && c.alone.Load() >= loneAfter
	if maybe {
		c.loners.Add(1)
	}
	defer func() {
		if maybe {
			c.loners.Add(-1)
		}
		if c.calls.Add(-1) > 0 {
			// Other calls wait for their responses: the receive
			// loop reads them.
			c.rejoin()
		}
	}()
	if n > 1 {
		c.rejoin()
	}
	lost, err := w.sendTracked(ctx, m)
	if err != nil {
		w.link.forget(m.ID)
		return nil, err
	}
	if n > 1 || c.calls.Load() > 1 {
		c.alone.Store(0)
		return w.await(ctx, m, p, lost)
	}
	if !maybe {
		// Calls overlapped a moment ago and may again: the receive
		// loop goes on, rather than standing aside only to come back.
		c.alone.Add(1)
		return w.await(ctx, m, p, lost)
	}
	// The receive loop stands aside until calls overlap or a message
	// waits that nobody receives. Until it lets go of the reading, it
	// may read the response itself, and claims it then (see
	// Conn.recvLocked): whichever comes first ends the wait for it.
	c.standAside()
	select {
	case c.reading <- struct{}{}:
	case resp := <-p.ch:
		return w.answered(p, resp)
	case <-ctx.Done():
		return w.await(ctx, m, p, lost)
	case <-lost:
		return w.await(ctx, m, p, lost)
	}
	return w.awaitLone(ctx, c, m, p, lost)
}

// unreachable returns the wire's send connection's signal that it gave up
// on its first peer (see zmtp.Socket.Unreachable).
func (w *Wire) unreachable() (<-chan struct{}, error) {
	if c := w.conns.Send; c != nil {
		return c.sock.Unreachable()
	}
	return nil, nil
}

// ErrLost is the error of a SendAndWait whose request went out on a
// connection that then ended: no response can come. errors.Is finds
// zmtp.ErrNoPeer in it, as in the same failure over REQ.
var ErrLost = fmt.Errorf("xbahn: the connection that carried the request was lost: %w", zmtp.ErrNoPeer)

// await waits for the response to m; lost, when not nil, is closed if
// the connection that carried m ends.
func (w *Wire) await(ctx context.Context, m *Message, p *pending, lost <-chan struct{}) (*Message, error) {
	gaveUp, err := w.unreachable()
	if err != nil {
		w.link.forget(m.ID)
		return nil, err
	}
	select {
	case <-gaveUp:
		w.link.forget(m.ID)
		_, err := w.unreachable()
		return nil, err
	case <-lost:
		// A response read just before the loss may be in already.
		select {
		case resp := <-p.ch:
			return w.answered(p, resp)
		default:
		}
		w.link.forget(m.ID)
		return nil, ErrLost
	case resp := <-p.ch:
		return w.answered(p, resp)
	case <-ctx.Done():
		w.link.forget(m.ID)
		return nil, ctx.Err()
	}
}

// answered returns the response that p received.
func (w *Wire) answered(p *pending, resp *Message) (*Message, error) {
	w.link.recycle(p)
	if resp.Error != "" {
		return nil, &RemoteError{Message: resp.Error, Reply: resp}
	}
	return resp, nil
}

// sendTracked sends m as send does and, on a DEALER or PAIR connection,
// returns a channel closed if the connection that took m ends.
func (w *Wire) sendTracked(ctx context.Context, m *Message) (<-chan struct{}, error) {
	c := w.conns.Send
	if c == nil || c.typ != zmtp.DEALER && c.typ != zmtp.PAIR {
		return nil, w.send(ctx, m)
	}
	return c.sendTracked(ctx, m)
}

func (w *Wire) send(ctx context.Context, m *Message) error {
	c := w.conns.Send
	if c == nil {
		return ErrNoConn
	}
	if c.url.Type != zmtp.REQ {
		return c.send(ctx, m, c.sendEncoding(), nil)
	}
	c.reqMu.Lock()
	err := c.send(ctx, m, c.sendEncoding(), nil)
	var reply *Message
	if err == nil {
		reply, err = c.Recv(ctx)
	}
	c.reqMu.Unlock()
	if err != nil {
		return err
	}
	if reply.ResponseID == "" {
		// The reply to a REQ answers its request, even when the peer
		// did not say so, like the original's automatic empty reply.
		reply.ResponseID = m.ID
	}
	_, err = w.link.dispatch(w, reply)
	return err
}

// Return is the way back to the peer a received message came from. Over a
// ROUTER connection, messages sent through it reach that one peer; over
// other connections, the connection's peers in turn.
type Return struct {
	conn  *Conn
	route [][]byte
	enc   wire.Encoding
	peer  *zmtp.Peer
}

// Return returns the way back to the peer m came from; its zero value, for
// a message made locally, sends nowhere.
func (m *Message) Return() Return {
	return Return{conn: m.from.conn, route: m.from.route, enc: m.from.enc, peer: m.from.peer}
}

// XbahnPeer reports whether the peer r leads to is an xbahn program (see
// XbahnPeer).
func (r Return) XbahnPeer() bool { return XbahnPeer(r.peer) }

// Valid reports whether r leads anywhere.
func (r Return) Valid() bool { return r.conn != nil }

// SendAndWaitVia sends m to path as SendAndWait does, but through r, back to
// the peer of a message received earlier, and returns the response. This
// is how a server calls a client that reached it over a ROUTER connection.
func (w *Wire) SendAndWaitVia(ctx context.Context, r Return, path string, m *Message) (*Message, error) {
	if r.conn == nil || r.conn.url.Type == zmtp.REQ || r.conn.url.Type == zmtp.REP {
		return nil, ErrNoConn
	}
	w.prepare(path, m)
	p := w.link.expect(m, true)
	if err := r.conn.send(ctx, m, r.enc, r.route); err != nil {
		w.link.forget(m.ID)
		return nil, err
	}
	return w.await(ctx, m, p, nil)
}

// Respond answers req, a message received on this link, with m: m's
// response id becomes req's id and its path "xbahn.response.<id>". It
// goes out on the wire's respond connection, or, without one, back on
// the connection req came from, in req's encoding. A request is answered
// once.
func (w *Wire) Respond(req, m *Message) error {
	d := &req.from
	if d.conn == nil {
		return ErrNotReceived
	}
	c := w.conns.Respond
	if c == nil {
		c = d.conn
	}
	if !m.answer(req) {
		return ErrAlreadyResponded
	}
	w.addMeta(m)
	if m.ID == "" {
		m.ID = NewID()
	}
	var dest [][]byte
	if c == d.conn {
		dest = d.route
	}
	return c.send(c.ctx, m, d.enc, dest)
}
