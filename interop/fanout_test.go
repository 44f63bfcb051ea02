//go:build libzmq

package interop

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// matches reports whether one of subscriptions is a prefix of topic.
func matches(subscriptions []string, topic string) bool {
	for _, s := range subscriptions {
		if strings.HasPrefix(topic, s) {
			return true
		}
	}
	return false
}

// Probe topics start with "~", which no other topic of these tests does.
const probePrefix = "~"

// awaitSubscription subscribes s to the probe topic and publishes probes
// on it until s receives one. Subscriptions travel to the PUB in order on
// each connection, so when the probe arrives the PUB has every
// subscription s made before it. Other probes that s receives are
// skipped; any other message fails the test.
func awaitSubscription(t *testing.T, publish func(...string), s subscriber, probe string) {
	t.Helper()
	if err := s.subscribe(probe); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(opTimeout)
	for {
		publish(probe, "probe")
		for {
			m, err := s.recv(10 * time.Millisecond)
			if err == errTimedOut {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m) == 0 || !strings.HasPrefix(string(m[0]), probePrefix) {
				t.Fatalf("while waiting for a probe on %q: received %s", probe, brief(m))
			}
			if string(m[0]) == probe {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription to %q did not reach the PUB within %v", probe, opTimeout)
		}
	}
}

// TestPubSubPrefixes has one PUB publish to seven SUBs of the other
// implementation, each with its own subscriptions: everything (the empty
// topic), nothing, single prefixes, and overlapping ones such as "a" and
// "ab", under which a message must still arrive once. Half the SUBs
// connect to the PUB; the PUB connects to the other half. Each SUB must
// receive exactly the messages whose topic starts with one of its
// subscriptions, each once and in order.
func TestPubSubPrefixes(t *testing.T) {
	subscriptions := [][]string{
		{""},
		{},
		{"a"},
		{"a", "ab"},
		{"ab", "abc"},
		{"b", "c"},
		{"abc", "abd", "b"},
	}
	topics := []string{"", "a", "ab", "abc", "abd", "abcd", "b", "ba", "c", "d", "A"}
	const rounds = 4
	tests := []struct {
		name   string
		ourPub bool
	}{
		{"xbahn PUB to libzmq SUBs", true},
		{"libzmq PUB to xbahn SUBs", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pub client
			newSub := ourSubscriber
			if tt.ourPub {
				pub, newSub = ours{newOurs(t, zmtp.PUB, nil)}, libzmqSubscriber
			} else {
				pub = theirs{newZ(t, zmq.PUB)}
			}
			ep := pub.bind(t)
			ctx := testContext(t, testTimeout)
			publish := func(m ...string) {
				t.Helper()
				if err := pub.send(ctx, frames(m...)); err != nil {
					t.Fatal(err)
				}
			}
			subs := make([]subscriber, len(subscriptions))
			for i := range subs {
				subs[i] = newSub(t)
				if i%2 == 0 {
					subs[i].connect(t, ep)
				} else {
					pub.connect(t, subs[i].bind(t))
				}
			}
			// A first probe proves the connection up; the topics are
			// subscribed on it, and a second probe proves that the
			// PUB has them.
			for i, s := range subs {
				awaitSubscription(t, publish, s, fmt.Sprintf("%s%d<", probePrefix, i))
				for _, topic := range subscriptions[i] {
					if err := s.subscribe(topic); err != nil {
						t.Fatal(err)
					}
				}
				awaitSubscription(t, publish, s, fmt.Sprintf("%s%d>", probePrefix, i))
			}

			seq := 0
			for range rounds {
				for _, topic := range topics {
					publish(topic, strconv.Itoa(seq))
					seq++
				}
			}
			for i := range subs {
				publish(fmt.Sprintf("%s%d>", probePrefix, i), "end")
			}

			totals := make([]int, len(subs))
			for i, s := range subs {
				end := fmt.Sprintf("%s%d>", probePrefix, i)
				got := map[string]int{}
				last := -1
				for {
					m, err := s.recv(opTimeout)
					if err != nil {
						t.Fatalf("SUB %d %q: %v", i, subscriptions[i], err)
					}
					if len(m) != 2 {
						t.Fatalf("SUB %d %q received %s, want [topic, sequence number]", i, subscriptions[i], brief(m))
					}
					topic := string(m[0])
					if strings.HasPrefix(topic, probePrefix) {
						if topic == end && string(m[1]) == "end" {
							break
						}
						continue
					}
					if !matches(subscriptions[i], topic) {
						t.Errorf("SUB %d %q received topic %q", i, subscriptions[i], topic)
					}
					n, err := strconv.Atoi(string(m[1]))
					if err != nil || n <= last {
						t.Errorf("SUB %d %q received %s after message %d", i, subscriptions[i], brief(m), last)
					}
					last = n
					got[topic]++
					totals[i]++
				}
				for _, topic := range topics {
					want := 0
					if matches(subscriptions[i], topic) {
						want = rounds
					}
					if got[topic] != want {
						t.Errorf("SUB %d %q received %d messages on topic %q, want %d", i, subscriptions[i], got[topic], topic, want)
					}
				}
			}
			t.Logf("of %d messages, received per SUB: %v", seq, totals)
		})
	}
}

// TestSubscriptionCounts has a SUB subscribe twice to one topic and cancel
// once or twice, and checks what an XPUB of the other implementation
// reports and delivers, with libzmq against libzmq as the reference.
// libzmq counts subscriptions in the SUB, which sends a CANCEL only when
// the last subscription to a topic goes, while its PUB and XPUB keep one
// subscription per topic and peer, which a CANCEL ends (xsub.cpp: xsend
// forwards an unsubscription only when the trie's rm reports the topic
// gone; mtrie.cpp keeps a set of pipes per prefix). Cancelled once, the
// topic must stay subscribed and unreported; cancelled twice, the XPUB
// must report it gone, once.
func TestSubscriptionCounts(t *testing.T) {
	cases := []struct {
		name    string
		cancels int
		reports []string // what the XPUB receives, the marker "z" last
		kept    bool     // whether the SUB still gets the topic
	}{
		{"subscribed twice, cancelled once", 1, []string{"\x01t", "\x01z"}, true},
		{"subscribed twice, cancelled twice", 2, []string{"\x01t", "\x00t", "\x01z"}, false},
	}
	pairs := []struct {
		name            string
		ourSub, ourXPub bool
	}{
		{"libzmq SUB to libzmq XPUB", false, false},
		{"xbahn SUB to libzmq XPUB", true, false},
		{"libzmq SUB to xbahn XPUB", false, true},
		{"xbahn SUB to xbahn XPUB", true, true},
	}
	for _, p := range pairs {
		for _, c := range cases {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				var x client
				if p.ourXPub {
					x = ours{newOurs(t, zmtp.XPUB, nil)}
				} else {
					x = theirs{newZ(t, zmq.XPUB)}
				}
				sub := libzmqSubscriber(t)
				if p.ourSub {
					sub = ourSubscriber(t)
				}
				sub.connect(t, x.bind(t))
				ctx := testContext(t, testTimeout)
				report := func() string {
					t.Helper()
					m, err := x.recv(ctx)
					if err != nil {
						t.Fatalf("XPUB: %v", err)
					}
					if len(m) != 1 {
						t.Fatalf("XPUB received %s, want one frame", brief(m))
					}
					return string(m[0])
				}

				// The first subscription proves the connection up;
				// the rest travel on it in order, the marker last.
				if err := sub.subscribe("a"); err != nil {
					t.Fatal(err)
				}
				if got := report(); got != "\x01a" {
					t.Fatalf("XPUB received %q, want %q", got, "\x01a")
				}
				steps := []func(string) error{sub.subscribe, sub.subscribe}
				for range c.cancels {
					steps = append(steps, sub.unsubscribe)
				}
				for _, f := range append(steps, nil) {
					topic := "t"
					if f == nil {
						f, topic = sub.subscribe, "z"
					}
					if err := f(topic); err != nil {
						t.Fatal(err)
					}
				}
				var got []string
				for len(got) == 0 || got[len(got)-1] != "\x01z" {
					got = append(got, report())
				}
				if strings.Join(got, " ") != strings.Join(c.reports, " ") {
					t.Errorf("XPUB received %q, want %q", got, c.reports)
				}

				// The XPUB publishes the topic and then the marker:
				// the SUB gets the topic first if it still holds it.
				for _, m := range [][]string{{"t", "after"}, {"z", "end"}} {
					if err := x.send(ctx, frames(m...)); err != nil {
						t.Fatal(err)
					}
				}
				m, err := sub.recv(opTimeout)
				if err != nil {
					t.Fatalf("SUB: %v", err)
				}
				if kept := string(m[0]) == "t"; kept != c.kept {
					t.Errorf("SUB received %s first; holding a subscription to \"t\": %v", brief(m), c.kept)
				}
			})
		}
	}
}
