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
	next atomic.Uint32
}

// sendHook lets a socket type prepare a pipe for a message.
type sendHook interface {
	beforeSend(ctx context.Context, p *pipe)
}

// send queues a message on the next pipe and returns that pipe and the
// connection generation the message will travel on. It waits while every
// pipe is full or there is no pipe at all. When hook is set, it sees the
// chosen pipe before any byte of the message is written.
func (l *lb) send(ctx context.Context, head, body [][]byte, owned bool, hook sendHook) (*pipe, uint64, error) {
	s := l.s
	var changed <-chan struct{}
	for {
		if s.ctx.Err() != nil {
			return nil, 0, ErrClosed
		}
		pipes := s.pipeList()
		n := len(pipes)
		start := int(l.next.Load())
		var fallback *pipe
		for pass := 0; pass < 2; pass++ {
			for i := 0; i < n; i++ {
				p := pipes[(start+i)%n]
				if p.up.Load() != (pass == 0) {
					continue
				}
				if hook != nil {
					hook.beforeSend(ctx, p)
				}
				gen, err := p.w.sendGen(ctx, head, body, false, owned)
				if err == nil {
					l.next.Store(uint32(start + i + 1))
					return p, gen, nil
				}
				if err == ErrAgain && fallback == nil {
					fallback = p
				}
			}
		}
		if fallback != nil {
			// Every pipe is full: wait for room in one of them.
			if hook != nil {
				hook.beforeSend(ctx, fallback)
			}
			gen, err := fallback.w.sendGen(ctx, head, body, true, owned)
			if err == errDetached {
				continue
			}
			return fallback, gen, err
		}
		if changed == nil {
			// Take the change signal, then look once more, so that a
			// pipe that came meanwhile is not missed.
			changed = s.changes()
			continue
		}
		if err := s.refusal(); err != nil {
			return nil, 0, err
		}
		select {
		case <-changed:
			changed = nil
		case <-ctx.Done():
			return nil, 0, s.waitErr(ctx.Err())
		case <-s.ctx.Done():
		}
	}
}
