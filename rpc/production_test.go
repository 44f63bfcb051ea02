package rpc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// serveREP starts s on a REP URL over loopback and returns the URL for
// REQ clients.
func serveREP(t testing.TB, s *Server) string {
	t.Helper()
	conn := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	return "zmq://" + strings.TrimPrefix(conn.Endpoint(), "tcp://") + "/req"
}

// TestREPServesConcurrently has four REQ clients call a REP URL at once
// with a handler that returns only when four calls run together: served
// one at a time, they could never finish.
func TestREPServesConcurrently(t *testing.T) {
	const n = 4
	var running atomic.Int32
	all := make(chan struct{})
	s := mustServer(t, nil)
	s.Register("together", func(ctx context.Context) error {
		if running.Add(1) == n {
			close(all)
		}
		select {
		case <-all:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	url := serveREP(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		c := newTestClient(t, url)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
			defer cancel()
			_, err := c.Call(ctx, "together")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a call of four that must run at once: %v", err)
		}
	}
}

// waitServer is a server whose "wait" call reports its context's end.
type waitServer struct {
	started chan struct{}
	ended   chan error // the context's error, and whether it had a deadline
	hadDL   chan bool
}

func newWaitServer(t *testing.T) (*waitServer, *Server) {
	w := &waitServer{started: make(chan struct{}, 1), ended: make(chan error, 1), hadDL: make(chan bool, 1)}
	s := mustServer(t, nil)
	s.Register("wait", func(ctx context.Context) error {
		_, ok := ctx.Deadline()
		w.hadDL <- ok
		w.started <- struct{}{}
		<-ctx.Done()
		w.ended <- ctx.Err()
		return ctx.Err()
	})
	s.Register("echo", func(v string) string { return v })
	return w, s
}

// waitPair serves a wait server on a new URL of type typ, "rep" or
// "router", and returns it with a client of its peer type.
func waitPair(t *testing.T, typ string, o *ClientOptions) (*waitServer, *Client) {
	t.Helper()
	ws, s := newWaitServer(t)
	conn := mustListen(t, "zmq://127.0.0.1:0/"+typ, nil)
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	peer := map[string]string{"rep": "req", "router": "dealer"}[typ]
	return ws, newTestClientWith(t, "zmq://"+strings.TrimPrefix(conn.Endpoint(), "tcp://")+"/"+peer, o)
}

func (w *waitServer) end(t *testing.T, want error) {
	t.Helper()
	select {
	case err := <-w.ended:
		if !errors.Is(err, want) {
			t.Errorf("the handler's context ended with %v, want %v", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context did not end")
	}
}

// TestDeadlinesAndCancelsCrossTheWire checks, over REQ/REP and
// DEALER/ROUTER, that the handler's context ends at the caller's deadline
// and when the caller cancels, and that a REQ client calls again at once.
func TestDeadlinesAndCancelsCrossTheWire(t *testing.T) {
	for _, typ := range []string{"rep", "router"} {
		t.Run(typ, func(t *testing.T) {
			ws, c := waitPair(t, typ, nil)

			// The caller's deadline.
			ctx, cancel := context.WithTimeout(testCtx(t), 150*time.Millisecond)
			_, err := c.Call(ctx, "wait")
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a call past its deadline = %v", err)
			}
			if !<-ws.hadDL {
				t.Error("the handler's context had no deadline")
			}
			ws.end(t, context.DeadlineExceeded)

			// The caller cancels.
			ctx, cancel = context.WithCancel(testCtx(t))
			done := make(chan error, 1)
			go func() {
				_, err := c.Call(ctx, "wait")
				done <- err
			}()
			<-ws.hadDL
			<-ws.started
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("a cancelled call = %v", err)
			}
			ws.end(t, context.Canceled)

			// The next call goes through at once.
			if v, err := c.Call(testCtx(t), "echo", "again"); err != nil || v != "again" {
				t.Errorf("the call after = %v, %v", v, err)
			}
		})
	}
}

// TestErrorCodes checks that errors.Is finds what kind of failure a
// server of ours answered.
func TestErrorCodes(t *testing.T) {
	ctx := testCtx(t)
	_, c := pair(t, "rep", &ServerOptions{CallTimeout: 20 * time.Millisecond}, nil, func(s *Server) {
		s.RegisterMethods(&calc{})
		s.Register("forbidden", func() error { return WithCode(CodePermissionDenied, errors.New("not you")) })
		s.Register("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	})
	for _, tt := range []struct {
		method string
		args   []any
		want   error
	}{
		{"multiply", []any{"x", 1}, ErrInvalidArgument},
		{"multiply", []any{1}, ErrInvalidArgument},
		{"nothing", nil, ErrNotExposed},
		{"forbidden", nil, ErrPermission},
		{"boom", nil, ErrInternal},
		{"slow", nil, context.DeadlineExceeded},
	} {
		_, err := c.Call(ctx, tt.method, tt.args...)
		var re *Error
		if !errors.As(err, &re) || !errors.Is(err, tt.want) {
			t.Errorf("%s%v = %v (code %q), want an *Error matching %v", tt.method, tt.args, err, codeOf(re), tt.want)
		}
	}
}

func codeOf(e *Error) Code {
	if e == nil {
		return ""
	}
	return e.Code
}

// TestUnreachableFailsFast checks that a call to a peer that cannot be
// reached fails with the dial's error once the connect timeout passes,
// before its own deadline.
func TestUnreachableFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	opts := &xbahn.Options{Socket: zmtp.Options{ConnectTimeout: 100 * time.Millisecond, ReconnectInterval: 10 * time.Millisecond}}
	for _, tt := range []struct {
		url   string
		check func(error) bool
	}{
		{"zmq://" + refused + "/req", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"zmq://" + refused + "/dealer", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"zmq://no-such-host.invalid:7050/req", func(err error) bool { var de *net.DNSError; return errors.As(err, &de) }},
	} {
		conn := mustConnect(t, tt.url, opts)
		ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
		_, err := NewClient(ctx, xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main(), nil)
		if !errors.Is(err, zmtp.ErrUnreachable) || !tt.check(err) || ctx.Err() != nil {
			t.Errorf("%s: NewClient = %v, want ErrUnreachable with the dial's error before the deadline", tt.url, err)
		}
		cancel()
	}
}

// TestShutdown checks that Shutdown answers the calls in flight, refuses
// new ones, and then ends Serve.
func TestShutdown(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // whatever fails, the handlers end
	var started sync.WaitGroup
	s := mustServer(t, nil)
	s.Register("held", func() string { started.Done(); <-release; return "done" })
	conn := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	served := make(chan error, 1)
	go func() { served <- s.Serve(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})) }()
	url := "zmq://" + strings.TrimPrefix(conn.Endpoint(), "tcp://") + "/req"
	const n = 3
	results := make(chan error, n)
	late := newTestClient(t, url)
	started.Add(n)
	for range n {
		c := newTestClient(t, url)
		go func() {
			v, err := c.Call(testCtx(t), "held")
			if err == nil && v != "done" {
				err = errors.New("wrong result")
			}
			results <- err
		}()
	}
	started.Wait()
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(testCtx(t)) }()
	// Once Shutdown has begun, a new call is refused while the others
	// drain.
	for !s.draining() {
		runtime.Gosched()
	}
	if _, err := late.Call(testCtx(t), "held"); !errors.Is(err, ErrClosed) {
		t.Fatalf("a call during Shutdown = %v, want ErrClosed", err)
	}
	free()
	for range n {
		if err := <-results; err != nil {
			t.Errorf("a call in flight at Shutdown: %v", err)
		}
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := <-served; !errors.Is(err, ErrClosed) {
		t.Errorf("Serve = %v, want ErrClosed", err)
	}
}

// TestShutdownDeadline checks that a Shutdown whose context ends cancels
// the calls still running.
func TestShutdownDeadline(t *testing.T) {
	w, s := newWaitServer(t)
	c := newTestClient(t, serveREP(t, s))
	done := make(chan error, 1)
	go func() { _, err := c.Call(testCtx(t), "wait"); done <- err }()
	<-w.started
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want its context's error", err)
	}
	w.end(t, context.Canceled)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the call = %v, want its cancellation", err)
	}
}

// TestInterceptorsAndStats checks the order of interceptors, what they
// see, and the counts of Stats.
func TestInterceptorsAndStats(t *testing.T) {
	ctx := testCtx(t)
	var mu sync.Mutex
	var order []string
	record := func(name string) Interceptor {
		return func(ctx context.Context, call *CallInfo, next Handler) (any, error) {
			mu.Lock()
			order = append(order, name+">"+call.Method)
			mu.Unlock()
			v, err := next(ctx, call)
			mu.Lock()
			order = append(order, "<"+name)
			mu.Unlock()
			return v, err
		}
	}
	clientSide := func(ctx context.Context, path, method string, args []any, kw map[string]any, invoke Invoker) (any, error) {
		mu.Lock()
		order = append(order, "client>"+method)
		mu.Unlock()
		return invoke(ctx, path, method, args, kw)
	}
	s, c := pair(t, "rep", &ServerOptions{Interceptors: []Interceptor{record("outer"), record("inner")}},
		&ClientOptions{Interceptors: []ClientInterceptor{clientSide}}, func(s *Server) { s.RegisterMethods(&calc{}) })
	mu.Lock()
	order = nil // what obtaining the id did
	mu.Unlock()
	if _, err := c.Call(ctx, "multiply", 2, 3); err != nil {
		t.Fatal(err)
	}
	c.Call(ctx, "divide", 1, 0)
	c.Call(ctx, "nothing")
	mu.Lock()
	got := strings.Join(order[:5], " ")
	mu.Unlock()
	if want := "client>multiply outer>multiply inner>multiply <inner <outer"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	st := s.Stats()
	if st.Served != 4 || st.Failed != 2 || st.InFlight != 0 {
		t.Errorf("Stats = %+v, want 4 served (with obtain_client_id), 2 failed", st)
	}
	if m := st.Methods["multiply"]; m.Served != 1 || m.Failed != 0 {
		t.Errorf("multiply stats %+v", m)
	}
	if m := st.Methods[""]; m.Served != 2 || m.Failed != 1 {
		t.Errorf("unregistered methods' stats %+v, want obtain_client_id and nothing", m)
	}
}

// TestPanicLogged checks that a handler's panic is answered and logged
// with its stack.
func TestPanicLogged(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	_, c := pair(t, "rep", &ServerOptions{Logger: logger}, nil, func(s *Server) { s.RegisterMethods(&calc{}) })
	_, err := c.Call(testCtx(t), "boom")
	if !errors.Is(err, ErrInternal) || !strings.Contains(err.Error(), "panic: kaboom") {
		t.Errorf("a panic = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if s := logs.String(); !strings.Contains(s, "a call panicked") || !strings.Contains(s, "production_test.go") && !strings.Contains(s, "rpc_test.go") {
		t.Errorf("log %q, want the panic with its stack", s)
	}
}

// draining reports whether Shutdown or Close began.
func (s *Server) draining() bool {
	s.calls.gate.RLock()
	defer s.calls.gate.RUnlock()
	return s.calls.draining
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestWaitForSignalTerm runs a server in a child process and sends it
// SIGTERM: WaitForSignal returns, and the program ends cleanly.
func TestWaitForSignalTerm(t *testing.T) {
	if os.Getenv("XBAHN_SIGNAL_CHILD") == "1" {
		conn, err := xbahn.Listen("zmq://127.0.0.1:0/rep", nil)
		if err != nil {
			os.Exit(3)
		}
		// Take SIGTERM from the runtime now, so that the one sent once
		// the parent reads "ready" cannot come before WaitForSignal
		// takes it too.
		signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM)
		os.Stdout.WriteString("ready\n")
		conn.WaitForSignal()
		os.Stdout.WriteString("closed cleanly\n")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestWaitForSignalTerm$")
	cmd.Env = append(os.Environ(), "XBAHN_SIGNAL_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("the child said %q, %v", buf, err)
	}
	// The child registers for SIGTERM in WaitForSignal a moment after it
	// says ready, and nothing tells when: a signal sent before that goes
	// to the channel that only keeps the runtime from acting on it. So
	// the signal is sent again until the child ends, within a bound.
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		give := time.After(10 * time.Second)
		for {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-ended:
				return
			case <-give:
				cmd.Process.Kill()
				return
			case <-tick.C:
			}
		}
	}()
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil || !strings.Contains(string(rest), "closed cleanly") {
		t.Errorf("the child ended with %v after %q, want a clean close", err, rest)
	}
}

// TestCancelOnlyByCaller checks that a cancel message naming a call that
// came on another connection cancels nothing, and that the caller's own
// cancel still does.
func TestCancelOnlyByCaller(t *testing.T) {
	ids := make(chan string, 1)
	ended := make(chan error, 1)
	s := mustServer(t, nil)
	s.Register("wait", func(ctx context.Context) error {
		ci, _ := FromContext(ctx)
		ids <- ci.Message.ID
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	})
	conn := mustListen(t, "zmq://127.0.0.1:0/router", nil)
	mustServe(t, s, xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn}))
	u := "zmq://" + strings.TrimPrefix(conn.Endpoint(), "tcp://") + "/dealer"
	caller := newTestClient(t, u)

	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() {
		_, err := caller.Call(ctx, "wait")
		done <- err
	}()
	id := <-ids

	other := xbahn.NewLink(xbahn.Conns{Send: mustConnect(t, u, nil)}).Main()
	resp, err := other.SendAndWait(testCtx(t), "comm.cancel", xbahn.NewMessage(id))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Data != false {
		t.Errorf("a cancel from another connection answered %v, want false", resp.Data)
	}
	select {
	case err := <-ended:
		t.Fatalf("a cancel from another connection ended the call: %v", err)
	default:
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled call = %v", err)
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the handler's context ended with %v, want %v", err, context.Canceled)
	}
}
