package zmtp

import "context"

// dealer is the DEALER, PUSH and PULL socket types: messages go out to the
// peers in turn (load balancing) and come in from them in turn (fair
// queueing). PUSH only sends and PULL only receives.
type dealer struct {
	base
	s                *Socket
	lb               lb
	canSend, canRecv bool
}

func (d *dealer) send(ctx context.Context, frames [][]byte, owned bool) error {
	if !d.canSend {
		return ErrNotSupported
	}
	_, _, err := d.lb.send(ctx, nil, frames, owned, nil)
	return err
}

func (d *dealer) recv(ctx context.Context, m *Msg) error {
	if !d.canRecv {
		return ErrNotSupported
	}
	_, err := d.s.recvMsg(ctx, m, nil)
	return err
}

// SendTracked sends as Send does, for a DEALER, PAIR or PUSH socket, and
// returns a channel that is closed if the connection that took the message
// ends, after which no reply to it can come: a request then fails at once
// instead of at its deadline. The channel is nil for a message that waits
// for a connection, and for one to a peer in this process.
func (s *Socket) SendTracked(ctx context.Context, frames ...[]byte) (lost <-chan struct{}, err error) {
	var d *dealer
	switch x := s.pat.(type) {
	case *dealer:
		d = x
	case *pair:
		d = &x.dealer
	default:
		return nil, ErrNotSupported
	}
	if !d.canSend {
		return nil, ErrNotSupported
	}
	p, gen, err := d.lb.send(ctx, nil, frames, false, nil)
	if err != nil || p == nil {
		return nil, err
	}
	return p.w.lostSignal(gen), nil
}

// pair is the PAIR socket type: a dealer both ways with one peer.
type pair struct{ dealer }

// attached refuses a second peer while the first one is connected.
func (x *pair) attached(p *pipe) bool {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	for _, q := range x.s.pipes {
		if q != p && q.up.Load() {
			return false
		}
	}
	return true
}
