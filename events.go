package xbahn

import (
	"sync"
	"sync/atomic"

	"github.com/xbahn-go/xbahn/route"
)

// Handler handles a message that arrived on wire w. An error, like a panic,
// stops the dispatch of the message, and on a REP connection becomes the
// error reply.
type Handler func(m *Message, w *Wire) error

// entry holds one registered handler, so that it can be removed again.
// An encoded handler decodes the body of its messages itself (see
// Link.OnPathEncoded); for the others, run decodes it first.
type entry struct {
	h       Handler
	encoded bool
}

type entries []*entry

// events holds the handlers of a link or a wire. Dispatch reads them
// without locks; registration copies.
type events struct {
	mu       sync.Mutex
	receive  atomic.Pointer[entries]
	response atomic.Pointer[entries]
	paths    route.Tree[entries]
}

func (e *events) add(list *atomic.Pointer[entries], h Handler) (cancel func()) {
	en := &entry{h: h}
	e.mu.Lock()
	old := list.Load()
	var next entries
	if old != nil {
		next = append(next, *old...)
	}
	next = append(next, en)
	list.Store(&next)
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if old := list.Load(); old != nil {
			next := without(*old, en)
			list.Store(&next)
		}
	}
}

func (e *events) addPath(path string, h Handler, encoded bool) (cancel func(), err error) {
	en := &entry{h: h, encoded: encoded}
	err = e.paths.Update(path, func(old entries, _ bool) (entries, bool) {
		return append(old[:len(old):len(old)], en), true
	})
	if err != nil {
		return nil, err
	}
	return func() {
		e.paths.Update(path, func(old entries, _ bool) (entries, bool) {
			next := without(old, en)
			return next, len(next) > 0
		})
	}, nil
}

// without returns a copy of list without en.
func without(list entries, en *entry) entries {
	next := make(entries, 0, len(list))
	for _, x := range list {
		if x != en {
			next = append(next, x)
		}
	}
	return next
}

// fire runs the receive handlers, then the path handlers of every prefix
// of the message's path, shortest first, then for a response the response
// handlers. It reports whether any handler ran.
func (e *events) fire(m *Message, w *Wire) (ran bool, err error) {
	if list := e.receive.Load(); list != nil {
		if ran, err = run(*list, m, w, ran); err != nil {
			return ran, err
		}
	}
	var buf [8]entries
	for _, list := range e.paths.Match(m.Path, buf[:0]) {
		if ran, err = run(list, m, w, ran); err != nil {
			return ran, err
		}
	}
	if m.ResponseID != "" {
		if list := e.response.Load(); list != nil {
			if ran, err = run(*list, m, w, ran); err != nil {
				return ran, err
			}
		}
	}
	return ran, nil
}

// run runs the handlers of list; ran becomes true if there are any.
func run(list entries, m *Message, w *Wire, ran bool) (bool, error) {
	for _, en := range list {
		ran = true
		if !en.encoded {
			if err := m.Expand(); err != nil {
				return ran, err
			}
		}
		if err := en.h(m, w); err != nil {
			return ran, err
		}
	}
	return ran, nil
}
