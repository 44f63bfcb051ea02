package zmtp

import (
	"context"
	"slices"
)

// deliver moves a message that p's pump read into p's inbox, if the socket
// type keeps it. It reports whether the inbox is now full, which stops the
// pump until a receive makes room.
func (s *Socket) deliver(p *pipe, m *Msg) (full bool) {
	s.mu.Lock()
	if !s.pat.filter(p, m) {
		s.mu.Unlock()
		m.reset()
		return false
	}
	s.queueLocked(p, m)
	if s.direct != nil && s.direct != p {
		// A caller is blocked reading another pipe while a message
		// waits here: have it look again.
		s.direct.interrupt()
	}
	full = p.inbox.len() >= s.opts.RecvHWM
	waiting := s.unattendedLocked()
	s.mu.Unlock()
	if waiting {
		s.opts.Waiting()
	}
	return full
}

// unattendedLocked reports whether Options.Waiting is to be called for a
// message just queued: nobody receives from the socket.
func (s *Socket) unattendedLocked() bool {
	return s.opts.Waiting != nil && s.waiters == 0 && s.direct == nil
}

// takeLocked moves the next queued message into m: from only's inbox when
// only is set, otherwise from the pipes in turn, one message each (fair
// queueing). It returns the pipe the message came from, or nil.
func (s *Socket) takeLocked(m *Msg, only *pipe) *pipe {
	for only == nil && len(s.ready) > 0 {
		p := s.ready[0]
		s.ready = slices.Delete(s.ready, 0, 1)
		if s.popLocked(p, m) {
			if p.inbox.len() > 0 {
				s.ready = append(s.ready, p)
			} else {
				p.ready = false
			}
			return p
		}
		p.ready = false
	}
	if only != nil && s.popLocked(only, m) {
		return only
	}
	return nil
}

// popLocked moves the front of p's inbox into m.
func (s *Socket) popLocked(p *pipe, m *Msg) bool {
	if !p.inbox.pop(m) {
		return false
	}
	s.queued.Add(-1)
	n := p.inbox.len()
	p.inboxLen.Store(int32(n))
	if n == 0 && p.inbox.large() {
		p.keptLarge()
	}
	// Writers into a full inbox resume once it is half empty, so that
	// they wake once per many messages, not once per message.
	if n <= s.opts.RecvHWM/2 && p.stalled.Load() {
		p.wake()
	}
	if p.room != nil && n <= p.roomAt {
		close(p.room)
		p.room = nil
	}
	if s.waiters > 0 && len(s.ready) > 0 {
		// Pass the wake-up on: more messages wait.
		s.signalLocked()
	}
	return true
}

// recvMsg receives the next message into m, from only when it is set, and
// returns the pipe it came from.
//
// When a single pipe can supply the message, the caller reads that pipe's
// connection itself: no other goroutine touches the message. Otherwise it
// waits while the pipes' pumps fill their inboxes.
func (s *Socket) recvMsg(ctx context.Context, m *Msg, only *pipe) (*pipe, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		if p := s.takeLocked(m, only); p != nil {
			s.mu.Unlock()
			m.Peer = p.peerDesc.Load()
			return p, nil
		}
		if err := ctx.Err(); err != nil {
			// Nothing is queued and the caller will not wait: do not
			// take the connection from a pump that may be reading.
			s.mu.Unlock()
			return nil, err
		}
		if isClosed(m.until) {
			s.mu.Unlock()
			return nil, ErrNoPeer
		}
		direct := only
		if direct == nil && len(s.pipes) == 1 {
			direct = s.pipes[0]
		}
		if direct != nil && s.direct == nil && s.pat.direct() && !direct.memory.Load() {
			s.direct = direct
			s.mu.Unlock()
			err := direct.recvDirect(ctx, m)
			s.mu.Lock()
			s.direct = nil
			keep := err == nil && s.pat.filter(direct, m)
			s.mu.Unlock()
			if err == nil {
				if keep {
					m.Peer = direct.peerDesc.Load()
					return direct, nil
				}
				continue
			}
			switch err.(type) {
			case *lostError:
				if only != nil || m.until != nil {
					return nil, err
				}
				continue
			}
			switch err {
			case errInterrupted:
				continue
			case errDetached:
				if only != nil {
					// Whether to wait for a new connection is the
					// caller's decision.
					return nil, err
				}
			case errBusy:
			default:
				return nil, err
			}
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				return nil, ErrClosed
			}
		}
		if only != nil {
			if err := only.gone(); err != nil {
				s.mu.Unlock()
				return nil, err
			}
		}
		if s.refused != nil && len(s.pipes) == 0 {
			err := s.refused
			s.mu.Unlock()
			return nil, err
		}
		// A message may have come while the mutex was free for a
		// direct read: look once more, now that a delivery from here
		// on will see the waiter.
		if p := s.takeLocked(m, only); p != nil {
			s.mu.Unlock()
			m.Peer = p.peerDesc.Load()
			return p, nil
		}
		// Wait for a message, a new or reconnected pipe, or the end.
		s.waiters++
		for _, p := range s.pipes {
			if only == nil || p == only {
				p.wake()
			}
		}
		changed := s.changed
		s.mu.Unlock()
		lost, err := s.Unreachable()
		if err != nil {
			s.mu.Lock()
			s.waiters--
			s.mu.Unlock()
			return nil, err
		}
		select {
		case <-s.notify:
		case <-changed:
			if m.until != nil {
				err = ErrNoPeer
			}
		case <-lost:
			err = s.unreachableErr()
		case <-m.until:
			err = ErrNoPeer
		case <-ctx.Done():
			err = s.waitErr(ctx.Err())
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		s.waiters--
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// purge drops the messages queued in p's inbox.
func (s *Socket) purge(p *pipe) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(p)
}

// purgeLocked drops the messages queued in p's inbox and wakes whoever
// waits for room in it; s.mu is held.
func (s *Socket) purgeLocked(p *pipe) {
	s.queued.Add(-int32(p.inbox.len()))
	p.inbox.clear()
	p.inboxLen.Store(0)
	if p.stalled.Load() {
		p.wake()
	}
	if p.room != nil {
		close(p.room)
		p.room = nil
	}
}

// inject queues a message made by the socket itself, such as an XPUB
// subscription report, in p's inbox.
func (s *Socket) inject(p *pipe, frame []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.inbox.back().fill(nil, [][]byte{frame}, false)
	p.inbox.commit()
	s.queuedLocked(p)
}

// queueLocked moves m to the back of p's inbox and wakes a receiver.
func (s *Socket) queueLocked(p *pipe, m *Msg) {
	p.inbox.push(m)
	s.queuedLocked(p)
}

// queuedLocked counts a message just added to p's inbox and wakes a
// receiver.
func (s *Socket) queuedLocked(p *pipe) {
	s.queued.Add(1)
	p.inboxLen.Store(int32(p.inbox.len()))
	if !p.ready {
		p.ready = true
		s.ready = append(s.ready, p)
	}
	s.signalLocked()
}

// Queued returns the number of messages received and waiting for Recv.
func (s *Socket) Queued() int { return int(s.queued.Load()) }

// isClosed reports whether ch, which may be nil, is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
