package engineer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// session is the command line's connection to a host: the rpc client,
// and the host's commands once they are asked for.
type session struct {
	c      *cli
	host   string
	conn   *xbahn.Conn
	client *rpc.Client
	// ctx ends with the cause when the host turns out unreachable before
	// it was ever reached: a refused connection, an unknown host, a
	// failed handshake.
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	table *Table
	seen  *zmtp.Peer // the connection table was discovered on
}

// open connects to host and obtains a client id, within the timeout.
func (c *cli) open(ctx context.Context, host string) (*session, error) {
	opts, err := c.options()
	if err != nil {
		return nil, err
	}
	conn, err := xbahn.Connect(host, opts)
	if err != nil {
		return nil, &UsageError{Msg: err.Error()}
	}
	s := &session{c: c, host: host, conn: conn}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	events := make(chan zmtp.Event, 16)
	stop := conn.Socket().Monitor(events)
	s.wg.Add(1)
	go s.watch(events, stop)
	link := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn})
	if c.debug {
		link.OnReceive(func(m *xbahn.Message, w *xbahn.Wire) error {
			fmt.Fprintf(c.io.Stderr, "debug: reply %s: data=%v error=%q\n", m.Path, m.Data, m.Error)
			return nil
		})
	}
	opCtx, done := s.op(ctx)
	defer done()
	s.client, err = rpc.NewClient(opCtx, link.Main(), &rpc.ClientOptions{Key: c.key})
	if err != nil {
		err = s.explain(opCtx, err)
		s.close()
		return nil, err
	}
	return s, nil
}

// watch follows the connection's events: before the host was first
// reached, a failure to reach it ends the session's context with that
// failure.
func (s *session) watch(events <-chan zmtp.Event, stop func()) {
	defer s.wg.Done()
	defer stop()
	up := false
	for {
		select {
		case e := <-events:
			switch e.Kind {
			case zmtp.EventConnectFailed, zmtp.EventHandshakeFailed:
				if !up {
					s.cancel(&unreachableError{host: s.host, err: e.Err})
				}
			case zmtp.EventHandshakeSucceeded:
				up = true
			}
		case <-s.conn.Done():
			return
		}
	}
}

// close ends the session and what it started.
func (s *session) close() {
	s.conn.Close()
	s.wg.Wait()
	s.cancel(nil)
}

// op returns the context of one exchange with the host: the session's,
// bounded by the timeout, and ended by ctx too, as the shell's Ctrl-C
// ends a call.
func (s *session) op(ctx context.Context) (context.Context, context.CancelFunc) {
	opCtx, cancel := context.WithTimeout(s.ctx, s.c.timeout)
	stop := context.AfterFunc(ctx, cancel)
	return opCtx, func() { stop(); cancel() }
}

// explain turns the failure of an exchange under ctx into what the user
// reads: why the host cannot be reached, or that it did not answer in
// time.
func (s *session) explain(ctx context.Context, err error) error {
	var ue *unreachableError
	if cause := context.Cause(s.ctx); errors.As(cause, &ue) {
		return ue
	}
	switch {
	case errors.Is(err, zmtp.ErrUnreachable):
		return &unreachableError{host: s.host, err: err}
	case errors.Is(err, context.DeadlineExceeded):
		// Ours, or the server's, which had the same deadline from the call.
		return &timeoutError{host: s.host, timeout: s.c.timeout}
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return errCancelled
	case errors.Is(err, zmtp.ErrNoPeer):
		return fmt.Errorf("lost the connection to %s before its answer came (did the server restart?); the call may or may not have run: %w", s.host, err)
	}
	return err
}

// errCancelled is an exchange the user cancelled.
var errCancelled = errors.New("cancelled")

// unreachableError is a host the command line could not reach.
type unreachableError struct {
	host string
	err  error
}

func (e *unreachableError) Error() string {
	return "cannot reach " + e.host + ": " + e.err.Error()
}

func (e *unreachableError) Unwrap() error { return e.err }

// timeoutError is a host that did not answer within the timeout.
type timeoutError struct {
	host    string
	timeout time.Duration
}

func (e *timeoutError) Error() string {
	return "no answer from " + e.host + " within " + e.timeout.String()
}

func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// commands returns the host's Table: discovered once, and again on a new
// connection, to a server that restarted and may offer other commands.
func (s *session) commands(ctx context.Context) (*Table, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.peer(); s.table == nil || p != nil && p != s.seen {
		t, err := Discover(ctx, s.client)
		if err != nil {
			return nil, err
		}
		s.table, s.seen = t, s.peer()
	}
	return s.table, nil
}

// peer is the host's end of the current connection, nil while there is
// none.
func (s *session) peer() *zmtp.Peer {
	var cur *zmtp.Peer
	s.conn.Socket().EveryPeer(func(p *zmtp.Peer) bool { cur = p; return true })
	return cur
}

// lookup returns the host's command name; an unknown name is a usage
// error.
func (s *session) lookup(ctx context.Context, name string) (*Command, error) {
	ctx, done := s.op(ctx)
	defer done()
	var cmd *Command
	err := again(func() error {
		t, err := s.commands(ctx)
		if err == nil {
			cmd, err = t.Lookup(ctx, name)
		}
		return err
	})
	if errors.Is(err, ErrNoCommand) {
		return nil, &UsageError{Msg: fmt.Sprintf("%s has no command %s", s.host, strconv.Quote(name))}
	}
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	return cmd, nil
}

// list returns every command of the host.
func (s *session) list(ctx context.Context) ([]*Command, error) {
	ctx, done := s.op(ctx)
	defer done()
	var cmds []*Command
	err := again(func() error {
		t, err := s.commands(ctx)
		if err == nil {
			cmds, err = t.Commands(ctx)
		}
		return err
	})
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	return cmds, nil
}

// again runs the discovery f, and once more if the connection it used
// turned out lost, as when the server restarted since the last command:
// asking what the commands are twice does no harm.
func again(f func() error) error {
	err := f()
	if errors.Is(err, zmtp.ErrNoPeer) {
		err = f()
	}
	return err
}

// call runs the host's command name with v.
func (s *session) call(ctx context.Context, name string, v Values) (any, error) {
	ctx, done := s.op(ctx)
	defer done()
	t, err := s.commands(ctx)
	if err == nil {
		var result any
		if result, err = t.Call(ctx, name, v); err == nil {
			return result, nil
		}
	}
	return nil, s.explain(ctx, err)
}

// options returns the connection options of the security and encoding
// options.
func (c *cli) options() (*xbahn.Options, error) {
	var o xbahn.Options
	switch c.enc {
	case "json":
		o.Encoding = wire.JSON
	case "binary":
		o.Encoding = wire.Binary
	}
	switch {
	case c.curve[0] != "":
		m, err := c.io.Curve(c.curve[0], c.curve[1], c.curve[2])
		if err != nil {
			return nil, &UsageError{Msg: "CURVE keys: " + err.Error()}
		}
		o.Socket.Mechanism = m
	case c.user != "":
		o.Socket.Mechanism = zmtp.PlainClient{Username: c.user, Password: c.pass}
	}
	return &o, nil
}
