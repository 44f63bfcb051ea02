package interop

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// wsPath is the HTTP path of every ws endpoint bound here.
const wsPath = "/zws"

// wsTimeout bounds each wait of the ws tests.
const wsTimeout = 5 * time.Second

// wsSocket returns one of our sockets, closed when the test ends.
func wsSocket(t testing.TB, typ zmtp.Type, o *zmtp.Options) *zmtp.Socket {
	t.Helper()
	s, err := zmtp.NewSocket(typ, o)
	if err != nil {
		t.Fatalf("zmtp.NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func wsFrames(s ...string) [][]byte {
	f := make([][]byte, len(s))
	for i, v := range s {
		f[i] = []byte(v)
	}
	return f
}

// ourBindWS binds one of our sockets to a free ws port on loopback.
func ourBindWS(t testing.TB, s *zmtp.Socket) string {
	t.Helper()
	ep, err := s.Bind("ws://127.0.0.1:0" + wsPath)
	if err != nil {
		t.Fatalf("Bind on ws: %v", err)
	}
	return ep
}

// A wsEnd is one side of a ws connection, ours or libzmq's.
type wsEnd struct {
	send func(frames [][]byte) error
	// recv receives a message, giving up after d.
	recv func(d time.Duration) ([][]byte, error)
}

func ourEnd(ctx context.Context, s *zmtp.Socket) wsEnd {
	return wsEnd{
		send: func(f [][]byte) error { return s.Send(ctx, f...) },
		recv: func(d time.Duration) ([][]byte, error) {
			rctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return s.Recv(rctx)
		},
	}
}

// A wsShape is a pair of socket types: the first side sends, the second
// receives and, when answer is set, sends back what it received.
type wsShape struct {
	name       string
	first      zmtp.Type
	second     zmtp.Type
	answer     bool
	envelope   bool // the second side sees the first's routing id
	subscribed bool // the second side subscribes
}

var wsShapes = []wsShape{
	{name: "REQ-REP", first: zmtp.REQ, second: zmtp.REP, answer: true},
	{name: "DEALER-ROUTER", first: zmtp.DEALER, second: zmtp.ROUTER, answer: true, envelope: true},
	{name: "DEALER-DEALER", first: zmtp.DEALER, second: zmtp.DEALER, answer: true},
	{name: "PUB-SUB", first: zmtp.PUB, second: zmtp.SUB, subscribed: true},
	{name: "PUSH-PULL", first: zmtp.PUSH, second: zmtp.PULL},
	{name: "PAIR-PAIR", first: zmtp.PAIR, second: zmtp.PAIR, answer: true},
}

// wsExchange sends messages from a to b (and back, for sh.answer), after
// waiting for a subscription to reach a publisher. A ROUTER b must see
// the routing id id.
func wsExchange(t *testing.T, sh wsShape, a, b wsEnd, id string) {
	t.Helper()
	if sh.subscribed {
		deadline := time.Now().Add(wsTimeout)
		for {
			if err := a.send(wsFrames("news", "probe")); err != nil {
				t.Fatal(err)
			}
			if _, err := b.recv(20 * time.Millisecond); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the subscription never reached the publisher")
			}
		}
		if err := a.send(wsFrames("sport", "not subscribed")); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("z", 70000)
	for _, msg := range [][][]byte{wsFrames("news", "one"), wsFrames("news", "", "two", big), wsFrames("news")} {
		if err := a.send(msg); err != nil {
			t.Fatal(err)
		}
		got, err := b.recv(wsTimeout)
		if err != nil {
			t.Fatalf("receiving %s: %v", brief(msg), err)
		}
		body := got
		if sh.envelope {
			if len(got) == 0 || !bytes.Equal(got[0], []byte(id)) {
				t.Fatalf("received %s, want the routing id %q first", brief(got), id)
			}
			body = got[1:]
		}
		if d := diffFrames(body, msg); d != "" {
			t.Fatalf("received %s", d)
		}
		if !sh.answer {
			continue
		}
		if err := b.send(got); err != nil {
			t.Fatal(err)
		}
		back, err := a.recv(wsTimeout)
		if err != nil {
			t.Fatalf("receiving the answer: %v", err)
		}
		if d := diffFrames(back, msg); d != "" {
			t.Fatalf("answer: %s", d)
		}
	}
}
