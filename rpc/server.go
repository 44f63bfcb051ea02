package rpc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/route"
	"github.com/xbahn-go/xbahn/zmtp"
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
	// IdleTimeout drops a client that made no call for that long, with
	// its state; 0 keeps clients until the server closes.
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
	// but the server's life.
	CallTimeout time.Duration
}

// Server exposes Go functions and methods to xbahn clients. Only what is
// registered is reachable.
type Server struct {
	opts     ServerOptions
	callPath string          // Path+".call", where calls arrive
	ctx      context.Context // ends with Close
	stop     context.CancelFunc
	wg       sync.WaitGroup

	mu        sync.RWMutex
	funcs     map[string]*function
	widgets   WidgetHandler
	clients   map[string]*Remote
	work      chan work // calls for idle workers
	idle      atomic.Int32
	newClient []func(ctx context.Context, c *Remote)
	gone      []func(c *Remote)
	closed    bool
}

// WidgetHandler serves the calls of widget instances, such as package
// widget's Host: a call to "<path>.call.widgets.<name>.<client>.<id>"
// comes with name and the instance's id "<client>.<id>". It returns a
// *WidgetNotFoundError for an instance it does not have, and a
// *NotExposedError for a method the instance does not expose.
type WidgetHandler func(ctx context.Context, call *CallInfo, name, id string) (any, error)

// NewServer returns a server. Attach it to a link with Serve.
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
	s := &Server{opts: opts, callPath: opts.Path + ".call", funcs: map[string]*function{}, clients: map[string]*Remote{},
		work: make(chan work)}
	s.ctx, s.stop = context.WithCancel(context.Background())
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
	if name == "" || name == MethodClientID {
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

// Serve answers the calls that arrive on any wire of l. The returned
// function stops it.
func (s *Server) Serve(l *xbahn.Link) (stop func(), err error) {
	return l.OnPath(s.callPath, s.handle)
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

// Close stops the server: its janitor, its calls' contexts, and the
// connections it opened back to clients.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	clients := s.clients
	s.clients = map[string]*Remote{}
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
	for _, c := range clients {
		s.drop(c)
	}
	return nil
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

// handle serves one call message. On a REP connection it runs at once, as
// REP requires; elsewhere it runs on its own goroutine, so that a server
// can call a client back over the very connection the call came on.
func (s *Server) handle(m *xbahn.Message, w *xbahn.Wire) error {
	if m.IsResponse() {
		return nil
	}
	if s.ctx.Err() != nil {
		s.reply(m, w, nil, ErrClosed, false)
		return nil
	}
	if conn := w.Conns().Receive; conn == nil || conn.URL().Type != zmtp.REP {
		s.dispatch(work{m, w})
		return nil
	}
	s.serve(m, w)
	return nil
}

// work is a call waiting for a worker.
type work struct {
	m *xbahn.Message
	w *xbahn.Wire
}

// maxIdleWorkers bounds the goroutines that wait for calls.
const maxIdleWorkers = 16

// dispatch hands a call to an idle worker goroutine, or starts one. Workers
// stay for the next call, so that their stacks have grown already; none
// is ever waited for, so a call that calls back into the same connection
// cannot block the others.
func (s *Server) dispatch(c work) {
	select {
	case s.work <- c:
		return
	default:
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.reply(c.m, c.w, nil, ErrClosed, false)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go s.worker(c)
}

func (s *Server) worker(c work) {
	defer s.wg.Done()
	for {
		s.serve(c.m, c.w)
		if s.idle.Add(1) > maxIdleWorkers {
			s.idle.Add(-1)
			return
		}
		select {
		case c = <-s.work:
			s.idle.Add(-1)
		case <-s.ctx.Done():
			s.idle.Add(-1)
			return
		}
	}
}

func (s *Server) serve(m *xbahn.Message, w *xbahn.Wire) {
	result, authed, err := s.call(m, w)
	s.reply(m, w, result, err, authed)
}

// reply answers call m with its result, or with err when it failed, in
// the original's text. A reply to a call that passed a key check carries
// the key back, as the original's AuthHandler did.
func (s *Server) reply(m *xbahn.Message, w *xbahn.Wire, result any, err error, authed bool) {
	r := xbahn.NewMessage(result)
	if err != nil {
		r.Data = nil
		r.Error = wireText(err, s.opts.Name)
	}
	if authed && s.opts.Key != "" {
		r.Meta = map[string]any{"auth": s.opts.Key}
	}
	w.Respond(m, r)
}

// call runs the call in m and returns its result, and whether the call
// passed the key check.
func (s *Server) call(m *xbahn.Message, w *xbahn.Wire) (result any, authed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if s.opts.Key != "" {
		key, _ := m.Meta["auth"].(string)
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.Key)) != 1 {
			return nil, false, ErrAuth
		}
	}
	authed = true
	method, ok := m.Data.(string)
	if !ok {
		return nil, authed, fmt.Errorf("a call names its method in data, as a string, not %s", kindName(m.Data))
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
	ctx := s.ctx
	if s.opts.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.CallTimeout)
		defer cancel()
	}
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
	var remote *Remote
	if s.opts.ClientAware && clientID != "$" {
		r, err := s.meet(ctx, m, w, clientID)
		if err != nil {
			return nil, authed, err
		}
		remote = r
	}
	// The CallInfo is made only for the functions that can see it.
	info := func() *CallInfo {
		return &CallInfo{Method: method, ClientID: clientID, Client: remote, Message: m, Wire: w}
	}
	if widget != nil {
		s.mu.RLock()
		h := s.widgets
		s.mu.RUnlock()
		if h == nil {
			return nil, authed, &WidgetNotFoundError{Name: widget[0], ID: widget[1] + "." + widget[2]}
		}
		ci := info()
		result, err := h(context.WithValue(ctx, callKey{}, ci), ci, widget[0], widget[1]+"."+widget[2])
		return result, authed, err
	}
	s.mu.RLock()
	f := s.funcs[method]
	s.mu.RUnlock()
	if f == nil {
		return nil, authed, &NotExposedError{Method: method}
	}
	if f.hasCtx {
		ctx = context.WithValue(ctx, callKey{}, info())
	}
	result, err = f.call(ctx, m.Args, m.Kwargs)
	return result, authed, err
}
