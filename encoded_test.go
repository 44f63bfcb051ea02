package xbahn

import (
	"reflect"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn/wire"
)

// TestOnPathEncoded checks that a handler of OnPathEncoded gets the
// messages of its path with their body encoded, that the other handlers
// of such a message, and the messages of other paths, arrive decoded, and
// that a response keeps its body encoded only for a request that asked.
func TestOnPathEncoded(t *testing.T) {
	ctx := testCtx(t)
	for _, enc := range []string{"binary", "json"} {
		server := mustListen(t, "zmq://127.0.0.1:0/router?encoding="+enc, nil)
		l := NewLink(Conns{Receive: server, Respond: server})
		type seen struct {
			encoded bool
			args    []any
		}
		got := make(chan seen, 8)
		stop, err := l.OnPathEncoded("calc", func(m *Message, w *Wire) error {
			body := m.Encoded()
			var x, y int
			if body == nil || len(body.Args) != 2 {
				got <- seen{args: m.Args}
				return w.Respond(m, NewMessage(nil))
			}
			if err := wire.Unmarshal(body.Args[0], &x); err != nil {
				return err
			}
			if err := wire.Unmarshal(body.Args[1], &y); err != nil {
				return err
			}
			got <- seen{encoded: true, args: m.Args}
			return w.Respond(m, NewMessage(map[string]any{"product": x * y}))
		})
		if err != nil {
			t.Fatal(err)
		}
		var plain [][]any
		l.OnReceive(func(m *Message, w *Wire) error {
			plain = append(plain, m.Args)
			return nil
		})

		client := mustConnect(t, "zmq://"+strings.TrimPrefix(server.Endpoint(), "tcp://")+"/dealer?encoding="+enc, nil)
		w := NewLink(Conns{Send: client, Receive: client}).Main()

		// The receive handler runs first and decodes the message: the
		// encoded handler finds its body still there, and Args too.
		resp, err := w.SendAndWait(ctx, "calc.mul", NewMessage("mul", 6, 7))
		if err != nil {
			t.Fatal(err)
		}
		if s := <-got; !s.encoded || len(s.args) != 2 {
			t.Errorf("%s: the encoded handler got encoded %v, args %v; want its body, and the args another handler decoded", enc, s.encoded, s.args)
		}
		if resp.Encoded() != nil || !reflect.DeepEqual(resp.Data, map[string]any{"product": int64(42)}) {
			t.Errorf("%s: a plain SendAndWait got %#v (encoded %v), want the product decoded", enc, resp.Data, resp.Encoded() != nil)
		}

		// A request that asks for it gets its response encoded.
		m := NewMessage("mul", 2, 3)
		m.KeepResponseEncoded()
		resp, err = w.SendAndWait(ctx, "calc", m)
		if err != nil {
			t.Fatal(err)
		}
		<-got
		var product struct{ Product int }
		if body := resp.Encoded(); body == nil || resp.Data != nil {
			t.Errorf("%s: KeepResponseEncoded: response data %#v, encoded %v; want it encoded", enc, resp.Data, body != nil)
		} else if err := wire.Unmarshal(body.Data, &product); err != nil || product.Product != 6 {
			t.Errorf("%s: the encoded response decodes to %+v, %v; want 6", enc, product, err)
		}
		if err := resp.Expand(); err != nil || !reflect.DeepEqual(resp.Data, map[string]any{"product": int64(6)}) {
			t.Errorf("%s: Expand gives %#v, %v", enc, resp.Data, err)
		}

		// Once the handler is gone, its path is decoded as any other.
		stop()
		l.OnPath("calc", func(m *Message, w *Wire) error {
			got <- seen{encoded: m.Encoded() != nil, args: m.Args}
			return w.Respond(m, NewMessage(nil))
		})
		if _, err := w.SendAndWait(ctx, "calc", NewMessage("mul", 1, 2)); err != nil {
			t.Fatal(err)
		}
		if s := <-got; s.encoded || len(s.args) != 2 {
			t.Errorf("%s: after the encoded handler went: encoded %v, args %v; want the args decoded", enc, s.encoded, s.args)
		}
		if len(plain) != 3 || len(plain[0]) != 2 {
			t.Errorf("%s: the receive handler saw args %v, want those of 3 calls", enc, plain)
		}
	}
}
