package zmtp

import (
	"context"
	"errors"
	"sync"
)

// Hub is an in-process namespace of inproc:// endpoints. Sockets that share
// a Hub, through Options.Hub, reach each other's inproc endpoints, and the
// messages between them are handed over in memory: no encoding, no system
// call, no goroutine. The zero value is ready to use.
//
// A socket may connect to an inproc endpoint before another binds it; the
// connection is made when the bind happens.
type Hub struct {
	mu      sync.Mutex
	bound   map[string]*Socket
	waiting map[string][]*pipe // connected pipes waiting for a bind
}

var errNoHub = errors.New("zmtp: inproc endpoints need Options.Hub")

// bind makes s the owner of name and links the pipes waiting for it.
func (h *Hub) bind(name string, s *Socket) error {
	h.mu.Lock()
	if h.bound == nil {
		h.bound, h.waiting = map[string]*Socket{}, map[string][]*pipe{}
	}
	if _, taken := h.bound[name]; taken {
		h.mu.Unlock()
		return &EndpointError{Endpoint: "inproc://" + name, Reason: "already bound in this hub"}
	}
	h.bound[name] = s
	waiting := h.waiting[name]
	delete(h.waiting, name)
	h.mu.Unlock()
	for _, p := range waiting {
		link(p, s, name)
	}
	return nil
}

// unbind releases name, if s owns it.
func (h *Hub) unbind(name string, s *Socket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bound[name] == s {
		delete(h.bound, name)
	}
}

// connect links p to the socket bound at name, now or when one binds.
func (h *Hub) connect(name string, p *pipe) {
	h.mu.Lock()
	if h.bound == nil {
		h.bound, h.waiting = map[string]*Socket{}, map[string][]*pipe{}
	}
	s, ok := h.bound[name]
	if !ok {
		h.waiting[name] = append(h.waiting[name], p)
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	link(p, s, name)
}

// forget drops p from the pipes waiting for a bind.
func (h *Hub) forget(name string, p *pipe) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.waiting[name]
	for i, q := range w {
		if q == p {
			h.waiting[name] = append(w[:i], w[i+1:]...)
			break
		}
	}
}

// link connects pipe pc, made by a Connect, to a new pipe of the socket sb
// that bound the name: the in-memory equivalent of a handshake.
func link(pc *pipe, sb *Socket, name string) {
	sc := pc.s
	if !sc.typ.Compatible(sb.typ) {
		sc.refuse(pc, protoErr(CmdReady, socketTypeError{ours: sc.typ, theirs: sb.typ.String()}))
		return
	}
	pb := newPipe(sb, "inproc://"+name, false)
	sb.mu.Lock()
	if sb.closed {
		sb.mu.Unlock()
		sc.opts.Hub.connect(name, pc) // wait for the next bind
		return
	}
	sb.addPipeLocked(pb)
	sb.mu.Unlock()
	if !pc.attachPeer(pb, sb.inprocInfo()) {
		sb.removePipe(pb)
		return
	}
	pb.attachPeer(pc, sc.inprocInfo())
	// The bound side first, so that a PUB knows the new peer before
	// the SUB sends its subscriptions.
	if !sb.pat.attached(pb) {
		pc.unlinkPeer(pb)
		pb.remove(errRefused)
		sb.removePipe(pb)
		return
	}
	if !sc.pat.attached(pc) {
		pb.unlinkPeer(pc)
		pc.unlinkPeer(pb)
		return
	}
	pc.flushPending(pb)
	sb.change()
	sc.change()
}

// inprocInfo returns what a handshake with s would teach its peer: its
// type, its Identity and the metadata of its READY.
func (s *Socket) inprocInfo() peerInfo {
	return peerInfo{version: version3, typ: s.typ, minor: 1, identity: s.announcedIdentity(), md: s.hs.metadata()}
}

// announcedIdentity returns the Identity the socket would send in READY.
func (s *Socket) announcedIdentity() []byte {
	if len(s.opts.Identity) == 0 || !s.typ.announcesIdentity() {
		return nil
	}
	return s.opts.Identity
}

// attachPeer makes peer, a pipe of another socket in this process, the
// other end of p.
func (p *pipe) attachPeer(peer *pipe, info peerInfo) bool {
	p.mu.Lock()
	if p.removed {
		p.mu.Unlock()
		return false
	}
	p.info = info
	p.peerDesc.Store(&Peer{Addr: inprocAddr(p.endpoint), Type: info.typ, Version: info.version, Identity: info.identity, Metadata: info.md})
	p.memory.Store(true)
	p.up.Store(true)
	p.mu.Unlock()
	p.w.mu.Lock()
	p.w.peer = peer
	p.w.gen++
	p.w.mu.Unlock()
	return true
}

// unlinkPeer ends the in-memory link of p to peer, after peer went away.
// A pipe made by Connect waits for the next bind; any other pipe ends.
func (p *pipe) unlinkPeer(peer *pipe) {
	p.w.mu.Lock()
	if p.w.peer != peer {
		p.w.mu.Unlock()
		return
	}
	p.w.peer = nil
	if p.w.space != nil {
		close(p.w.space)
		p.w.space = nil
	}
	p.w.mu.Unlock()
	p.memory.Store(false)
	p.up.Store(false)
	s := p.s
	s.pat.detached(p)
	if p.persistent {
		if s.opts.Hub != nil && !s.isClosed() {
			s.opts.Hub.connect(p.endpoint[len("inproc://"):], p)
		}
	} else {
		s.removePipe(p)
		p.remove(ErrNoPeer)
	}
	s.change()
}

// flushPending hands over the messages sent on p while it waited for a
// bind.
func (p *pipe) flushPending(peer *pipe) {
	p.w.mu.Lock()
	pending := p.w.pending
	p.w.pending, p.w.npending = nil, 0
	p.w.mu.Unlock()
	var frames [][]byte
	for len(pending) > 0 {
		flags, size, n, err := ParseFrameHeader(pending)
		if err != nil || n == 0 || uint64(len(pending)-n) < size {
			return
		}
		frames = append(frames, pending[n:n+int(size)])
		pending = pending[n+int(size):]
		if !flags.Has(FlagMore) {
			p.s.handOver(context.Background(), p, peer, nil, frames, true, false)
			frames = frames[:0]
		}
	}
}

// handOver delivers one message from p to the inbox of its in-memory peer.
// With owned set the frames themselves move to the receiver; otherwise
// they are copied. It waits while the peer's inbox is full if block is set.
func (s *Socket) handOver(ctx context.Context, p, peer *pipe, head, body [][]byte, owned, block bool) error {
	// A small message is written straight into the inbox slot, with the
	// receiver's mutex held; a large one is copied before, so that the
	// copy does not hold the receiver up.
	var m *Msg
	if !owned && msgSize(head, body) > inPlaceSize {
		m = s.msgs.Get().(*Msg)
		defer s.msgs.Put(m)
		m.reset()
		m.fill(head, body, false)
	}
	rs := peer.s
	q := &peer.inbox
	limit := rs.opts.RecvHWM + s.opts.SendHWM
	filtered := false
	for {
		rs.mu.Lock()
		if rs.closed || peer.gone() != nil {
			rs.mu.Unlock()
			return errDetached
		}
		room := q.len() < limit
		if room || !filtered {
			msg := m
			if msg == nil {
				msg = q.back()
				msg.fill(head, body, owned)
			}
			if !filtered && !rs.pat.filter(peer, msg) {
				if m == nil {
					msg.reset()
				}
				rs.mu.Unlock()
				return nil
			}
			filtered = true
			if room {
				if m == nil {
					q.commit()
					rs.queuedLocked(peer)
				} else {
					rs.queueLocked(peer, m)
				}
				if rs.direct != nil {
					rs.direct.interrupt()
				}
				waiting := rs.unattendedLocked()
				rs.mu.Unlock()
				if waiting {
					rs.opts.Waiting()
				}
				return nil
			}
			if m == nil {
				msg.reset()
			}
		}
		if !block {
			rs.mu.Unlock()
			return ErrAgain
		}
		if peer.room == nil {
			peer.room = make(chan struct{})
			peer.roomAt = limit / 2
		}
		wait := peer.room
		rs.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.ctx.Done():
			return ErrClosed
		case <-rs.ctx.Done():
			return errDetached
		}
	}
}

// inPlaceSize is the largest message handOver copies with the receiver's
// mutex held.
const inPlaceSize = 4 << 10

// msgSize returns the number of bytes in the frames of head and body.
func msgSize(head, body [][]byte) int {
	n := 0
	for _, f := range head {
		n += len(f)
	}
	for _, f := range body {
		n += len(f)
	}
	return n
}

// tellPeer gives an in-memory peer a SUBSCRIBE or CANCEL command.
func (p *pipe) tellPeer(subscribe bool, topic []byte) bool {
	p.w.mu.Lock()
	peer := p.w.peer
	p.w.mu.Unlock()
	if peer == nil {
		return false
	}
	name := CmdCancel
	if subscribe {
		name = CmdSubscribe
	}
	peer.s.pat.command(peer, Command{Name: name, Data: topic})
	return true
}

// inprocAddr is the net.Addr of an inproc peer: the endpoint.
type inprocAddr string

func (a inprocAddr) Network() string { return "inproc" }
func (a inprocAddr) String() string  { return string(a) }

func (s *Socket) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
