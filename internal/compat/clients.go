package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// session is what a Go client of a scenario works with: its connections
// and the first error of its checks.
type session struct {
	ctx     context.Context
	conns   []*xbahn.Conn
	closers []func() error // closed before the connections, last first
	err     error
}

func (s *session) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	for _, c := range s.conns {
		c.Close()
	}
}

// connect opens a connection of type typ to endpoint.
func (s *session) connect(endpoint, typ string) (*xbahn.Conn, error) {
	c, err := xbahn.Connect(url(endpoint, typ), nil)
	if err == nil {
		s.conns = append(s.conns, c)
	}
	return c, err
}

// listen opens a listening connection on loopback.
func (s *session) listen(typ string) (*xbahn.Conn, error) {
	c, err := xbahn.Listen("zmq://127.0.0.1:0/"+typ, nil)
	if err == nil {
		s.conns = append(s.conns, c)
	}
	return c, err
}

// same compares two wire values by their JSON.
func same(got, want any) bool {
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && bytes.Equal(g, w)
}

// want records a failed check unless got, err is the result want, or
// the error text wantErr.
func (s *session) want(what string, got any, err error, want any, wantErr string) {
	if s.err != nil {
		return
	}
	switch {
	case wantErr != "":
		var re *rpc.Error
		if !errors.As(err, &re) || re.Message != wantErr {
			s.err = fmt.Errorf("%s: %v, %v; want the error %q", what, got, err, wantErr)
		}
	case err != nil || !same(got, want):
		s.err = fmt.Errorf("%s = %v, %v; want %v", what, got, err, want)
	}
}

// rpcClient returns a client over a new REQ connection to endpoint.
func (s *session) rpcClient(endpoint string, o *rpc.ClientOptions) (*rpc.Client, *xbahn.Wire, error) {
	conn, err := s.connect(endpoint, "req")
	if err != nil {
		return nil, nil, err
	}
	w := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main()
	c, err := rpc.NewClient(s.ctx, w, o)
	return c, w, err
}

// twoWay returns a two-way client of the server at endpoint, whose calls
// of the client local answers on a responder of its own; register is to
// expose something on local before the client announces it.
func (s *session) twoWay(endpoint string, register func(local *rpc.Server) error) (*rpc.Client, *xbahn.Wire, error) {
	responder, err := s.listen("rep")
	if err != nil {
		return nil, nil, err
	}
	local, err := rpc.NewServer(nil)
	if err != nil {
		return nil, nil, err
	}
	s.closers = append(s.closers, local.Close)
	if err := register(local); err != nil {
		return nil, nil, err
	}
	c, w, err := s.rpcClient(endpoint, &rpc.ClientOptions{Responder: responder, Local: local})
	if err == nil {
		s.closers = append(s.closers, c.Close)
	}
	return c, w, err
}

// The arguments of the transcript's echo calls.
var (
	nested = map[string]any{"name": "widget", "tags": []any{"a", "b"}, "dims": map[string]any{"w": 2, "h": 3.5},
		"items": []any{1, []any{2, []any{3, nil}}, map[string]any{"ok": true, "no": false}}, "empty": map[string]any{}}
	unicode = "Grüße, 世界 🚀 \"quoted\" \\ tab\t"
)

// apiClient makes the calls of a-api.
func apiClient(ctx context.Context, endpoint string) error {
	s := &session{ctx: ctx}
	defer s.close()
	c, _, err := s.rpcClient(endpoint, nil)
	if err != nil {
		return err
	}
	s.want("client id", c.ID(), nil, "$", "")
	v, err := c.Call(ctx, "ping")
	s.want("ping()", v, err, "pong!", "")
	v, err = c.Call(ctx, "multiply", 7, 6)
	s.want("multiply(7, 6)", v, err, 42, "")
	v, err = c.Call(ctx, "fail")
	s.want("fail()", v, err, nil, "boom")
	v, err = c.Call(ctx, "not_exposed")
	s.want("not_exposed()", v, err, nil, "action 'not_exposed' not exposed on API (Server)")
	if s.err == nil && !errors.Is(err, rpc.ErrNotExposed) {
		s.err = fmt.Errorf("not_exposed(): %v does not match rpc.ErrNotExposed", err)
	}
	v, err = c.CallKw(ctx, "multiply", nil, map[string]any{"a": 7, "b": 6})
	s.want("multiply(a=7, b=6)", v, err, 42, "")
	v, err = c.CallKw(ctx, "greet", []any{"Ada"}, map[string]any{"greeting": "Hi"})
	s.want("greet('Ada', greeting='Hi')", v, err, "Hi, Ada!", "")
	v, err = c.Call(ctx, "echo", nested)
	s.want("echo(NESTED)", v, err, nested, "")
	v, err = c.Call(ctx, "echo", unicode)
	s.want("echo(UNICODE)", v, err, unicode, "")
	value := map[string]any{"été": []any{"☃"}}
	v, err = c.CallKw(ctx, "echo", nil, map[string]any{"value": value})
	s.want("echo(value=...)", v, err, value, "")
	return s.err
}

// widgetsClient makes the calls of b-widgets-restart; the server restarts
// between the last call on widget_a and the ping.
func widgetsClient(ctx context.Context, endpoint string) error {
	s := &session{ctx: ctx}
	defer s.close()
	c, _, err := s.rpcClient(endpoint, nil)
	if err != nil {
		return err
	}
	attach := func(id string) *widget.Widget {
		w, err := widget.Attach(ctx, c, "demo", id, nil)
		if err != nil && s.err == nil {
			s.err = fmt.Errorf("attaching %s: %w", id, err)
		}
		return w
	}
	a := attach("widget_a")
	if s.err != nil {
		return s.err
	}
	call := func(w *widget.Widget, what, method string, want any, args ...any) {
		v, err := w.Call(ctx, method, args...)
		s.want(what, v, err, want, "")
	}
	call(a, "widget_a.set_number(123)", "set_number", nil, 123)
	call(a, "widget_a.get_number()", "get_number", 123)
	b := attach("widget_b")
	call(b, "widget_b.get_number()", "get_number", 0)
	cw := attach("widget_a")
	call(cw, "widget_c.get_number()", "get_number", 123)
	call(cw, "widget_c.set_number(7)", "set_number", nil, 7)
	call(a, "widget_a.get_number()", "get_number", 7)
	v, err := c.Call(ctx, "ping")
	s.want("ping() after the restart", v, err, "pong!", "")
	call(a, "widget_a.get_number() after the restart", "get_number", 0)
	call(b, "widget_b.set_number(5) after the restart", "set_number", nil, 5)
	call(cw, "widget_c.get_number() after the restart", "get_number", 0)
	call(b, "widget_b.get_number() after the restart", "get_number", 5)
	return s.err
}

// twoWayClient makes the calls of c-twoway: a client the server touches.
func twoWayClient(ctx context.Context, endpoint string) error {
	s := &session{ctx: ctx}
	defer s.close()
	var touched atomic.Int32
	c, _, err := s.twoWay(endpoint, func(local *rpc.Server) error {
		return local.Register("touch", func() bool { touched.Add(1); return true })
	})
	if err != nil {
		return err
	}
	for i := range 2 {
		v, err := c.Call(ctx, "ping")
		s.want(fmt.Sprintf("ping() %d", i+1), v, err, "pong!", "")
		s.want("times touched", touched.Load(), nil, 1, "")
	}
	return s.err
}

// Slap is the client side of the widget-aware "demo".
type Slap struct {
	mu      sync.Mutex
	slapped bool
}

// Slap is what the server widget calls.
func (p *Slap) Slap() { p.mu.Lock(); p.slapped = true; p.mu.Unlock() }

// Slapped reports whether the server slapped.
func (p *Slap) Slapped() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.slapped }

// widgetAwareClient makes the calls of d-widget-aware.
func widgetAwareClient(ctx context.Context, endpoint string) error {
	s := &session{ctx: ctx}
	defer s.close()
	var host *widget.Host
	c, w, err := s.twoWay(endpoint, func(local *rpc.Server) (err error) {
		host, err = widget.NewHost(local, nil)
		return err
	})
	if err != nil {
		return err
	}
	mine := &Slap{}
	a, err := widget.Attach(ctx, c, "demo", "widget_a", &widget.AttachOptions{Local: mine, Host: host})
	if err != nil {
		return err
	}
	v, err := a.Call(ctx, "poke")
	s.want("widget_a.poke()", v, err, nil, "")
	s.want("widget_a.slapped()", mine.Slapped(), nil, true, "")
	v, err = a.Call(ctx, "poked")
	s.want("widget_a.poked()", v, err, true, "")
	// A second client on the same connection, one-way.
	cb, err := rpc.NewClient(ctx, w, nil)
	if err != nil {
		return err
	}
	ab, err := widget.Attach(ctx, cb, "demo", "widget_a", nil)
	if err != nil {
		return err
	}
	v, err = ab.Call(ctx, "poked")
	s.want("client_b widget_a.poked()", v, err, false, "")
	_, err = ab.Call(ctx, "poke")
	if err == nil && s.err == nil {
		s.err = errors.New("client_b widget_a.poke() succeeded; want the error of a server with no way back")
	}
	v, err = ab.Call(ctx, "poked")
	s.want("client_b widget_a.poked() after poke", v, err, true, "")
	return s.err
}

// engineerClient runs the command lines of e-engineer, each its own
// process in the original and its own connection here, and checks their
// exit statuses and, for plain results, what they print.
func engineerClient(ctx context.Context, endpoint string) error {
	t, err := Load("e-engineer")
	if err != nil {
		return err
	}
	host := url(endpoint, "req")
	for _, run := range t.Header.CLIRuns {
		args := append([]string{}, run.Argv[1:]...)
		origHost := args[0]
		args[0] = host
		var out, errOut bytes.Buffer
		code := engineer.Main(ctx, args, engineer.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut})
		want := run.Exit
		if len(args) == 2 && args[1] == "nosuch" {
			want = engineer.ExitUsage // a command the server lacks is a usage error; the original died with a traceback
		}
		if code != want {
			return fmt.Errorf("engineer %q = %d, want %d (stderr %q)", args, code, want, errOut.String())
		}
		// Results other than lists print alike; the original prints a
		// list as Python does, we as JSON.
		if orig := strings.ReplaceAll(run.Stdout, origHost, host); strings.HasPrefix(orig, host+": ") && !strings.Contains(orig, "[") {
			if out.String() != orig {
				return fmt.Errorf("engineer %q printed %q, the original %q", args, out.String(), orig)
			}
		}
	}
	return nil
}

// linkClient sends the messages of f-link.
func linkClient(ctx context.Context, endpoint string) error {
	s := &session{ctx: ctx}
	defer s.close()
	conn, err := s.connect(endpoint, "req")
	if err != nil {
		return err
	}
	w := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main()
	for _, m := range [][2]string{{"person", "John Smith"}, {"address", "Some Street, 123"}, {"address.usa", "Another Street, 123"}} {
		if err := w.Send(ctx, m[0], xbahn.NewMessage(m[1])); err != nil {
			return err
		}
	}
	m := xbahn.NewMessage("Test", "an arg")
	m.Kwargs = map[string]any{"something": "extra"}
	resp, err := w.SendAndWait(ctx, "echo", m)
	if err != nil {
		return err
	}
	s.want("send_and_wait('echo')", resp.Data, nil, "Message 'Test' received!", "")
	return s.err
}

// streamClient receives ticks first..last on a connection of type typ
// ("sub/news", "pull"); a subscriber waits for first, however late it
// joined.
func streamClient(typ string, first, last int) func(context.Context, string) error {
	return func(ctx context.Context, endpoint string) error {
		s := &session{ctx: ctx}
		defer s.close()
		conn, err := s.connect(endpoint, typ)
		if err != nil {
			return err
		}
		got := make(chan *xbahn.Message, 64)
		l := xbahn.NewLink(xbahn.Conns{Receive: conn})
		if _, err := l.OnPath("events.tick", func(m *xbahn.Message, _ *xbahn.Wire) error {
			select {
			case got <- m:
			default:
			}
			return nil
		}); err != nil {
			return err
		}
		next := first
		for next <= last {
			select {
			case m := <-got:
				want := tick(next)
				switch {
				case same(m.Data, want.Data) && same(m.Args, want.Args) && same(m.Kwargs, want.Kwargs):
					next++
				case next == first:
					// Joined in the middle: wait for the first.
				default:
					return fmt.Errorf("got %v %v %v, want tick %d", m.Data, m.Args, m.Kwargs, next)
				}
			case <-ctx.Done():
				return fmt.Errorf("waiting for tick %d: %w", next, ctx.Err())
			}
		}
		return nil
	}
}

// engineerCallClient makes the calls of a-api with the command line's
// call, in one shell session: call reaches the functions of the
// original's servers, which do not describe them.
func engineerCallClient(ctx context.Context, endpoint string) error {
	host := url(endpoint, "req")
	script := []struct{ line, out string }{
		{"call ping", "ping> pong!"},
		{"call multiply 7 6", "multiply> 42"},
		{"call fail", ""},
		{"call not_exposed", ""},
		{"call multiply --kw a=7 --kw b=6", "multiply> 42"},
		{"call greet Ada --kw greeting=Hi", "greet> Hi, Ada!"},
		{`call echo '{"name": "widget", "tags": ["a", "b"], "dims": {"w": 2, "h": 3.5}, "items": [1, [2, [3, null]], {"ok": true, "no": false}], "empty": {}}'`, `echo> {"dims": {"h": 3.5, "w": 2}`},
		{"call echo '" + unicode + "'", "echo> " + unicode},
		{`call echo --kw 'value={"été": ["☃"]}'`, `echo> {"été": ["☃"]}`},
	}
	var in strings.Builder
	for _, l := range script {
		in.WriteString(l.line + "\n")
	}
	var out, errOut bytes.Buffer
	code := engineer.Main(ctx, []string{host, "shell"}, engineer.Env{Stdin: strings.NewReader(in.String()), Stdout: &out, Stderr: &errOut})
	if code != engineer.ExitFailure {
		return fmt.Errorf("the shell exited %d, want %d for a script with failing calls (stderr %q)", code, engineer.ExitFailure, errOut.String())
	}
	for _, l := range script {
		if l.out != "" && !strings.Contains(out.String(), host+": "+l.out) {
			return fmt.Errorf("%s: the shell printed %q, want a line with %q", l.line, out.String(), l.out)
		}
	}
	for _, e := range []string{"boom", "action 'not_exposed' not exposed on API (Server)"} {
		if !strings.Contains(errOut.String(), e) {
			return fmt.Errorf("the shell's errors %q lack %q", errOut.String(), e)
		}
	}
	return nil
}
