package rpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustListen opens a listening connection, closed when the test ends.
func mustListen(t testing.TB, url string, o *xbahn.Options) *xbahn.Conn {
	t.Helper()
	conn, err := xbahn.Listen(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// mustConnect opens a connecting connection, closed when the test ends.
func mustConnect(t testing.TB, url string, o *xbahn.Options) *xbahn.Conn {
	t.Helper()
	conn, err := xbahn.Connect(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// mustServer makes a server, closed when the test ends, and registers
// the methods of each of methods on it.
func mustServer(t testing.TB, so *ServerOptions, methods ...any) *Server {
	t.Helper()
	s, err := NewServer(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, m := range methods {
		if err := s.RegisterMethods(m); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// mustServe has s serve l.
func mustServe(t testing.TB, s *Server, l *xbahn.Link) {
	t.Helper()
	if err := s.Attach(l); err != nil {
		t.Fatal(err)
	}
}

// pair starts a server on a REP (or ROUTER) connection over loopback TCP
// and returns a client connected to it with a REQ (or DEALER).
func pair(t testing.TB, typ string, so *ServerOptions, co *ClientOptions, setup func(*Server)) (*Server, *Client) {
	t.Helper()
	conn, err := xbahn.Listen("zmq://127.0.0.1:0/"+typ, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s, err := NewServer(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if setup != nil {
		setup(s)
	}
	if err := s.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})); err != nil {
		t.Fatal(err)
	}
	peer := map[string]string{"rep": "req", "router": "dealer"}[typ]
	cconn, err := xbahn.Connect("zmq://"+strings.TrimPrefix(conn.Endpoint(), "tcp://")+"/"+peer, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cconn.Close() })
	c, err := NewClient(testCtx(t), xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(), co)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

type calc struct{ calls atomic.Int32 }

func (c *calc) Multiply(a, b int) int { c.calls.Add(1); return a * b }
func (c *calc) Divide(a, b float64) (float64, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}
func (c *calc) Boom()                           { panic("kaboom") }
func (c *calc) Split(s string) (string, string) { a, b, _ := strings.Cut(s, " "); return a, b }
func (c *calc) Sum(xs ...int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
func (c *calc) Who(ctx context.Context) string {
	info, _ := FromContext(ctx)
	return info.Method + "/" + info.ClientID
}
func (c *calc) Wait(ctx context.Context) error  { <-ctx.Done(); return ctx.Err() }
func (c *calc) Pair(p struct{ X, Y int }) []int { return []int{p.X, p.Y} }
func (c *calc) unexported() int                 { return 1 }

// unexported exists to show that RegisterMethods leaves it out.
var _ = (*calc).unexported

func TestCalls(t *testing.T) {
	ctx := testCtx(t)
	_, c := pair(t, "rep", nil, nil, func(s *Server) {
		if err := s.RegisterMethods(&calc{}); err != nil {
			t.Fatal(err)
		}
		s.Register("greet", func(greeting, name string, rest Kwargs) string {
			return fmt.Sprintf("%s, %s%v", greeting, name, rest["punct"])
		}, "greeting", "name")
	})
	if c.ID() != "$" {
		t.Errorf("client id from a plain server = %q, want $", c.ID())
	}
	tests := []struct {
		method string
		args   []any
		kwargs map[string]any
		want   string
		errHas string
	}{
		{"multiply", []any{7, 6}, nil, "42", ""},
		{"multiply", []any{int8(7), uint16(6)}, nil, "42", ""},
		{"multiply", []any{7.0, 6}, nil, "42", ""},
		{"divide", []any{1, 4}, nil, "0.25", ""},
		{"divide", []any{1, 0}, nil, "", "division by zero"},
		{"split", []any{"a b"}, nil, "[a b]", ""},
		{"sum", []any{1, 2, 3, 4}, nil, "10", ""},
		{"sum", nil, nil, "0", ""},
		{"pair", []any{map[string]any{"x": 1, "Y": 2}}, nil, "[1 2]", ""},
		{"who", nil, nil, "who/$", ""},
		{"greet", []any{"hello"}, map[string]any{"name": "world", "punct": "!"}, "hello, world!", ""},
		{"greet", nil, map[string]any{"greeting": "hi", "name": "x"}, "hi, x<nil>", ""},
		{"multiply", []any{"7", 6}, nil, "", `argument 1: cannot use the string "7" as int`},
		{"multiply", []any{7.5, 6}, nil, "", "argument 1: cannot use the float 7.5 as int"},
		{"multiply", []any{7}, nil, "", "missing argument 2"},
		{"multiply", []any{1, 2, 3}, nil, "", "takes 2 arguments, 3 given"},
		{"multiply", []any{1, 2}, map[string]any{"c": 1}, "", `unexpected keyword argument "c"`},
		{"greet", []any{"a"}, map[string]any{"greeting": "b", "name": "c"}, "", `"greeting" both by position and by name`},
		{"boom", nil, nil, "", "panic: kaboom"},
		{"unexported", nil, nil, "", "action 'unexported' not exposed on API (Server)"},
		{"nothing", nil, nil, "", "action 'nothing' not exposed on API (Server)"},
	}
	for _, tt := range tests {
		got, err := c.CallKw(ctx, tt.method, tt.args, tt.kwargs)
		if tt.errHas != "" {
			var re *Error
			if !errors.As(err, &re) || re.Method != tt.method || !strings.Contains(re.Message, tt.errHas) {
				t.Errorf("%s%v: error = %v, want an *Error with %q", tt.method, tt.args, err, tt.errHas)
			}
			if got, want := errors.Is(err, ErrNotExposed), strings.Contains(tt.errHas, "not exposed"); got != want {
				t.Errorf("%s%v: errors.Is(%v, ErrNotExposed) = %v, want %v", tt.method, tt.args, err, got, want)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("%s%v = %v, %v; want %s", tt.method, tt.args, got, err, tt.want)
		}
	}
	// The server still serves after the failures.
	if n, err := CallAs[int](ctx, c, "multiply", 2, 3); err != nil || n != 6 {
		t.Errorf("CallAs = %d, %v", n, err)
	}
	if _, err := CallAs[string](ctx, c, "multiply", 2, 3); err == nil {
		t.Error("CallAs[string] of an int succeeded")
	}
}

func TestRegisterErrors(t *testing.T) {
	s, _ := NewServer(nil)
	defer s.Close()
	for _, tt := range []struct {
		name   string
		fn     any
		params []string
	}{
		{"", func() {}, nil},
		{MethodClientID, func() {}, nil},
		{"notfunc", 42, nil},
		{"names", func(a, b int) {}, []string{"a"}},
	} {
		if err := s.Register(tt.name, tt.fn, tt.params...); err == nil {
			t.Errorf("Register(%q) succeeded", tt.name)
		}
	}
	s.Register("x", func() {})
	if err := s.Register("x", func() {}); err == nil {
		t.Error("registering a name twice succeeded")
	}
	if _, err := NewServer(&ServerOptions{Key: "short"}); err == nil {
		t.Error("a key of 5 characters was accepted")
	}
	if _, err := NewServer(&ServerOptions{Path: "bad..path"}); err == nil {
		t.Error("an invalid path was accepted")
	}
}

func TestAuth(t *testing.T) {
	ctx := testCtx(t)
	setup := func(s *Server) {
		if err := s.RegisterMethods(&calc{}); err != nil {
			t.Fatal(err)
		}
	}
	_, good := pair(t, "rep", &ServerOptions{Key: "s3cret-key"}, &ClientOptions{Key: "s3cret-key"}, setup)
	if n, err := CallAs[int](ctx, good, "multiply", 2, 2); err != nil || n != 4 {
		t.Errorf("with the key: %d, %v", n, err)
	}
	conn := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	s := mustServer(t, &ServerOptions{Key: "s3cret-key"}, &calc{})
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	cconn := mustConnect(t, "zmq://"+strings.TrimPrefix(conn.Endpoint(), "tcp://")+"/req", nil)
	w := xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main()
	for _, key := range []string{"", "wrong-key!"} {
		bad := newClient(w, &ClientOptions{Key: key})
		_, err := bad.Call(ctx, "multiply", 2, 2)
		var re *Error
		if !errors.As(err, &re) || re.Message != "Authentication failed." || !errors.Is(err, ErrAuth) {
			t.Errorf("key %q: error = %v, want the original's Authentication failed., matching ErrAuth", key, err)
		}
	}
}

func TestTimeoutAndConcurrentCallers(t *testing.T) {
	ctx := testCtx(t)
	for _, typ := range []string{"rep", "router"} {
		t.Run(typ, func(t *testing.T) {
			calc := &calc{}
			_, c := pair(t, typ, nil, nil, func(s *Server) { s.RegisterMethods(calc) })
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			if typ == "router" {
				// A REP serves one call at a time: a call that never
				// ends would block it for good.
				if _, err := c.Call(short, "wait"); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("call past its deadline: %v", err)
				}
			}
			cancel()
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 20; i++ {
						n, err := CallAs[int](ctx, c, "multiply", g, i)
						if err != nil || n != g*i {
							errs <- fmt.Errorf("%d*%d = %d, %v", g, i, n, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestGo(t *testing.T) {
	ctx := testCtx(t)
	_, c := pair(t, "router", nil, nil, func(s *Server) { s.RegisterMethods(&calc{}) })
	done := make(chan *Call, 10)
	for i := 0; i < 10; i++ {
		c.Go(ctx, "multiply", []any{i, 10}, nil, done)
	}
	seen := map[int64]bool{}
	for i := 0; i < 10; i++ {
		call := <-done
		if call.Error != nil {
			t.Fatal(call.Error)
		}
		seen[call.Result.(int64)] = true
	}
	c.Wait()
	if len(seen) != 10 {
		t.Errorf("results %v", seen)
	}
}

// twoWayPair sets up a client-aware server and a two-way client with a
// responder, over inproc.
func twoWayPair(t *testing.T, hub *zmtp.Hub, so ServerOptions) (*Server, *Client, *atomic.Int32, *xbahn.Conn) {
	t.Helper()
	ctx := testCtx(t)
	opts := &xbahn.Options{Hub: hub}
	conn := mustListen(t, "zmq://server/rep?transport=inproc", opts)
	so.ClientAware, so.Conn = true, opts
	s := mustServer(t, &so, &calc{})
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	touched := &atomic.Int32{}
	s.OnNewClient(func(ctx context.Context, c *Remote) {
		if _, err := c.Call(ctx, "touch"); err == nil {
			touched.Add(1)
		}
	})
	resp := mustListen(t, "zmq://responder/rep?transport=inproc", opts)
	local := mustServer(t, nil)
	if err := local.Register("touch", func() bool { return true }); err != nil {
		t.Fatal(err)
	}
	mustServe(t, local, xbahn.NewLink(xbahn.Conns{Receive: resp, Respond: resp}))
	cconn := mustConnect(t, "zmq://server/req?transport=inproc", opts)
	c, err := NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn}).Main(), &ClientOptions{Responder: resp})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, touched, conn
}

func TestTwoWayAndIdle(t *testing.T) {
	ctx := testCtx(t)
	s, c, touched, _ := twoWayPair(t, &zmtp.Hub{}, ServerOptions{IdleTimeout: 100 * time.Millisecond})
	if len(c.ID()) != 36 {
		t.Errorf("client id %q is not a uuid", c.ID())
	}
	if _, err := c.Call(ctx, "multiply", 1, 1); err != nil {
		t.Fatal(err)
	}
	if touched.Load() != 1 || s.Client(c.ID()) == nil {
		t.Fatalf("touched %d times, record %v", touched.Load(), s.Client(c.ID()))
	}
	gone := make(chan string, 1)
	s.OnClientGone(func(r *Remote) { gone <- r.ID })
	select {
	case id := <-gone:
		if id != c.ID() || s.Client(id) != nil {
			t.Errorf("dropped %q; record %v", id, s.Client(id))
		}
	case <-ctx.Done():
		t.Fatal("idle client not dropped")
	}
	// The client comes back: a new record, touched again.
	if _, err := c.Call(ctx, "multiply", 1, 1); err != nil {
		t.Fatal(err)
	}
	if touched.Load() != 2 {
		t.Errorf("touched %d times after the client came back, want 2", touched.Load())
	}
}

func TestTwoWayClientReconnects(t *testing.T) {
	ctx := testCtx(t)
	hub := &zmtp.Hub{}
	s, c, touched, conn := twoWayPair(t, hub, ServerOptions{})
	if _, err := c.Call(ctx, "multiply", 1, 1); err != nil {
		t.Fatal(err)
	}
	// The server restarts and knows nothing of the client.
	s.Close()
	conn.Close()
	opts := &xbahn.Options{Hub: hub}
	conn2 := mustListen(t, "zmq://server/rep?transport=inproc", opts)
	s2 := mustServer(t, &ServerOptions{ClientAware: true, Conn: opts}, &calc{})
	s2.OnNewClient(func(ctx context.Context, r *Remote) {
		if _, err := r.Call(ctx, "touch"); err == nil {
			touched.Add(1)
		}
	})
	mustServe(t, s2, xbahn.NewLink(xbahn.Conns{Receive: conn2, Respond: conn2}))
	// The client goes on with its id; the new server meets it, connects
	// back and touches it.
	if n, err := CallAs[int](ctx, c, "multiply", 6, 7); err != nil || n != 42 {
		t.Fatalf("call after the restart = %d, %v", n, err)
	}
	if touched.Load() != 2 || s2.Client(c.ID()) == nil {
		t.Errorf("touched %d times, record %v; want 2 and a record", touched.Load(), s2.Client(c.ID()))
	}
}

func TestNATTwoWay(t *testing.T) {
	ctx := testCtx(t)
	// One DEALER/ROUTER connection carries both directions.
	conn := mustListen(t, "zmq://127.0.0.1:0/router", nil)
	s := mustServer(t, &ServerOptions{ClientAware: true}, &calc{})
	answers := make(chan any, 1)
	s.OnNewClient(func(ctx context.Context, r *Remote) {
		v, err := r.Call(ctx, "whoami")
		if err != nil {
			v = err
		}
		answers <- v
	})
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))

	cconn := mustConnect(t, "zmq://"+strings.TrimPrefix(conn.Endpoint(), "tcp://")+"/dealer", nil)
	link := xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn})
	local := mustServer(t, nil)
	if err := local.Register("whoami", func() string { return "the client behind NAT" }); err != nil {
		t.Fatal(err)
	}
	mustServe(t, local, link)
	c, err := NewClient(ctx, link.Main(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, "multiply", 3, 3); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-answers:
		if got != "the client behind NAT" {
			t.Errorf("server's call of the client = %v", got)
		}
	case <-ctx.Done():
		t.Fatal("the server did not call the client")
	}
}

func TestConnectBackGuard(t *testing.T) {
	s, _ := NewServer(nil)
	defer s.Close()
	tests := []struct {
		caller string
		remote string
		want   string // the URL, or "" for a refusal
	}{
		{"10.0.0.5:4000", "connect->zmq://10.0.0.5:7051/req?transport=tcp", "zmq://10.0.0.5:7051/req?transport=tcp"},
		{"10.0.0.5:4000", "connect->zmq://0.0.0.0:7051/req?transport=tcp", "zmq://10.0.0.5:7051/req?transport=tcp"},
		{"10.0.0.5:4000", "connect->zmq://10.0.0.6:7051/req?transport=tcp", ""},
		{"10.0.0.5:4000", "connect->zmq://example.com:80/req?transport=tcp", ""},
		{"10.0.0.5:4000", "listen->zmq://0.0.0.0:7051/rep?transport=tcp", ""},
		{"10.0.0.5:4000", "connect->zmq://x/req?transport=inproc", ""},
		{"10.0.0.5:4000", "garbage", ""},
	}
	for _, tt := range tests {
		addr, _ := net.ResolveTCPAddr("tcp", tt.caller)
		got, err := s.checkBack(addr, tt.remote)
		if tt.want == "" {
			if err == nil {
				t.Errorf("remote %q from %s allowed as %q", tt.remote, tt.caller, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("remote %q from %s = %q, %v; want %q", tt.remote, tt.caller, got, err, tt.want)
		}
	}
	allowAll, _ := NewServer(&ServerOptions{ConnectBack: func(net.Addr, string) bool { return true }})
	defer allowAll.Close()
	if _, err := allowAll.checkBack(nil, "connect->zmq://10.9.9.9:1/req"); err != nil {
		t.Errorf("ConnectBack allowing all: %v", err)
	}
}
