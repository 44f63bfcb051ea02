package zmtp

import (
	"context"
	"sync"
)

// pub is the PUB and XPUB socket types. A message goes to every peer with a
// subscription that is a prefix of its first frame; a peer whose queue is
// full misses it, so a slow subscriber holds up nobody. XPUB also receives:
// the subscriptions (a frame of 1 and the topic) and cancellations (0 and
// the topic) of its peers, the first and last of each topic, and any other
// message a peer sends.
type pub struct {
	s *Socket
	x bool

	mu    sync.Mutex
	subs  map[*pipe]*subscriptions
	total subscriptions // XPUB: over all peers

	// send holds sendMu, not mu, while it hands the message to the
	// peers: a peer in memory takes its own locks, and a SUB's takes
	// mu when it subscribes.
	sendMu  sync.Mutex
	targets []*pipe // scratch for send
}

func newPub(s *Socket, x bool) *pub {
	return &pub{s: s, x: x, subs: map[*pipe]*subscriptions{}}
}

func (x *pub) send(ctx context.Context, frames [][]byte, owned bool) error {
	if len(frames) == 0 {
		return errEmptyMessage
	}
	x.sendMu.Lock()
	defer x.sendMu.Unlock()
	x.mu.Lock()
	x.targets = x.targets[:0]
	for p, subs := range x.subs {
		if subs.match(frames[0]) {
			x.targets = append(x.targets, p)
		}
	}
	x.mu.Unlock()
	for _, p := range x.targets {
		// ErrAgain (queue full) and errDetached drop the message for
		// that peer only.
		p.w.send(ctx, nil, frames, false, owned)
	}
	clear(x.targets)
	return nil
}

func (x *pub) recv(ctx context.Context, m *Msg) error {
	if !x.x {
		return ErrNotSupported
	}
	_, err := x.s.recvMsg(ctx, m, nil)
	return err
}

// direct is false: subscriptions must be read as they come, and XPUB turns
// them into messages in the inbox.
func (x *pub) direct() bool { return false }

func (x *pub) attached(p *pipe) bool {
	x.mu.Lock()
	x.subs[p] = &subscriptions{}
	x.mu.Unlock()
	if p.peer().version == version1 {
		// A ZMTP 1.0 subscriber sends no subscriptions and filters by
		// itself: it gets everything, as libzmq sends it.
		if event := x.subscription(p, nil, true); event != nil {
			x.s.inject(p, event)
		}
	}
	return true
}

func (x *pub) detached(p *pipe) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if subs, ok := x.subs[p]; ok && x.x {
		subs.each(func(topic []byte, n int) {
			for range n {
				x.total.remove(topic)
			}
		})
	}
	delete(x.subs, p)
}

// command takes SUBSCRIBE and CANCEL from a ZMTP 3.1 peer.
func (x *pub) command(p *pipe, cmd Command) {
	if event := x.subscription(p, cmd.Data, cmd.Name == CmdSubscribe); event != nil {
		x.s.inject(p, event)
	}
}

// filter takes the subscription messages of ZMTP 3.0 peers. PUB drops
// every other message; XPUB passes subscriptions worth reporting and other
// messages up.
func (x *pub) filter(p *pipe, m *Msg) bool {
	topic, subscribe, ok := parseSubscription(m.Frames)
	if !ok {
		return x.x
	}
	return x.subscription(p, topic, subscribe) != nil
}

// subscription records a subscription or cancellation from p. For XPUB it
// returns the message that reports it, when it is the first subscription or
// the last cancellation of the topic.
func (x *pub) subscription(p *pipe, topic []byte, subscribe bool) []byte {
	x.mu.Lock()
	defer x.mu.Unlock()
	subs := x.subs[p]
	if subs == nil {
		return nil
	}
	// A peer is subscribed to a topic or not, however often it said so,
	// as with libzmq: its SUB counts, and cancels only the last time.
	var report bool
	if subscribe {
		if subs.add(topic) {
			report = x.x && x.total.add(topic)
		} else {
			subs.remove(topic) // back to one
		}
	} else if found, _ := subs.remove(topic); found && x.x {
		_, report = x.total.remove(topic)
	}
	if !report {
		return nil
	}
	flag := byte(0)
	if subscribe {
		flag = 1
	}
	return append([]byte{flag}, topic...)
}
