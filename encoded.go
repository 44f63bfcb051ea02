package xbahn

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xbahn-go/xbahn/wire"
)

// Messages whose data and arguments stay encoded until a handler decodes
// them: a handler registered with Link.OnPathEncoded decodes them itself,
// straight into Go types (see wire.Type), so that no []any or
// map[string]any is built for it on the way. Every other handler of such
// a message finds it decoded as usual: the first one to run decodes it.

// encodedPaths are the paths whose messages a connection receives with
// their body kept encoded, each once for every handler that asked.
type encodedPaths struct {
	mu    sync.Mutex
	paths []string // copied on write, and read through list
	list  atomic.Pointer[[]string]

	// Some request was sent with KeepResponseEncoded: responses may be
	// awaited with their body encoded.
	responses atomic.Bool
}

// OnPathEncoded is OnPath for a handler that decodes the data, args and
// kwargs of its messages itself: the messages to path and below it
// arrive with those left encoded, in m.Encoded, and with m.Data, m.Args
// and m.Kwargs empty until m.Expand, which every other handler of theirs
// runs first.
func (l *Link) OnPathEncoded(path string, h Handler) (cancel func(), err error) {
	stop, err := l.events.addPath(path, h, true)
	if err != nil {
		return nil, err
	}
	l.encoded.add(path)
	return func() {
		stop()
		l.encoded.remove(path)
	}, nil
}

func (e *encodedPaths) add(path string) {
	e.mu.Lock()
	e.paths = append(e.paths[:len(e.paths):len(e.paths)], path)
	paths := e.paths
	e.list.Store(&paths)
	e.mu.Unlock()
}

func (e *encodedPaths) remove(path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, p := range e.paths {
		if p == path {
			e.paths = append(e.paths[:i:i], e.paths[i+1:]...)
			paths := e.paths
			e.list.Store(&paths)
			return
		}
	}
}

// keeps reports whether messages to path keep their body encoded.
func (e *encodedPaths) keeps(path string) bool {
	l := e.list.Load()
	if l == nil {
		return false
	}
	for _, p := range *l {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '.') {
			return true
		}
	}
	return false
}

// any reports whether some messages may keep their bodies encoded.
func (e *encodedPaths) any() bool {
	if e.responses.Load() {
		return true
	}
	l := e.list.Load()
	return l != nil && len(*l) > 0
}

// KeepResponseEncoded makes the response to m, when one arrives for a
// SendAndWait of m, keep its data, args and kwargs encoded, in
// resp.Encoded, for a caller that decodes them itself (as package rpc's
// CallAs does); resp.Expand decodes them as usual. It must be called
// before m is sent.
func (m *Message) KeepResponseEncoded() { m.keepResponse = true }

// awaitsEncoded reports whether the request of that id waits for its
// response with the body kept encoded.
func (l *Link) awaitsEncoded(id string) bool {
	if !l.encoded.responses.Load() {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pending[id]
	return p != nil && p.req != nil && p.req.keepResponse
}

// Encoded returns the data, args and kwargs of m as they arrived, still
// encoded, if m came to a path of Link.OnPathEncoded, and nil otherwise.
// They stay available after Expand.
func (m *Message) Encoded() *wire.Body { return m.body }

// Expand decodes the data, args and kwargs that m.Encoded holds into
// m.Data, m.Args and m.Kwargs, once; it does nothing for a message whose
// body is not kept encoded. It is safe to call from several goroutines.
func (m *Message) Expand() error {
	if m.body == nil {
		return nil
	}
	m.expand.Do(func() {
		m.expandErr = m.body.Fill(&m.Message, m.from.conn.limits)
	})
	return m.expandErr
}

// keepsEncoded reports whether the receivers of c want the body of m, a
// message whose head is decoded, kept encoded.
func (c *Conn) keepsEncoded(m *Message) bool {
	for _, w := range c.receivers() {
		if w.link.encoded.keeps(m.Path) || m.ResponseID != "" && w.link.awaitsEncoded(m.ResponseID) {
			return true
		}
	}
	return false
}

// anyEncoded reports whether a receiver of c keeps the body of some
// messages encoded.
func (c *Conn) anyEncoded() bool {
	for _, w := range c.receivers() {
		if w.link.encoded.any() {
			return true
		}
	}
	return false
}
