//go:build libzmq

package interop

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// A sink drains several PULL sockets as one: next returns the next message
// any of them received, with the index of that PULL.
type sink interface {
	next(t *testing.T) (int, [][]byte)
}

// zsink polls libzmq PULLs.
type zsink struct {
	pulls  []*zmq.Socket
	poller *zmq.Poller
	ready  []zmq.Polled
}

func newZsink(pulls []*zmq.Socket) *zsink {
	z := &zsink{pulls: pulls, poller: zmq.NewPoller()}
	for _, p := range pulls {
		z.poller.Add(p, zmq.POLLIN)
	}
	return z
}

func (z *zsink) next(t *testing.T) (int, [][]byte) {
	t.Helper()
	if len(z.ready) == 0 {
		ready, err := z.poller.Poll(opTimeout)
		if err != nil {
			t.Fatalf("libzmq Poll: %v", err)
		}
		if len(ready) == 0 {
			t.Fatalf("no message within %v", opTimeout)
		}
		z.ready = ready
	}
	s := z.ready[0].Socket
	z.ready = z.ready[1:]
	m, err := zrecv(s)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Index(z.pulls, s), m
}

// oursink receives on each of our PULLs in a goroutine of its own.
type oursink struct {
	in chan delivery
}

type delivery struct {
	from int
	m    [][]byte
}

// newOursink starts receiving on pulls; it stops before the test closes
// them.
func newOursink(t *testing.T, pulls []*zmtp.Socket) *oursink {
	ctx, cancel := context.WithCancel(context.Background())
	o := &oursink{in: make(chan delivery)}
	var wg sync.WaitGroup
	for i, p := range pulls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := p.Recv(ctx)
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("PULL %d: %v", i, err)
					}
					return
				}
				select {
				case o.in <- delivery{i, m}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return o
}

func (o *oursink) next(t *testing.T) (int, [][]byte) {
	t.Helper()
	select {
	case d := <-o.in:
		return d.from, d.m
	case <-time.After(opTimeout):
		t.Fatalf("no message within %v", opTimeout)
		return 0, nil
	}
}

// TestPushLoadBalance has a PUSH deal 300 messages out to three PULLs of
// the other implementation, once every connection is up: a PUSH sends to
// its peers in turn, so each PULL must get a third, every message must
// arrive once, and each PULL must get its share in order.
func TestPushLoadBalance(t *testing.T) {
	const peers, messages = 3, 300
	tests := []struct {
		name    string
		ourPush bool
	}{
		{"xbahn PUSH to libzmq PULLs", true},
		{"libzmq PUSH to xbahn PULLs", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var push client
			var in sink
			if tt.ourPush {
				push = ours{newOurs(t, zmtp.PUSH, nil)}
				pulls := make([]*zmq.Socket, peers)
				for i := range pulls {
					pulls[i] = newZ(t, zmq.PULL)
					push.connect(t, zbind(t, pulls[i]))
				}
				in = newZsink(pulls)
			} else {
				push = theirs{newZ(t, zmq.PUSH)}
				pulls := make([]*zmtp.Socket, peers)
				for i := range pulls {
					pulls[i] = newOurs(t, zmtp.PULL, nil)
					push.connect(t, ourBind(t, pulls[i]))
				}
				in = newOursink(t, pulls)
			}
			ctx := testContext(t, testTimeout)
			send := func(body string) {
				t.Helper()
				if err := push.send(ctx, frames(body)); err != nil {
					t.Fatal(err)
				}
			}
			// One message at a time until two rounds in a row have
			// gone to every PULL in the same order: then the PUSH deals
			// to all of them. That a PULL has received a message is not
			// enough: our PUSH delivers the messages it queued for a
			// connection before it counts the connection as up.
			var order []int
			deadline := time.Now().Add(opTimeout)
			for !twoRounds(order, peers) {
				if time.Now().After(deadline) {
					t.Fatalf("%d messages within %v, and the last went to the PULLs in the order %v",
						len(order), opTimeout, order[max(0, len(order)-30):])
				}
				send("warm up")
				k, _ := in.next(t)
				order = append(order, k)
			}
			for n := range messages {
				send(strconv.Itoa(n))
			}
			counts := make([]int, peers)
			last := []int{-1, -1, -1}
			seen := make([]bool, messages)
			for range messages {
				k, m := in.next(t)
				n, err := strconv.Atoi(string(m[0]))
				if len(m) != 1 || err != nil || n < 0 || n >= messages {
					t.Fatalf("PULL %d received %s", k, brief(m))
				}
				if seen[n] {
					t.Fatalf("message %d arrived twice", n)
				}
				if n <= last[k] {
					t.Errorf("PULL %d received message %d after %d", k, n, last[k])
				}
				seen[n], last[k] = true, n
				counts[k]++
			}
			t.Logf("warm-up messages: %d; messages per PULL: %v", len(order), counts)
			for k, c := range counts {
				if c != messages/peers {
					t.Errorf("PULL %d received %d of %d messages, want %d (counts %v)", k, c, messages, messages/peers, counts)
				}
			}
		})
	}
}

// twoRounds reports whether the last 2n entries of order are two rounds
// of the same n distinct values.
func twoRounds(order []int, n int) bool {
	if len(order) < 2*n {
		return false
	}
	last := order[len(order)-2*n:]
	seen := make(map[int]bool)
	for i, k := range last[n:] {
		if seen[k] || last[i] != k {
			return false
		}
		seen[k] = true
	}
	return true
}

// TestPullFairQueue has three PUSHes send a thousand messages each to one
// PULL of the other implementation, each through a relay that counts the
// bytes it forwards. Once every message has passed its relay, all three
// are waiting at the PULL, which must then take them from the three in
// turn: of the first half it receives, a third from each, give or take a
// few. It must receive every message of each PUSH once, in the order sent.
func TestPullFairQueue(t *testing.T) {
	const peers, messages = 3, 1000
	tests := []struct {
		name    string
		ourPull bool
	}{
		{"libzmq PUSHes to xbahn PULL", true},
		{"xbahn PUSHes to libzmq PULL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pushes := make([]client, peers)
			relays := make([]*relay, peers)
			var in sink
			var ep string
			if tt.ourPull {
				pull := newOurs(t, zmtp.PULL, nil)
				ep = ourBind(t, pull)
				in = newOursink(t, []*zmtp.Socket{pull})
			} else {
				pull := newZ(t, zmq.PULL)
				ep = zbind(t, pull)
				in = newZsink([]*zmq.Socket{pull})
			}
			for i := range pushes {
				if tt.ourPull {
					pushes[i] = theirs{newZ(t, zmq.PUSH)}
				} else {
					pushes[i] = ours{newOurs(t, zmtp.PUSH, nil)}
				}
				relays[i] = newRelay(t, ep)
				pushes[i].connect(t, relays[i].endpoint())
			}
			ctx := testContext(t, testTimeout)
			// A hello from each proves every connection up. Then each
			// relay has forwarded the handshake and the hello, and
			// nothing more.
			for i, p := range pushes {
				if err := p.send(ctx, frames(fmt.Sprintf("%d hello", i))); err != nil {
					t.Fatal(err)
				}
			}
			hello := make([]bool, peers)
			for range pushes {
				_, m := in.next(t)
				var i int
				_, err := fmt.Sscanf(string(m[0]), "%d hello", &i)
				if len(m) != 1 || err != nil || i < 0 || i >= peers || hello[i] {
					t.Fatalf("PULL received %s, want one hello from each PUSH", brief(m))
				}
				hello[i] = true
			}
			want := make([]int64, peers)
			for i, r := range relays {
				want[i] = r.written[toTarget].Load()
			}

			for i, p := range pushes {
				for n := range messages {
					body := fmt.Sprintf("%d %04d", i, n)
					if err := p.send(ctx, frames(body)); err != nil {
						t.Fatalf("PUSH %d: message %d: %v", i, n, err)
					}
					want[i] += int64(2 + len(body)) // flags, size, body
				}
			}
			deadline := time.Now().Add(opTimeout)
			for i, r := range relays {
				for r.written[toTarget].Load() < want[i] {
					if time.Now().After(deadline) {
						t.Fatalf("relay %d forwarded %d bytes within %v, want %d", i, r.written[toTarget].Load(), opTimeout, want[i])
					}
					time.Sleep(time.Millisecond)
				}
			}

			next := make([]int, peers)
			firstHalf := make([]int, peers)
			for r := range peers * messages {
				_, m := in.next(t)
				var i, n int
				_, err := fmt.Sscanf(string(m[0]), "%d %d", &i, &n)
				if len(m) != 1 || err != nil || i < 0 || i >= peers {
					t.Fatalf("PULL received %s", brief(m))
				}
				if n != next[i] {
					t.Fatalf("PULL received message %d of PUSH %d, want message %d", n, i, next[i])
				}
				next[i]++
				if r < peers*messages/2 {
					firstHalf[i]++
				}
			}
			t.Logf("of the first %d messages received, from each PUSH: %v", peers*messages/2, firstHalf)
			for i, c := range firstHalf {
				if c < messages/2-messages/50 {
					t.Errorf("PUSH %d had %d of the first %d messages received, want about %d (counts %v)",
						i, c, peers*messages/2, messages/2, firstHalf)
				}
			}
		})
	}
}
