package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// running is a Go server of a scenario: a connection and what serves it.
type running struct {
	conn  *xbahn.Conn
	close []func() error
}

func (r *running) Endpoint() string { return r.conn.Endpoint() }

func (r *running) Close() error {
	var errs []error
	for i := len(r.close) - 1; i >= 0; i-- {
		errs = append(errs, r.close[i]())
	}
	return errors.Join(errs...)
}

// url turns a ZeroMQ endpoint into an xbahn URL of type typ.
func url(endpoint, typ string) string {
	return "zmq://" + strings.TrimPrefix(endpoint, "tcp://") + "/" + typ
}

// listen opens the connection of a server.
func listen(endpoint, typ string) (*running, error) {
	conn, err := xbahn.Listen(url(endpoint, typ), nil)
	if err != nil {
		return nil, err
	}
	return &running{conn: conn, close: []func() error{conn.Close}}, nil
}

// serveAPI serves an rpc server, made with so, on a REP connection at
// endpoint; setup registers what it exposes.
func serveAPI(endpoint string, so *rpc.ServerOptions, setup func(*rpc.Server) error) (Running, error) {
	r, err := listen(endpoint, "rep")
	if err != nil {
		return nil, err
	}
	s, err := rpc.NewServer(so)
	if err == nil {
		r.close = append(r.close, s.Close)
		err = setup(s)
	}
	if err == nil {
		err = s.Attach(xbahn.NewLink(xbahn.Conns{Receive: r.conn, Respond: r.conn}))
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Demo is the widget "demo" of the transcripts' API server.
type Demo struct {
	mu  sync.Mutex
	num int
}

// SetNumber stores num.
func (d *Demo) SetNumber(num int) { d.mu.Lock(); d.num = num; d.mu.Unlock() }

// GetNumber returns the number stored.
func (d *Demo) GetNumber() int { d.mu.Lock(); defer d.mu.Unlock(); return d.num }

// apiServer is the transcripts' plain API server: ping, multiply, fail,
// echo and greet, and the widget demo.
func apiServer(so *rpc.ServerOptions) func(string) (Running, error) {
	return func(endpoint string) (Running, error) {
		return serveAPI(endpoint, so, func(s *rpc.Server) error {
			h, err := widget.NewHost(s, nil)
			if err != nil {
				return err
			}
			return errors.Join(
				h.Register("demo", func(*widget.Instance) any { return &Demo{} }),
				s.Register("ping", func() string { return "pong!" }),
				s.Register("multiply", func(a, b int) int { return a * b }, "a", "b"),
				s.Register("fail", func() error { return errors.New("boom") }),
				s.Register("echo", func(v any) any { return v }, "value"),
				s.Register("greet", func(name string, kw rpc.Kwargs) (string, error) {
					greeting := "Hello"
					if g, ok := kw["greeting"].(string); ok {
						greeting = g
					}
					return greeting + ", " + name + "!", nil
				}, "name"),
			)
		})
	}
}

// twoWayServer is the guide's two-way server: a client-aware server that
// touches every new client.
func twoWayServer(endpoint string) (Running, error) {
	return serveAPI(endpoint, &rpc.ServerOptions{ClientAware: true}, func(s *rpc.Server) error {
		s.OnNewClient(func(ctx context.Context, c *rpc.Remote) { c.Call(ctx, "touch") })
		return s.Register("ping", func() string { return "pong!" })
	})
}

// Poke is the server side of the guide's widget-aware "demo".
type Poke struct {
	inst  *widget.Instance
	mu    sync.Mutex
	poked bool
}

// Poked reports whether the widget was poked.
func (p *Poke) Poked() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.poked }

// Poke calls slap on the client's side of the widget.
func (p *Poke) Poke(ctx context.Context) error {
	p.mu.Lock()
	p.poked = true
	p.mu.Unlock()
	_, err := p.inst.Call(ctx, "slap")
	return err
}

// widgetAwareServer is the guide's widget-aware server.
func widgetAwareServer(endpoint string) (Running, error) {
	return serveAPI(endpoint, &rpc.ServerOptions{ClientAware: true}, func(s *rpc.Server) error {
		h, err := widget.NewHost(s, &widget.HostOptions{PerClient: true})
		if err != nil {
			return err
		}
		return h.Register("demo", func(inst *widget.Instance) any { return &Poke{inst: inst} })
	})
}

// engineerCommands are the commands of the transcript's engineer server,
// with its descriptions as Python wrote its docstrings.
func engineerCommands() []engineer.Command {
	return []engineer.Command{
		{Name: "status", Run: func(context.Context, engineer.Values) (any, error) { return "ok", nil }},
		{
			Name:        "do_something",
			Description: "\n        Do the task specified in [WHAT]\n        ",
			Args:        []engineer.Arg{{Name: "what"}},
			Run: func(_ context.Context, v engineer.Values) (any, error) {
				return "did " + v.String("what"), nil
			},
		},
		{
			Name:    "show",
			Options: []engineer.Option{{Name: "extra", Type: engineer.Bool, Default: false, Help: "include extra info"}},
			Run: func(_ context.Context, v engineer.Values) (any, error) {
				rv := []any{"Basic"}
				if v.Bool("extra") {
					rv = append(rv, "Extra!!")
				}
				return rv, nil
			},
		},
		{
			Name:        "multiply",
			Description: " take a number and multiply it with another number ",
			Args:        []engineer.Arg{{Name: "a", Type: engineer.Int}, {Name: "b", Type: engineer.Int}},
			Run: func(_ context.Context, v engineer.Values) (any, error) {
				return v.Int("a") * v.Int("b"), nil
			},
		},
		{
			Name:        "explode",
			Description: " always fails ",
			Run:         func(context.Context, engineer.Values) (any, error) { return nil, errors.New("kaboom") },
		},
	}
}

// engineerServer serves engineerCommands.
func engineerServer(endpoint string) (Running, error) {
	return serveAPI(endpoint, nil, func(s *rpc.Server) error {
		h, err := widget.NewHost(s, nil)
		if err != nil {
			return err
		}
		return engineer.Serve(h, engineerCommands())
	})
}

// linkServer is the guide's pathing server, with the transcript's echo.
func linkServer(endpoint string) (Running, error) {
	r, err := listen(endpoint, "rep")
	if err != nil {
		return nil, err
	}
	l := xbahn.NewLink(xbahn.Conns{Receive: r.conn, Respond: r.conn})
	quiet := func(*xbahn.Message, *xbahn.Wire) error { return nil }
	for _, p := range []string{"person", "address"} {
		if _, err := l.OnPath(p, quiet); err != nil {
			r.Close()
			return nil, err
		}
	}
	_, err = l.OnPath("echo", func(m *xbahn.Message, w *xbahn.Wire) error {
		return w.Respond(m, xbahn.NewMessage(fmt.Sprintf("Message '%v' received!", m.Data)))
	})
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// tick is the stream's message number seq.
func tick(seq int) *xbahn.Message {
	m := xbahn.NewMessage(fmt.Sprintf("tick %d", seq), seq)
	m.Kwargs = map[string]any{"seq": seq}
	return m
}

// streamServer sends ticks on a connection of type typ ("pub/news",
// "push"): first..last once, or over and over for a publisher, whose
// subscriber joins at any time, until it is closed.
func streamServer(typ string, first, last int, again bool) func(string) (Running, error) {
	return func(endpoint string) (Running, error) {
		r, err := listen(endpoint, typ)
		if err != nil {
			return nil, err
		}
		w := xbahn.NewLink(xbahn.Conns{Send: r.conn}).Main()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			every := time.NewTicker(5 * time.Millisecond) // the publisher's pace
			defer every.Stop()
			for {
				for seq := first; seq <= last; seq++ {
					if w.Send(ctx, "events.tick", tick(seq)) != nil {
						return
					}
				}
				if !again {
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-every.C:
				}
			}
		}()
		r.close = append(r.close, func() error { cancel(); <-done; return nil })
		return r, nil
	}
}
