//go:build libzmq

package interop

import (
	"context"
	"fmt"
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// The ends of a request-reply pairing. Each hides the envelope its socket
// type needs, so that a test drives every pairing with the same request
// and reply bodies. Adding a socket type means adding an end here and a
// row to the pairing tables.

// An end is a socket that can take either side of bind and connect.
type end interface {
	bind(t testing.TB) string
	connect(t testing.TB, ep string)
}

// A client sends requests and receives their replies.
type client interface {
	end
	send(ctx context.Context, body [][]byte) error
	recv(ctx context.Context) ([][]byte, error)
}

// A server receives requests and sends replies.
type server interface {
	end
	recv(ctx context.Context) ([][]byte, error)
	send(ctx context.Context, body [][]byte) error
}

// ours is the end shared by our sockets.
type ours struct{ s *zmtp.Socket }

func (o ours) bind(t testing.TB) string        { return ourBind(t, o.s) }
func (o ours) connect(t testing.TB, ep string) { ourConnect(t, o.s, ep) }
func (o ours) send(ctx context.Context, body [][]byte) error {
	return o.s.Send(ctx, body...)
}
func (o ours) recv(ctx context.Context) ([][]byte, error) { return o.s.Recv(ctx) }

// theirs is the end shared by libzmq sockets that need no envelope work:
// REQ and REP. libzmq calls are bounded by the socket's timeouts, not by
// the context.
type theirs struct{ s *zmq.Socket }

func (z theirs) bind(t testing.TB) string        { return zbind(t, z.s) }
func (z theirs) connect(t testing.TB, ep string) { zconnect(t, z.s, ep) }
func (z theirs) send(_ context.Context, body [][]byte) error {
	return zsend(z.s, body...)
}
func (z theirs) recv(context.Context) ([][]byte, error) { return zrecv(z.s) }

// dealer is a DEALER acting as a REQ: it puts the empty delimiter in
// front of each request and expects it in front of each reply.
type dealer struct{ client }

func (d dealer) send(ctx context.Context, body [][]byte) error {
	return d.client.send(ctx, append([][]byte{{}}, body...))
}

func (d dealer) recv(ctx context.Context) ([][]byte, error) {
	m, err := d.client.recv(ctx)
	if err != nil {
		return nil, err
	}
	if len(m) == 0 || len(m[0]) != 0 {
		return nil, fmt.Errorf("DEALER got %s, want an empty delimiter first", brief(m))
	}
	return m[1:], nil
}

// router is a ROUTER acting as a REP: it takes each request as
// [routing id, empty delimiter, body...] and routes the reply by the id of
// the last request.
type router struct {
	server
	id []byte
}

func (r *router) recv(ctx context.Context) ([][]byte, error) {
	m, err := r.server.recv(ctx)
	if err != nil {
		return nil, err
	}
	if len(m) < 2 || len(m[0]) == 0 || len(m[1]) != 0 {
		return nil, fmt.Errorf("ROUTER got %s, want [routing id, empty delimiter, body...]", brief(m))
	}
	r.id = m[0]
	return m[2:], nil
}

func (r *router) send(ctx context.Context, body [][]byte) error {
	return r.server.send(ctx, append([][]byte{r.id, {}}, body...))
}

// Constructors of the ends, by name.
var (
	clientEnds = map[string]func(t testing.TB) client{
		"xbahn REQ":     func(t testing.TB) client { return ours{newOurs(t, zmtp.REQ, nil)} },
		"xbahn DEALER":  func(t testing.TB) client { return dealer{ours{newOurs(t, zmtp.DEALER, nil)}} },
		"libzmq REQ":    func(t testing.TB) client { return theirs{newZ(t, zmq.REQ)} },
		"libzmq DEALER": func(t testing.TB) client { return dealer{theirs{newZ(t, zmq.DEALER)}} },
		"xbahn PAIR":    func(t testing.TB) client { return ours{newOurs(t, zmtp.PAIR, nil)} },
	}
	serverEnds = map[string]func(t testing.TB) server{
		"xbahn REP":     func(t testing.TB) server { return ours{newOurs(t, zmtp.REP, nil)} },
		"xbahn ROUTER":  func(t testing.TB) server { return &router{server: ours{newOurs(t, zmtp.ROUTER, nil)}} },
		"libzmq REP":    func(t testing.TB) server { return theirs{newZ(t, zmq.REP)} },
		"libzmq ROUTER": func(t testing.TB) server { return &router{server: theirs{newZ(t, zmq.ROUTER)}} },
		"libzmq PAIR":   func(t testing.TB) server { return theirs{newZ(t, zmq.PAIR)} },
	}
)

// A pairing is a client end and a server end that may talk, and which of
// them binds.
type pairing struct {
	client, server string
	clientBinds    bool
}

func (p pairing) String() string {
	if p.clientBinds {
		return p.server + " connects to " + p.client
	}
	return p.client + " connects to " + p.server
}

// pairings lists the request-reply pairings with at least one of our
// sockets, each in both bind/connect directions, plus our REQ with our REP
// as a reference. PAIR sockets take turns the same way.
func pairings() []pairing {
	pairs := [][2]string{
		{"xbahn REQ", "libzmq REP"},
		{"libzmq REQ", "xbahn REP"},
		{"xbahn REQ", "libzmq ROUTER"},
		{"libzmq DEALER", "xbahn REP"},
		{"xbahn REQ", "xbahn REP"},
		{"xbahn DEALER", "libzmq REP"},
		{"xbahn DEALER", "libzmq ROUTER"},
		{"libzmq REQ", "xbahn ROUTER"},
		{"libzmq DEALER", "xbahn ROUTER"},
		{"xbahn PAIR", "libzmq PAIR"},
	}
	var ps []pairing
	for _, p := range pairs {
		ps = append(ps, pairing{client: p[0], server: p[1]}, pairing{client: p[0], server: p[1], clientBinds: true})
	}
	return ps
}

// open creates and joins the two ends of p.
func (p pairing) open(t testing.TB) (client, server) {
	t.Helper()
	c, s := clientEnds[p.client](t), serverEnds[p.server](t)
	if p.clientBinds {
		s.connect(t, c.bind(t))
	} else {
		c.connect(t, s.bind(t))
	}
	return c, s
}

// answer is the reply a server gives to body in the tests: the frames in
// reverse order, each with its bits inverted, so that a reply can be told
// from an echo.
func answer(body [][]byte) [][]byte {
	out := make([][]byte, len(body))
	for i, f := range body {
		g := make([]byte, len(f))
		for j, b := range f {
			g[j] = ^b
		}
		out[len(body)-1-i] = g
	}
	return out
}

// roundTrip sends req from c, checks that s receives it byte for byte,
// answers it and checks that c receives the answer byte for byte.
func roundTrip(t testing.TB, ctx context.Context, c client, s server, req [][]byte) {
	t.Helper()
	if err := c.send(ctx, req); err != nil {
		t.Fatalf("client send: %v", err)
	}
	got, err := s.recv(ctx)
	if err != nil {
		t.Fatalf("server recv: %v", err)
	}
	if d := diffFrames(got, req); d != "" {
		t.Fatalf("server received a different request: %s", d)
	}
	rep := answer(req)
	if err := s.send(ctx, rep); err != nil {
		t.Fatalf("server send: %v", err)
	}
	got, err = c.recv(ctx)
	if err != nil {
		t.Fatalf("client recv: %v", err)
	}
	if d := diffFrames(got, rep); d != "" {
		t.Fatalf("client received a different reply: %s", d)
	}
}
