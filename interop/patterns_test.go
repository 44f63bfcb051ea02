//go:build libzmq

package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestPushPull sends every shape, in order, from a PUSH to a PULL, ours to
// libzmq's and libzmq's to ours, in both bind/connect directions; the PULL
// must receive them in order and byte for byte.
func TestPushPull(t *testing.T) {
	tests := []struct {
		name      string
		ours      zmtp.Type
		theirs    zmq.Type
		oursBinds bool
	}{
		{"xbahn PUSH connects to libzmq PULL", zmtp.PUSH, zmq.PULL, false},
		{"libzmq PULL connects to xbahn PUSH", zmtp.PUSH, zmq.PULL, true},
		{"libzmq PUSH connects to xbahn PULL", zmtp.PULL, zmq.PUSH, true},
		{"xbahn PULL connects to libzmq PUSH", zmtp.PULL, zmq.PUSH, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, z := ours{newOurs(t, tt.ours, nil)}, theirs{newZ(t, tt.theirs)}
			if tt.oursBinds {
				z.connect(t, o.bind(t))
			} else {
				o.connect(t, z.bind(t))
			}
			var from, to client = o, z
			if tt.ours == zmtp.PULL {
				from, to = z, o
			}
			ctx := testContext(t, testTimeout)
			all := shapes()
			for _, sh := range all {
				if err := from.send(ctx, sh.body); err != nil {
					t.Fatalf("%s: send: %v", sh.name, err)
				}
			}
			for _, sh := range all {
				got, err := to.recv(ctx)
				if err != nil {
					t.Fatalf("%s: recv: %v", sh.name, err)
				}
				if d := diffFrames(got, sh.body); d != "" {
					t.Fatalf("%s: %s", sh.name, d)
				}
			}
		})
	}
}

// errTimedOut is what a subscriber's receive returns when nothing came.
var errTimedOut = errors.New("timed out")

// A subscriber is a SUB socket, ours or libzmq's.
type subscriber struct {
	end
	subscribe, unsubscribe func(topic string) error
	// recv waits up to d for a message.
	recv func(d time.Duration) ([][]byte, error)
}

func ourSubscriber(t testing.TB) subscriber {
	s := newOurs(t, zmtp.SUB, nil)
	return subscriber{
		end:         ours{s},
		subscribe:   func(topic string) error { return s.Subscribe([]byte(topic)) },
		unsubscribe: func(topic string) error { return s.Unsubscribe([]byte(topic)) },
		recv: func(d time.Duration) ([][]byte, error) {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			m, err := s.Recv(ctx)
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, errTimedOut
			}
			return m, err
		},
	}
}

func libzmqSubscriber(t testing.TB) subscriber {
	s := newZ(t, zmq.SUB)
	return subscriber{
		end:         theirs{s},
		subscribe:   s.SetSubscribe,
		unsubscribe: s.SetUnsubscribe,
		recv: func(d time.Duration) ([][]byte, error) {
			if err := s.SetRcvtimeo(d); err != nil {
				return nil, err
			}
			m, err := zrecv(s)
			if isAgain(errors.Unwrap(err)) {
				return nil, errTimedOut
			}
			return m, err
		},
	}
}

// TestPubSub has a PUB, ours or libzmq's, publish to a SUB of the other
// kind that subscribed to topic "a": the SUB must get exactly the messages
// whose first frame starts with "a", in order, and after it drops "a" for
// "c", exactly those starting with "c". This checks that SUBSCRIBE and
// CANCEL cross in both directions.
func TestPubSub(t *testing.T) {
	tests := []struct {
		name     string
		ourPub   bool
		subBinds bool
	}{
		{"libzmq SUB connects to xbahn PUB", true, false},
		{"xbahn PUB connects to libzmq SUB", true, true},
		{"xbahn SUB connects to libzmq PUB", false, false},
		{"libzmq PUB connects to xbahn SUB", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pub client
			var sub subscriber
			if tt.ourPub {
				pub, sub = ours{newOurs(t, zmtp.PUB, nil)}, libzmqSubscriber(t)
			} else {
				pub, sub = theirs{newZ(t, zmq.PUB)}, ourSubscriber(t)
			}
			if err := sub.subscribe("a"); err != nil {
				t.Fatal(err)
			}
			if tt.subBinds {
				pub.connect(t, sub.bind(t))
			} else {
				sub.connect(t, pub.bind(t))
			}
			ctx := testContext(t, testTimeout)
			publish := func(m ...string) {
				t.Helper()
				if err := pub.send(ctx, frames(m...)); err != nil {
					t.Fatal(err)
				}
			}

			// The subscription reaches the PUB some time after the
			// connection: publish probes until one arrives.
			sync := func(topic string) {
				t.Helper()
				deadline := time.Now().Add(opTimeout)
				for {
					publish(topic, "probe")
					m, err := sub.recv(10 * time.Millisecond)
					if err == nil {
						if d := diffFrames(m, frames(topic, "probe")); d != "" {
							t.Fatalf("while waiting for the subscription to %q: %s", topic, d)
						}
						return
					}
					if err != errTimedOut {
						t.Fatal(err)
					}
					if time.Now().After(deadline) {
						t.Fatalf("subscription to %q did not reach the PUB within %v", topic, opTimeout)
					}
				}
			}
			// expect receives the next message that is not a probe.
			expect := func(want ...string) {
				t.Helper()
				for {
					m, err := sub.recv(opTimeout)
					if err != nil {
						t.Fatalf("waiting for %q: %v", want, err)
					}
					if len(m) == 2 && string(m[1]) == "probe" {
						continue
					}
					if d := diffFrames(m, frames(want...)); d != "" {
						t.Fatalf("SUB received %s, want %q: %s", brief(m), want, d)
					}
					return
				}
			}

			sync("a")
			publish("b", "not subscribed")
			publish("a", "one")
			publish("", "empty topic")
			publish("ab", "two", "three")
			publish("a", "end")
			expect("a", "one")
			expect("ab", "two", "three")
			expect("a", "end")

			if err := sub.unsubscribe("a"); err != nil {
				t.Fatal(err)
			}
			if err := sub.subscribe("c"); err != nil {
				t.Fatal(err)
			}
			sync("c")
			publish("a", "cancelled")
			publish("c", "last")
			expect("c", "last")
		})
	}
}

// TestXPubSeesSubscriptions checks the SUBSCRIBE and CANCEL commands on the
// wire from the other side: an XPUB receives each subscription as a frame
// of 1 and the topic, and each cancellation as 0 and the topic, from a SUB
// of the other implementation.
func TestXPubSeesSubscriptions(t *testing.T) {
	t.Run("xbahn SUB to libzmq XPUB", func(t *testing.T) {
		x := theirs{newZ(t, zmq.XPUB)}
		sub := ourSubscriber(t)
		sub.connect(t, x.bind(t))
		xpubSees(t, x, sub)
	})
	t.Run("libzmq SUB to xbahn XPUB", func(t *testing.T) {
		x := ours{newOurs(t, zmtp.XPUB, nil)}
		sub := libzmqSubscriber(t)
		sub.connect(t, x.bind(t))
		xpubSees(t, x, sub)
	})
}

func xpubSees(t *testing.T, x client, sub subscriber) {
	t.Helper()
	ctx := testContext(t, testTimeout)
	for _, step := range []struct {
		on    bool
		topic string
		want  []byte
	}{
		{true, "topic", []byte("\x01topic")},
		{true, "", []byte("\x01")},
		{false, "topic", []byte("\x00topic")},
	} {
		f := sub.subscribe
		if !step.on {
			f = sub.unsubscribe
		}
		if err := f(step.topic); err != nil {
			t.Fatal(err)
		}
		got, err := x.recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffFrames(got, [][]byte{step.want}); d != "" {
			t.Fatalf("XPUB received %s, want %q: %s", brief(got), step.want, d)
		}
	}
}
