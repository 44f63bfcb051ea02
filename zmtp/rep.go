package zmtp

import (
	"context"
	"sync"
)

// rep is the REP socket type: it receives requests from its peers in turn
// and sends each reply back to the peer that asked, with the request's
// envelope.
type rep struct {
	base
	s *Socket

	mu        sync.Mutex
	receiving bool  // a Recv is under way
	pending   bool  // a request was received and awaits its reply
	p         *pipe // where the reply goes
	env       Msg   // the request's envelope, up to its empty delimiter
}

func newRep(s *Socket) *rep { return &rep{s: s} }

func (r *rep) recv(ctx context.Context, m *Msg) error {
	r.mu.Lock()
	switch {
	case r.pending:
		r.mu.Unlock()
		return errRepRecvTwice
	case r.receiving:
		r.mu.Unlock()
		return errLockstepBusy
	}
	r.receiving = true
	r.mu.Unlock()
	for {
		p, err := r.s.recvMsg(ctx, m, nil)
		if err != nil {
			r.mu.Lock()
			r.receiving = false
			r.mu.Unlock()
			return err
		}
		// The envelope is every frame up to and including the first
		// empty one. A request without one is dropped.
		k := -1
		for i, f := range m.Frames {
			if len(f) == 0 {
				k = i
				break
			}
		}
		if k < 0 {
			continue
		}
		r.mu.Lock()
		r.setEnvelope(m.Frames[:k+1])
		r.receiving, r.pending, r.p = false, true, p
		r.mu.Unlock()
		m.trim(k + 1)
		return nil
	}
}

// setEnvelope copies env into storage the socket reuses; mu is held.
func (r *rep) setEnvelope(env [][]byte) {
	r.env.reset()
	r.env.fill(nil, env, false)
}

func (r *rep) send(ctx context.Context, frames [][]byte, owned bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.pending {
		return errRepSendFirst
	}
	r.pending = false
	err := r.p.w.send(ctx, r.env.Frames, frames, true, owned)
	r.p = nil
	if err == errDetached {
		// The peer left; like libzmq, drop the reply.
		return nil
	}
	return err
}
