package rpc

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"reflect"
	"sync"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/route"
	"github.com/xbahn-go/xbahn/wire"
)

// ClientOptions configures a Client. The zero value calls a server on the
// default path without a key.
type ClientOptions struct {
	// Path is the server's call path (default "comm").
	Path string
	// Key is sent with every call to a server that requires one.
	Key string
	// Responder makes the client two-way, in the original's way: every
	// call announces this connection's Remote(), and a client-aware
	// server connects back to it to call the methods that Local
	// exposes. Without a Responder, a client-aware server reached over a
	// ROUTER connection calls back over that same connection, which
	// needs no second port.
	Responder *xbahn.Conn
	// Local is the server that answers the calls a client-aware server
	// makes of this client: NewClient has it serve the Responder, or,
	// without one, the link of the client's wire; its replies carry the
	// client's id, as the original's do. Close stops that. Local may be
	// left nil and served by hand instead.
	Local *Server
	// Timeout bounds each call whose context has no earlier deadline
	// (default DefaultTimeout; negative: no bound but the context's).
	// Calls made with context.Background() or context.TODO() that start
	// close together share one bound, so that they cost no timer each:
	// such a call may run up to a thirty-second of Timeout longer.
	Timeout time.Duration
	// Interceptors wrap every call the client makes, the first
	// outermost: for metrics, tracing, retries or meta of their own.
	Interceptors []ClientInterceptor
	// Logger receives what the client has to say (a cancel that could
	// not be sent, at Debug). Nil is silent.
	Logger *slog.Logger
}

// DefaultTimeout is the default bound of a call.
const DefaultTimeout = 30 * time.Second

// Invoker makes a call: what a client interceptor calls to go on. path is
// below the call path, "" for a function, "widgets.<name>.<client>.<id>"
// for a widget.
type Invoker func(ctx context.Context, path, method string, args []any, kwargs map[string]any) (any, error)

// ClientInterceptor wraps the calls a client makes, as middleware does.
type ClientInterceptor func(ctx context.Context, path, method string, args []any, kwargs map[string]any, invoke Invoker) (any, error)

// Client calls the methods a Server exposes.
type Client struct {
	w      *xbahn.Wire
	ret    xbahn.Return // when set, calls go back to the peer of a message
	key    string
	remote string
	id     string
	back   bool           // a server's client of its client: no client id
	meta   map[string]any // shared by every call; never modified
	metas  sync.Pool      // meta maps for calls with a deadline
	call   string         // the call path, path+".call"
	cancel string         // where calls are cancelled, path+".cancel"
	opts   ClientOptions
	invoke Invoker    // the interceptors around invoke0
	types  wire.Types // what CallAs decodes results into
	bound  bound      // the Timeout of calls whose context never ends

	stop func()         // stops serving Local
	wg   sync.WaitGroup // Go calls in flight
}

// NewClient returns a client that calls over w's send connection, after it
// obtained its id from the server (the original's obtain_client_id).
func NewClient(ctx context.Context, w *xbahn.Wire, o *ClientOptions) (*Client, error) {
	c := newClient(w, o)
	id, err := c.Call(ctx, MethodClientID)
	if err != nil {
		return nil, err
	}
	s, ok := id.(string)
	if !ok {
		return nil, errors.New("rpc: the server gave no client id")
	}
	c.id = s
	c.setMeta()
	if o != nil && o.Local != nil {
		if err := c.serveLocal(o.Local, o.Responder); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// serveLocal has local answer the server's calls, on the responder or on
// the link of the client's own wire.
func (c *Client) serveLocal(local *Server, responder *xbahn.Conn) error {
	link := c.w.Link()
	if responder != nil {
		link = xbahn.NewLink(xbahn.Conns{})
		_, err := link.AddWire("responder", xbahn.Conns{Receive: responder, Respond: responder}, map[string]any{"client": c.id})
		if err != nil {
			return err
		}
	}
	stop, err := local.attach(link)
	if err != nil {
		return err
	}
	c.stop = func() {
		stop()
		if responder != nil {
			// Detach the wire from the responder, which stays open.
			link.Cut("responder", false)
		}
	}
	return nil
}

// Close stops serving the client's Local server and waits for the calls
// started by Go. It closes no connection.
func (c *Client) Close() error {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.wg.Wait()
	return nil
}

func newClient(w *xbahn.Wire, o *ClientOptions) *Client {
	var opts ClientOptions
	if o != nil {
		opts = *o
	}
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	c := &Client{w: w, key: opts.Key, call: opts.Path + ".call", cancel: opts.Path + ".cancel", opts: opts}
	if opts.Responder != nil {
		c.remote = opts.Responder.Remote()
	}
	c.invoke = c.invoke0
	for i := len(opts.Interceptors) - 1; i >= 0; i-- {
		in, next := opts.Interceptors[i], c.invoke
		c.invoke = func(ctx context.Context, path, method string, args []any, kwargs map[string]any) (any, error) {
			return in(ctx, path, method, args, kwargs, next)
		}
	}
	c.setMeta()
	return c
}

// setMeta makes the meta every call carries, as the original's client
// does: the client's id, null until the server gave one, the key and the
// remote when set. A server calling its client back sends no id.
func (c *Client) setMeta() {
	m := map[string]any{}
	if !c.back {
		m["client"] = nil
		if c.id != "" {
			m["client"] = c.id
		}
	}
	for k, v := range map[string]string{"auth": c.key, "remote": c.remote} {
		if v != "" {
			m[k] = v
		}
	}
	c.meta = m
}

// ID returns the id the server gave the client.
func (c *Client) ID() string { return c.id }

// Call calls method with positional arguments and returns its result as a
// wire value (Convert, or CallAs, turns it into a Go type). A
// failure on the server side is an *Error.
func (c *Client) Call(ctx context.Context, method string, args ...any) (any, error) {
	return c.CallPath(ctx, "", method, args, nil)
}

// CallKw calls method with positional and keyword arguments.
func (c *Client) CallKw(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error) {
	return c.CallPath(ctx, "", method, args, kwargs)
}

// CallPath calls method at a path below the call path, such as a widget's
// "widgets.<name>.<client>.<id>".
func (c *Client) CallPath(ctx context.Context, sub, method string, args []any, kwargs map[string]any) (any, error) {
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	return c.invoke(ctx, sub, method, args, kwargs)
}

// timeout gives ctx the client's Timeout, unless it ends sooner.
func (c *Client) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.opts.Timeout > 0 {
		if ctx == context.Background() || ctx == context.TODO() {
			return c.bound.context(time.Now(), c.opts.Timeout), func() {}
		}
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.opts.Timeout {
			return context.WithTimeout(ctx, c.opts.Timeout)
		}
	}
	return ctx, func() {}
}

// invoke0 makes a call, under the interceptors.
func (c *Client) invoke0(ctx context.Context, sub, method string, args []any, kwargs map[string]any) (any, error) {
	resp, err := c.send(ctx, sub, method, args, kwargs, false)
	if err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// send makes a call and returns the reply, with its data still encoded
// if encoded is set. To a peer of ours it says how long the caller
// waits, and cancels the call if the caller gives up first.
func (c *Client) send(ctx context.Context, sub, method string, args []any, kwargs map[string]any, encoded bool) (*xbahn.Message, error) {
	m := xbahn.NewMessage(method, args...)
	if encoded {
		m.KeepResponseEncoded()
	}
	m.Kwargs, m.Meta = kwargs, c.meta
	path := c.call
	if sub != "" {
		path = route.Join(path, sub)
	}
	ours := c.ours()
	if dl, ok := ctx.Deadline(); ok && ours {
		// The message is encoded before the call returns: its meta can
		// serve the next call.
		meta, _ := c.metas.Get().(map[string]any)
		if meta == nil {
			meta = make(map[string]any, len(c.meta)+1)
		}
		maps.Copy(meta, c.meta)
		meta[metaTimeout] = max(time.Until(dl).Milliseconds(), 0)
		m.Meta = meta
		defer func() {
			clear(meta)
			c.metas.Put(meta)
		}()
	}
	var (
		resp *xbahn.Message
		err  error
	)
	if c.ret.Valid() {
		resp, err = c.w.SendAndWaitVia(ctx, c.ret, path, m)
	} else {
		resp, err = c.w.SendAndWait(ctx, path, m)
	}
	if err != nil {
		var re *xbahn.RemoteError
		if errors.As(err, &re) {
			code, _ := re.Reply.Meta[metaCode].(string)
			return nil, &Error{Method: method, Message: re.Message, Code: Code(code)}
		}
		// A deadline went with the call and ends it there by itself;
		// a cancel has to be said.
		if errors.Is(ctx.Err(), context.Canceled) && ours && m.ID != "" {
			c.sendCancel(m.ID)
		}
		return nil, err
	}
	return resp, nil
}

// ours reports whether the server the client calls is an xbahn program,
// which takes deadlines and cancels.
func (c *Client) ours() bool {
	if c.ret.Valid() {
		return c.ret.XbahnPeer()
	}
	conn := c.w.Conns().Send
	return conn != nil && conn.XbahnPeers()
}

// cancelWait bounds the sending of a cancel.
const cancelWait = 250 * time.Millisecond

// sendCancel tells the server that the caller of request id gave up, so
// that the call's context ends there too. It does not wait for that.
func (c *Client) sendCancel(id string) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), cancelWait)
		defer cancel()
		m := xbahn.NewMessage(id)
		m.Meta = c.meta
		var err error
		if c.ret.Valid() {
			_, err = c.w.SendAndWaitVia(ctx, c.ret, c.cancel, m)
		} else {
			err = c.w.Send(ctx, c.cancel, m)
		}
		if err != nil && c.opts.Logger != nil {
			c.opts.Logger.Debug("rpc: a cancel was not sent", "call", id, "err", err)
		}
	}()
}

// Call is a call in progress, started by Go.
type Call struct {
	Method string
	Args   []any
	Kwargs map[string]any
	Result any        // the result, once Done has the call
	Error  error      // the failure, once Done has the call
	Done   chan *Call // receives the call when it completes
}

// Go starts a call and returns at once. The call is sent on done when it
// completes; done must have room, or be nil for a new channel of one.
func (c *Client) Go(ctx context.Context, method string, args []any, kwargs map[string]any, done chan *Call) *Call {
	if done == nil {
		done = make(chan *Call, 1)
	}
	call := &Call{Method: method, Args: args, Kwargs: kwargs, Done: done}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		call.Result, call.Error = c.CallKw(ctx, method, args, kwargs)
		done <- call
	}()
	return call
}

// Wait waits for the calls started by Go to complete.
func (c *Client) Wait() { c.wg.Wait() }

// CallAs calls method on c and converts its result to T, as Convert
// does. Without client interceptors, which see results as wire values,
// it decodes the reply straight into T.
func CallAs[T any](ctx context.Context, c *Client, method string, args ...any) (T, error) {
	var t T
	if len(c.opts.Interceptors) > 0 {
		v, err := c.Call(ctx, method, args...)
		if err != nil {
			return t, err
		}
		if err := Convert(v, &t); err != nil {
			return t, &Error{Method: method, Message: "result: " + err.Error()}
		}
		return t, nil
	}
	ctx, cancel := c.timeout(ctx)
	defer cancel()
	resp, err := c.send(ctx, "", method, args, nil, true)
	if err != nil {
		return t, err
	}
	dst := reflect.ValueOf(&t).Elem()
	if body := resp.Encoded(); body != nil {
		typ, err := c.types.For(dst.Type())
		if err == nil {
			err = typ.Decode(body.Data, dst, body.Limits())
		}
		if err != nil {
			return t, &Error{Method: method, Message: "result: " + err.Error()}
		}
		return t, nil
	}
	if err := Convert(resp.Data, &t); err != nil {
		return t, &Error{Method: method, Message: "result: " + err.Error()}
	}
	return t, nil
}
