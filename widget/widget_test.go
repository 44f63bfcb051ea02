package widget

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/zmtp"
)

type counter struct{ n int }

func (c *counter) Add(k int) int { c.n += k; return c.n }

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// server starts an rpc server with a widget host on an inproc REP.
func server(t *testing.T, opts *xbahn.Options, name string, so *rpc.ServerOptions, ho *HostOptions) (*rpc.Server, *xbahn.Conn) {
	t.Helper()
	conn, err := xbahn.Listen("zmq://"+name+"/rep?transport=inproc", opts)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := rpc.NewServer(so)
	t.Cleanup(func() { s.Close(); conn.Close() })
	h, err := NewHost(s, ho)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Register("counter", func(*Instance) any { return &counter{} }); err != nil {
		t.Fatal(err)
	}
	if err := h.Register("counter", func(*Instance) any { return &counter{} }); err == nil {
		t.Error("a second Register of the same name = nil, want an error")
	}
	s.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	return s, conn
}

func client(t *testing.T, opts *xbahn.Options, name string) *rpc.Client {
	t.Helper()
	conn, _ := xbahn.Connect("zmq://"+name+"/req?transport=inproc", opts)
	t.Cleanup(func() { conn.Close() })
	c, err := rpc.NewClient(testCtx(t), xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReattachAfterRestart(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	s, conn := server(t, opts, "w1", nil, nil)
	c := client(t, opts, "w1")
	w, err := Attach(ctx, c, "counter", "c1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := CallAs[int](ctx, w, "add", 5); n != 5 {
		t.Fatalf("add = %d", n)
	}
	// The server restarts: its instances are gone. The next call
	// attaches again and goes through on a new instance.
	s.Close()
	conn.Close()
	server(t, opts, "w1", nil, nil)
	if n, err := CallAs[int](ctx, w, "add", 2); err != nil || n != 2 {
		t.Errorf("add after the restart = %d, %v; want 2 on a fresh instance", n, err)
	}
}

func TestDetachRemovesOnlyOne(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	server(t, opts, "w2", nil, nil)
	c := client(t, opts, "w2")
	a, _ := Attach(ctx, c, "counter", "a", nil)
	b, _ := Attach(ctx, c, "counter", "b", nil)
	a.Call(ctx, "add", 1)
	b.Call(ctx, "add", 10)
	if err := a.Detach(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := CallAs[int](ctx, b, "add", 1); n != 11 {
		t.Errorf("b after detaching a = %d, want 11", n)
	}
	// Calling a detached widget attaches it again, afresh.
	if n, _ := CallAs[int](ctx, a, "add", 1); n != 1 {
		t.Errorf("a again = %d, want 1", n)
	}
}

func TestSharedAndPerClient(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	server(t, opts, "shared", nil, nil)
	server(t, opts, "own", &rpc.ServerOptions{ClientAware: true, IdleTimeout: 100 * time.Millisecond}, &HostOptions{PerClient: true})
	for _, tt := range []struct {
		name string
		want int // what the second client sees after the first added 5
	}{{"shared", 6}, {"own", 1}} {
		c1, c2 := client(t, opts, tt.name), client(t, opts, tt.name)
		w1, _ := Attach(ctx, c1, "counter", "x", nil)
		w2, _ := Attach(ctx, c2, "counter", "x", nil)
		w1.Call(ctx, "add", 5)
		if n, _ := CallAs[int](ctx, w2, "add", 1); n != tt.want {
			t.Errorf("%s: second client sees %d, want %d", tt.name, n, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	server(t, opts, "w3", nil, nil)
	c := client(t, opts, "w3")
	for _, tt := range []struct{ name, id, want string }{
		{"counter", "a.b", "one path segment"},
		{"", "x", "one path segment"},
		{"nothing", "x", `no widget called "nothing"`},
	} {
		if _, err := Attach(ctx, c, tt.name, tt.id, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Attach(%q, %q) = %v, want %q", tt.name, tt.id, err, tt.want)
		}
	}
	if _, err := Attach(ctx, c, "counter", "x", &AttachOptions{Local: &counter{}}); err == nil {
		t.Error("a local side without a host was accepted")
	}
	w, _ := Attach(ctx, c, "counter", "x", nil)
	if _, err := w.Call(ctx, "nope"); !errors.Is(err, rpc.ErrNotExposed) || !strings.Contains(err.Error(), "action 'nope' not exposed on API (Server)") {
		t.Errorf("unknown method: %v, want the original's not exposed", err)
	}
	// Per-client widgets need a client-aware server.
	server(t, opts, "w4", nil, &HostOptions{PerClient: true})
	c4 := client(t, opts, "w4")
	if _, err := Attach(ctx, c4, "counter", "x", nil); err == nil {
		t.Error("per-client widgets on a plain server were accepted")
	}
}

// TestPerClientOwnership checks that on a widget-aware host a client
// reaches only the instances it attached, whatever path it calls.
func TestPerClientOwnership(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	server(t, opts, "owned", &rpc.ServerOptions{ClientAware: true}, &HostOptions{PerClient: true})
	alice, mallory := client(t, opts, "owned"), client(t, opts, "owned")
	w, err := Attach(ctx, alice, "counter", "x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Call(ctx, "add", 5); err != nil {
		t.Fatal(err)
	}
	// Mallory calls Alice's instance by its path, and attaches to its id.
	_, err = mallory.CallPath(ctx, "widgets.counter."+alice.ID()+".x", "add", []any{1}, nil)
	if !errors.Is(err, rpc.ErrWidgetNotFound) {
		t.Errorf("another client's instance: %v, want ErrWidgetNotFound", err)
	}
	if _, err := mallory.Call(ctx, "attach_remote", alice.ID()+".x", "counter"); err == nil {
		t.Error("attaching to another client's id succeeded")
	}
	if n, err := CallAs[int](ctx, w, "add", 1); err != nil || n != 6 {
		t.Errorf("Alice's instance = %d, %v; want 6, untouched", n, err)
	}
}

// TestRequestWidget checks the original's request_widget: a server asks
// a two-way client to attach its widget again, and the client does.
func TestRequestWidget(t *testing.T) {
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: &zmtp.Hub{}}
	s, _ := server(t, opts, "req-widget", &rpc.ServerOptions{ClientAware: true, Conn: opts}, &HostOptions{PerClient: true})
	conn, _ := xbahn.Connect("zmq://req-widget/req?transport=inproc", opts)
	t.Cleanup(func() { conn.Close() })
	responder, err := xbahn.Listen("zmq://req-widget-back/rep?transport=inproc", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { responder.Close() })
	local, _ := rpc.NewServer(nil)
	t.Cleanup(func() { local.Close() })
	host, err := NewHost(local, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rpc.NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main(),
		&rpc.ClientOptions{Responder: responder, Local: local})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	w, err := Attach(ctx, c, "counter", "x", &AttachOptions{Local: &counter{}, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Call(ctx, "add", 3); err != nil {
		t.Fatal(err)
	}
	// The server forgets the instance, then asks the client for it.
	if _, err := c.Call(ctx, "detach_remote", c.ID()+".x", "counter"); err != nil {
		t.Fatal(err)
	}
	remote := s.Client(c.ID())
	if remote == nil {
		t.Fatal("the server has no record of the client")
	}
	if _, err := remote.Call(ctx, "request_widget", "counter", c.ID()+".x"); err != nil {
		t.Fatalf("request_widget: %v", err)
	}
	// The instance is back, new: no retry was needed to find it.
	v, err := c.CallPath(ctx, "widgets.counter."+c.ID()+".x", "add", []any{1}, nil)
	if err != nil || v != int64(1) {
		t.Errorf("after request_widget: %v, %v; want 1 from a new instance", v, err)
	}
}
