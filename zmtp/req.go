package zmtp

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// req is the REQ socket type: it sends a request to one peer at a time, in
// turn, and then accepts only that peer's reply.
type req struct {
	base
	s  *Socket
	lb lb

	mu        sync.Mutex
	sending   bool   // a Send is under way
	receiving bool   // a Recv is under way
	waiting   bool   // a request is out and its reply not yet received
	gen       uint64 // connection generation that carries the request
	id        uint32 // request id, with ReqCorrelate
	idbuf     [4]byte
	cur       atomic.Pointer[pipe] // pipe of the request in progress
}

var emptyFrame = []byte{}

func newReq(s *Socket) *req {
	r := &req{s: s, lb: lb{s: s}, id: rand.Uint32()}
	return r
}

func (r *req) send(ctx context.Context, frames [][]byte, owned bool) error {
	r.mu.Lock()
	switch {
	case r.waiting && !r.s.opts.ReqRelaxed:
		r.mu.Unlock()
		return errReqSendTwice
	case r.sending:
		r.mu.Unlock()
		return errLockstepBusy
	}
	r.sending = true
	// From here until the request is on its way, every reply is stale:
	// with ReqRelaxed one to the abandoned request, otherwise a duplicate
	// or a reply to no request at all.
	r.cur.Store(nil)
	r.waiting = false
	hbuf := [2][]byte{emptyFrame}
	head := hbuf[:1]
	if r.s.opts.ReqCorrelate {
		hbuf[0], hbuf[1] = r.nextID(), emptyFrame
		head = hbuf[:2]
	}
	r.mu.Unlock()

	p, gen, err := r.lb.send(ctx, head, frames, owned, r)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sending = false
	if err != nil {
		r.cur.Store(nil)
		return err
	}
	r.waiting, r.gen = true, gen
	r.cur.Store(p)
	return nil
}

func (r *req) recv(ctx context.Context, m *Msg) error {
	r.mu.Lock()
	p := r.cur.Load()
	switch {
	case !r.waiting || p == nil:
		r.mu.Unlock()
		return errReqRecvFirst
	case r.receiving:
		r.mu.Unlock()
		return errLockstepBusy
	}
	r.receiving = true
	sent, id := r.gen, r.idbuf
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.receiving = false
		r.mu.Unlock()
	}()
	for {
		changed := r.s.changes()
		if err := p.gone(); err != nil {
			r.done(p)
			if err == ErrClosed {
				return err
			}
			return &lostError{err}
		}
		if gen, up := p.w.generation(); gen > sent || gen == sent && !up {
			// The connection that carried the request is gone, and
			// with it any hope of a reply.
			r.done(p)
			return p.lostError()
		}
		if _, err := r.s.recvMsg(ctx, m, p); err != nil {
			if err == errDetached {
				// The request waits to go out on the next
				// connection.
				lost, err := r.s.Unreachable()
				if err != nil {
					return err
				}
				select {
				case <-changed:
				case <-lost:
					return r.s.unreachableErr()
				case <-ctx.Done():
					return r.s.waitErr(ctx.Err())
				}
				continue
			}
			if _, lost := err.(*lostError); lost {
				r.done(p)
				return err
			}
			if p.gone() != nil {
				continue
			}
			return err
		}
		if r.cur.Load() != p {
			// A relaxed send replaced the request meanwhile.
			return errReqAbandoned
		}
		f := m.Frames
		if r.s.opts.ReqCorrelate {
			if len(f) < 2 || string(f[0]) != string(id[:]) {
				continue // a reply to an older request
			}
			f = f[1:]
			m.trim(1)
		}
		if len(f) == 0 || len(f[0]) != 0 {
			// libzmq treats this as a protocol error and drops the
			// connection; so do we.
			if conn := p.connection(); conn != nil {
				p.fail(conn, protoErr("REQ reply", malformed("reply does not start with an empty delimiter")))
			}
			r.done(p)
			return protoErr("REQ reply", malformed("reply does not start with an empty delimiter"))
		}
		m.trim(1)
		r.done(p)
		return nil
	}
}

// beforeSend drops what p received before the request goes out on it,
// then has replies from p count, so that one is recognised however fast it
// comes.
func (r *req) beforeSend(ctx context.Context, p *pipe) {
	r.s.purge(p)
	p.drain(ctx)
	r.cur.Store(p)
}

// nextID returns the id frame of a new request; mu is held.
func (r *req) nextID() []byte {
	r.id++
	binary.LittleEndian.PutUint32(r.idbuf[:], r.id)
	id := r.idbuf
	return id[:]
}

// done ends the request in progress on p.
func (r *req) done(p *pipe) {
	r.mu.Lock()
	if r.cur.Load() == p {
		r.waiting = false
		r.cur.Store(nil)
	}
	r.mu.Unlock()
}

// filter keeps only replies from the pipe of the request in progress.
func (r *req) filter(p *pipe, m *Msg) bool {
	return r.cur.Load() == p
}
