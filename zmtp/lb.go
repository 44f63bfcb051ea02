package zmtp

import (
	"context"
	"sync/atomic"
)

// lb spreads outgoing messages over a socket's pipes in turn (load
// balancing), skipping pipes whose queue is full. Pipes with a live
// connection come first: a pipe waiting to reconnect gets messages only
// when no connection is up.
type lb struct {
	s    *Socket
	next int
}

// send queues a message on the next pipe and returns that pipe and the
// connection generation the message will travel on. It waits while every
// pipe is full or there is no pipe at all. When mark is set, it holds the
// chosen pipe before any byte of the message is written, so that a reply
// is recognised however fast it comes.
func (l *lb) send(ctx context.Context, head, body [][]byte, owned bool, mark *atomic.Pointer[pipe]) (*pipe, uint64, error) {
	s := l.s
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, 0, ErrClosed
		}
		n := len(s.pipes)
		var fallback *pipe
		for pass := 0; pass < 2; pass++ {
			for i := 0; i < n; i++ {
				p := s.pipes[(l.next+i)%n]
				if pass == 0 && !p.w.connected() {
					continue
				}
				s.mu.Unlock()
				if mark != nil {
					mark.Store(p)
				}
				gen, err := p.w.sendGen(ctx, head, body, false, owned)
				if err == nil {
					s.mu.Lock()
					l.next = (l.next + i + 1) % max(len(s.pipes), 1)
					s.mu.Unlock()
					return p, gen, nil
				}
				s.mu.Lock()
				if err == ErrAgain && fallback == nil {
					fallback = p
				}
				if len(s.pipes) != n {
					break
				}
			}
		}
		if fallback != nil {
			s.mu.Unlock()
			// Every pipe is full: wait for room in one of them.
			if mark != nil {
				mark.Store(fallback)
			}
			gen, err := fallback.w.sendGen(ctx, head, body, true, owned)
			if err == errDetached {
				continue
			}
			return fallback, gen, err
		}
		if s.refused != nil && len(s.pipes) == 0 {
			err := s.refused
			s.mu.Unlock()
			return nil, 0, err
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-s.ctx.Done():
		}
	}
}
