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
