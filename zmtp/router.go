package zmtp

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"
)

// router is the ROUTER socket type. Each peer has a routing id: the
// Identity it announced, or one the socket makes up (a zero byte and four
// more, as libzmq does). Received messages start with the id of the peer
// they came from; a message sent starts with the id of the peer it goes to.
type router struct {
	base
	s *Socket

	mu   sync.Mutex
	byID map[string]*pipe
	ids  map[*pipe][]byte
	next uint32
}

func newRouter(s *Socket) *router {
	return &router{s: s, byID: map[string]*pipe{}, ids: map[*pipe][]byte{}, next: rand.Uint32()}
}

// attached gives p its routing id. A peer announcing an id that another
// connected peer has is refused, as libzmq does by default.
func (r *router) attached(p *pipe) bool {
	id := p.peer().identity
	r.mu.Lock()
	defer r.mu.Unlock()
	if id != nil {
		if _, taken := r.byID[string(id)]; taken {
			return false
		}
	} else {
		for {
			r.next++
			var b [5]byte
			binary.BigEndian.PutUint32(b[1:], r.next)
			if _, taken := r.byID[string(b[:])]; !taken {
				id = b[:]
				break
			}
		}
	}
	r.byID[string(id)] = p
	r.ids[p] = id
	return true
}

func (r *router) detached(p *pipe) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.ids[p]; ok {
		delete(r.byID, string(id))
		delete(r.ids, p)
	}
}

// recv receives a message and puts the sender's routing id in front. The id
// frame belongs to the socket: it must not be modified.
func (r *router) recv(ctx context.Context, m *Msg) error {
	for {
		p, err := r.s.recvMsg(ctx, m, nil)
		if err != nil {
			return err
		}
		r.mu.Lock()
		id, ok := r.ids[p]
		r.mu.Unlock()
		if ok {
			m.prepend(id)
			return nil
		}
		// The peer left after its message was queued; its id is gone
		// and a reply could not reach it anyway.
	}
}

// send routes a message by its first frame. A message for an unknown or
// full peer is dropped, or, with Options.RouterMandatory, refused with
// ErrHostUnreachable or ErrAgain.
func (r *router) send(ctx context.Context, frames [][]byte, owned bool) error {
	if len(frames) < 2 {
		return errRouterEnvelope
	}
	r.mu.Lock()
	p := r.byID[string(frames[0])]
	r.mu.Unlock()
	mandatory := r.s.opts.RouterMandatory
	if p == nil {
		if mandatory {
			return ErrHostUnreachable
		}
		return nil
	}
	err := p.w.send(ctx, nil, frames[1:], false, owned)
	switch {
	case err == ErrAgain && mandatory:
		return ErrAgain
	case err == ErrAgain, err == errDetached:
		if mandatory && err == errDetached {
			return ErrHostUnreachable
		}
		return nil
	}
	return err
}
