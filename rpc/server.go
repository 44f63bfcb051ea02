package rpc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/route"
)

// DefaultPath is the path under which calls travel: "comm.call".
const DefaultPath = "comm"

// Reserved method names every server answers.
const (
	// MethodClientID gives a client its id: a new one from a
	// client-aware server, "$" from a plain one (the original's
	// obtain_client_id).
	MethodClientID = "obtain_client_id"
)

// DefaultName is the server name of the original's "not exposed" error
// text: the Python class name of the server in the guide.
const DefaultName = "Server"

// ServerOptions configures a Server. The zero value is a plain server on
// the default path, without authentication.
type ServerOptions struct {
	// Path is the path of calls, as the original's Comm path; calls go
	// to Path+".call". Client and server must agree. Default "comm".
	Path string
	// Name names the server in the text of a "not exposed" error, as the
	// original put the class name of its server there: "action 'x' not
	// exposed on API (Name)". Default DefaultName.
	Name string
	// Key, when set, must come with every call (the original's
	// AuthHandler; at least 8 characters). It authenticates callers, but
	// travels in clear text: PLAIN or CURVE on the connection protect it.
	Key string
	// ClientAware gives each client an id, keeps a record of it, fires
	// OnNewClient, and lets the server call the methods a two-way client
	// exposes.
	ClientAware bool
	// IdleTimeout drops a client of a client-aware server that made no
	// call for that long, with its state, its widgets and the connection
	// back to it (default DefaultIdleTimeout; negative: never).
	IdleTimeout time.Duration
	// ConnectBack decides whether the server may connect back to a
	// two-way client that announced remote (such as
	// "connect->zmq://10.0.0.5:7051/req?transport=tcp") from addr. When nil,
	// the server connects back only to the host the client's call came
	// from, and never listens on a client's behalf.
	ConnectBack func(addr net.Addr, remote string) bool
	// Conn configures the connections the server opens back to clients.
	Conn *xbahn.Options
	// CallTimeout bounds each call the server runs; 0 means no bound
	// but the caller's deadline and the server's life.
	CallTimeout time.Duration
	// MaxConcurrent is how many calls run at once, over every connection
	// the server serves (default 4 × GOMAXPROCS). Calls beyond it wait in
	// a queue of MaxQueued (default DefaultMaxQueued); a call that finds
	// the queue full is answered at once with ErrBusy.
	MaxConcurrent int
	MaxQueued     int
	// Interceptors wrap every call the server runs, the first outermost:
	// for metrics, tracing, logging or checks of their own.
	Interceptors []Interceptor
	// Logger receives what the server has to say: a handler's panic,
	// with its stack, at Error; a refused key at Warn. Nil is silent.
	Logger *slog.Logger
}

// DefaultIdleTimeout is how long a client-aware server keeps a client that
// makes no calls.
const DefaultIdleTimeout = 10 * time.Minute

// DefaultMaxQueued is how many calls wait for a free slot by default.
const DefaultMaxQueued = 1024

// Server exposes Go functions and methods to xbahn clients. Only what is
// registered is reachable.
type Server struct {
	opts       ServerOptions
	callPath   string          // Path+".call", where calls arrive
	cancelPath string          // Path+".cancel", where our clients cancel calls
	ctx        context.Context // ends with Close
	stop       context.CancelFunc
	wg         sync.WaitGroup

	mu        sync.RWMutex
	funcs     map[string]*function
	widgets   WidgetHandler
	clients   map[string]*Remote
	newClient []func(ctx context.Context, c *Remote)
	gone      []func(c *Remote)
	closed    bool

	calls // the calls being served: dispatch.go
	stats serverStats
}

// WidgetHandler serves the calls of widget instances, such as package
// widget's Host: a call to "<path>.call.widgets.<name>.<client>.<id>"
// comes with name and the instance's id "<client>.<id>". It returns a
// *WidgetNotFoundError for an instance it does not have, and a
// *NotExposedError for a method the instance does not expose.
type WidgetHandler func(ctx context.Context, call *CallInfo, name, id string) (any, error)

// NewServer returns a server. Serve or Attach make it answer the calls
// that arrive on a link.
func NewServer(o *ServerOptions) (*Server, error) {
	var opts ServerOptions
	if o != nil {
		opts = *o
	}
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if err := route.Check(opts.Path); err != nil {
		return nil, err
	}
	if opts.Key != "" && len(opts.Key) < 8 {
		return nil, errors.New("rpc: the key must have at least 8 characters")
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 4 * runtime.GOMAXPROCS(0)
	}
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = DefaultMaxQueued
	}
	if opts.IdleTimeout == 0 && opts.ClientAware {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	s := &Server{opts: opts, callPath: opts.Path + ".call", cancelPath: opts.Path + ".cancel", funcs: map[string]*function{}, clients: map[string]*Remote{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.calls.init(s)
	if opts.IdleTimeout > 0 {
		s.wg.Add(1)
		go s.janitor()
	}
	return s, nil
}

// Path returns the server's call path prefix.
func (s *Server) Path() string { return s.opts.Path }

// Register exposes fn under name. fn may take a context.Context first
// (it then gets the call's context, with CallInfo), then any parameters
// that wire values convert to, and last a Kwargs for keyword arguments it
// does not name; params names its parameters (after the context, before
// Kwargs) so that callers may pass them by keyword. fn may return
// nothing, a value, several values, and an error last.
func (s *Server) Register(name string, fn any, params ...string) error {
	if name == "" || name == MethodClientID || name == MethodDescribe {
		return fmt.Errorf("rpc: cannot register %s", strconv.Quote(name))
	}
	f, err := newFunction(name, reflect.ValueOf(fn), params)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.funcs[name]; ok {
		return fmt.Errorf("rpc: %s is registered already", strconv.Quote(name))
	}
	s.funcs[name] = f
	return nil
}

// RegisterMethods exposes every exported method of v, each under its
// name in snake case, as Python callers spell it: SetNumber is called as
// "set_number" (see MethodName).
func (s *Server) RegisterMethods(v any) error {
	o, err := NewObject(v)
	if err != nil {
		return err
	}
	if len(o.methods) == 0 {
		return fmt.Errorf("rpc: %T has no exported methods", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range o.methods {
		if name == MethodClientID || name == MethodDescribe {
			return fmt.Errorf("rpc: cannot register %s", strconv.Quote(name))
		}
		if _, ok := s.funcs[name]; ok {
			return fmt.Errorf("rpc: %s is registered already", strconv.Quote(name))
		}
	}
	for name, f := range o.methods {
		s.funcs[name] = f
	}
	return nil
}

// MethodName is the name a Go method is called by: its name in snake
// case, lower case with an underscore where a word starts. Multiply is
// "multiply", SetNumber "set_number", GetHTTPStatus "get_http_status",
// UserID "user_id" and MD5Sum "md5_sum".
func MethodName(goName string) string {
	rs := []rune(goName)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// HandleWidgets routes the calls of widget instances to h (see
// WidgetHandler). Without a handler, every widget call fails with
// ErrWidgetNotFound, as on an original server without widgets.
func (s *Server) HandleWidgets(h WidgetHandler) {
	s.mu.Lock()
	s.widgets = h
	s.mu.Unlock()
}

// Name returns the server's name, as its "not exposed" errors give it.
func (s *Server) Name() string { return s.opts.Name }

// OnNewClient registers f to run when a client-aware server meets a new
// client, before the client's call runs, as the original's "new_client"
// event: f may call the client back.
func (s *Server) OnNewClient(f func(ctx context.Context, c *Remote)) {
	s.mu.Lock()
	s.newClient = append(s.newClient, f)
	s.mu.Unlock()
}

// OnClientGone registers f to run when a client is dropped: idle, or the
// server closing.
func (s *Server) OnClientGone(f func(c *Remote)) {
	s.mu.Lock()
	s.gone = append(s.gone, f)
	s.mu.Unlock()
}

// Client returns the record of the client with that id, or nil.
func (s *Server) Client(id string) *Remote {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.clients[id]
}

// Clients returns the records of the known clients.
func (s *Server) Clients() []*Remote {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cs := make([]*Remote, 0, len(s.clients))
	for _, c := range s.clients {
		cs = append(cs, c)
	}
	return cs
}

// CallInfo describes the call being served; a function that takes a
// context gets it with FromContext.
type CallInfo struct {
	Method   string
	ClientID string         // the caller's id, as the caller sent it
	Client   *Remote        // the caller's record on a client-aware server, or nil
	Message  *xbahn.Message // the call as it arrived
	Wire     *xbahn.Wire    // the wire it arrived on
}

type callKey struct{}

// FromContext returns the CallInfo of the call a context belongs to.
func FromContext(ctx context.Context) (*CallInfo, bool) {
	c, ok := ctx.Value(callKey{}).(*CallInfo)
	return c, ok
}

// reply answers call m with its result, or with err when it failed, in
// the original's text, and, to a peer of ours, the error's code. A reply
// to a call that passed a key check carries the key back, as the
// original's AuthHandler did.
func (s *Server) reply(m *xbahn.Message, w *xbahn.Wire, result any, err error, authed bool) {
	r := xbahn.NewMessage(result)
	if err != nil {
		r.Data = nil
		r.Error = wireText(err, s.opts.Name)
		if xbahn.XbahnPeer(m.Peer()) {
			r.Meta = map[string]any{metaCode: string(CodeOf(err))}
		}
	}
	if authed && s.opts.Key != "" {
		if r.Meta == nil {
			r.Meta = map[string]any{}
		}
		r.Meta["auth"] = s.opts.Key
	}
	s.stats.count(s.statName(m), err)
	w.Respond(m, r)
}

// statName is the name under which Stats counts call m: its function's,
// if it is a registered one, so that callers cannot make the table grow.
func (s *Server) statName(m *xbahn.Message) string {
	name, _, _ := callData(m)
	if m.Path != s.callPath {
		return ""
	}
	s.mu.RLock()
	_, ok := s.funcs[name]
	s.mu.RUnlock()
	if !ok {
		return ""
	}
	return name
}

// call runs the call of w and returns its result, and whether the call
// passed the key check.
func (s *Server) call(w work) (result any, authed bool, err error) {
	m := w.m
	defer func() {
		if r := recover(); r != nil {
			err = s.panicked(m, r)
		}
	}()
	if s.opts.Key != "" {
		key, _ := m.Meta["auth"].(string)
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.Key)) != 1 {
			s.logRefused(m)
			return nil, false, ErrAuth
		}
	}
	authed = true
	method, ok, data := callData(m)
	if !ok {
		return nil, authed, &argError{fmt.Errorf("a call names its method in data, as a string, not %s", kindName(data))}
	}
	// Route as the original does: the call path itself for functions,
	// "widgets.<name>.<client>.<id>" below it for widgets, nothing else.
	var widget []string
	if m.Path != s.callPath {
		sub, _ := route.Tail(s.callPath, m.Path)
		rest, isWidget := strings.CutPrefix(sub, "widgets")
		if !isWidget || rest != "" && rest[0] != '.' {
			return nil, authed, ErrUnknownRoute
		}
		if rest != "" {
			widget = strings.Split(rest[1:], ".")
		}
		if len(widget) != 3 {
			return nil, authed, widgetPathError{len(widget)}
		}
	}
	ctx := s.callContext(w)
	defer s.calls.finish(m, ctx)
	clientID, _ := m.Meta["client"].(string)
	if clientID == "" {
		clientID = "$" // what every client of a plain server is
	}
	if method == MethodClientID && widget == nil {
		if !s.opts.ClientAware {
			return "$", authed, nil
		}
		return xbahn.NewID(), authed, nil
	}
	if method == MethodDescribe && widget == nil {
		if err := m.Expand(); err != nil {
			return nil, authed, &argError{err}
		}
		result, err = s.describeCall(m.Args)
		return result, authed, err
	}
	if widget != nil || len(s.opts.Interceptors) > 0 {
		// They see the message: decode it for them.
		if err := m.Expand(); err != nil {
			return nil, authed, &argError{err}
		}
	}
	c := callRun{s: s, m: m, w: w.w, method: method, widget: widget, clientID: clientID}
	if s.opts.ClientAware && clientID != "$" {
		r, err := s.meet(ctx, m, w.w, clientID)
		if err != nil {
			return nil, authed, err
		}
		c.remote = r
	}
	if len(s.opts.Interceptors) == 0 {
		result, err = c.run(ctx, nil)
	} else {
		hc := new(callRun)
		*hc = c
		result, err = s.intercept(ctx, hc.info(), hc.run)
	}
	return result, authed, err
}

// callRun is a call on its way to its function or widget. It lives on
// the stack of a call without interceptors.
type callRun struct {
	s        *Server
	m        *xbahn.Message
	w        *xbahn.Wire
	method   string
	widget   []string // name, client and id of a widget call
	clientID string
	remote   *Remote
	ci       *CallInfo
}

// info returns the call's CallInfo, made only for those that see it.
func (c *callRun) info() *CallInfo {
	if c.ci == nil {
		c.ci = &CallInfo{Method: c.method, ClientID: c.clientID, Client: c.remote, Message: c.m, Wire: c.w}
	}
	return c.ci
}

// run calls the function or widget method; it is the innermost Handler.
// call is the CallInfo the interceptors passed on, or nil without them.
func (c *callRun) run(ctx context.Context, call *CallInfo) (any, error) {
	s := c.s
	if c.widget != nil {
		s.mu.RLock()
		h := s.widgets
		s.mu.RUnlock()
		name, id := c.widget[0], c.widget[1]+"."+c.widget[2]
		if h == nil {
			return nil, &WidgetNotFoundError{Name: name, ID: id}
		}
		if call == nil {
			call = c.info()
		}
		return h(context.WithValue(ctx, callKey{}, call), call, name, id)
	}
	s.mu.RLock()
	f := s.funcs[c.method]
	s.mu.RUnlock()
	if f == nil {
		return nil, &NotExposedError{Method: c.method}
	}
	if f.hasCtx {
		if call == nil {
			call = c.info()
		}
		ctx = context.WithValue(ctx, callKey{}, call)
	}
	if body := c.m.Encoded(); body != nil {
		return f.callEncoded(ctx, body)
	}
	return f.call(ctx, c.m.Args, c.m.Kwargs)
}

// callData returns the method that call m names in its data, whether the
// data is a string, and the data, decoded.
func callData(m *xbahn.Message) (method string, ok bool, data any) {
	data = m.Data
	if body := m.Encoded(); body != nil && data == nil {
		if method, ok := body.Data.Text(); ok {
			return method, true, method
		}
		var err error
		if data, err = body.Data.Value(body.Limits()); err != nil {
			return "", false, nil
		}
	}
	method, ok = data.(string)
	return method, ok, data
}
