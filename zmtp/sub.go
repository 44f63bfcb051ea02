package zmtp

import (
	"context"
	"sync"
)

// sub is the SUB and XSUB socket types. The socket tells every peer about
// its subscriptions, again whenever a connection comes up, and also checks
// received messages against them. Subscriptions are counted: a topic
// subscribed twice stays until it is cancelled twice. XSUB subscribes by sending a frame of 1
// and the topic (0 and the topic cancels), and sends every other message
// to all its peers.
type sub struct {
	base
	s *Socket
	x bool

	mu     sync.Mutex
	topics subscriptions
	peers  map[*pipe]bool // connected peers, told of every subscription
	frame  []byte         // scratch

	// XSUB's send holds sendMu, not mu, while it hands a message to the
	// peers, as pub's does.
	sendMu  sync.Mutex
	targets []*pipe // scratch for send
}

func newSub(s *Socket, x bool) *sub {
	return &sub{s: s, x: x, peers: map[*pipe]bool{}}
}

func (x *sub) recv(ctx context.Context, m *Msg) error {
	_, err := x.s.recvMsg(ctx, m, nil)
	return err
}

// filter keeps the messages that match a subscription.
func (x *sub) filter(p *pipe, m *Msg) bool {
	if len(m.Frames) == 0 {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.topics.match(m.Frames[0])
}

func (x *sub) send(ctx context.Context, frames [][]byte, owned bool) error {
	if !x.x {
		return ErrNotSupported
	}
	if topic, subscribe, ok := parseSubscription(frames); ok {
		x.subscribe(topic, subscribe)
		return nil
	}
	if len(frames) == 0 {
		return errEmptyMessage
	}
	x.sendMu.Lock()
	defer x.sendMu.Unlock()
	x.mu.Lock()
	x.targets = x.targets[:0]
	for p := range x.peers {
		x.targets = append(x.targets, p)
	}
	x.mu.Unlock()
	for _, p := range x.targets {
		p.w.send(ctx, nil, frames, false, owned)
	}
	clear(x.targets)
	return nil
}

// subscribe adds or cancels one subscription and tells the peers.
func (x *sub) subscribe(topic []byte, on bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if on {
		x.topics.add(topic)
	} else if found, last := x.topics.remove(topic); !found || !last {
		// Subscriptions are counted here: the peers hear of a
		// cancellation only when the last subscription to the topic
		// goes, as libzmq's publishers expect.
		return
	}
	for p := range x.peers {
		x.tell(p, topic, on)
	}
}

// tell sends one subscription or cancellation to p; mu is held.
func (x *sub) tell(p *pipe, topic []byte, on bool) {
	if p.tellPeer(on, topic) {
		return
	}
	conn := p.connection()
	if conn == nil {
		return
	}
	x.frame = subscriptionFrame(x.frame[:0], p.peer().minor, on, topic)
	p.w.control(conn, x.frame, false)
}

// attached tells a new connection about every topic subscribed.
func (x *sub) attached(p *pipe) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.peers[p] = true
	x.topics.each(func(topic []byte, _ int) {
		x.tell(p, topic, true)
	})
	return true
}

func (x *sub) detached(p *pipe) {
	x.mu.Lock()
	delete(x.peers, p)
	x.mu.Unlock()
}
