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
	"unicode/utf8"

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

// ServerOptions configures a Server. The zero value is a plain server on
// the default path, without authentication.
type ServerOptions struct {
	// Path is the path of calls, as the original's Comm path; calls go
	// to Path+".call". Client and server must agree. Default "comm".
	Path string
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
	subs      map[string]SubHandler
	clients   map[string]*Remote
	work      chan work // calls for idle workers
	idle      atomic.Int32
	newClient []func(ctx context.Context, c *Remote)
	gone      []func(c *Remote)
	closed    bool
}

// SubHandler handles the calls under a path below the call path, such as
// the widgets of package widget: sub is the rest of the message's path
// after "<path>.call.<name>".
type SubHandler func(ctx context.Context, call *CallInfo, sub string) (any, error)

// NewServer returns a server. Attach it to a link with Serve.
func NewServer(o *ServerOptions) (*Server, error) {
	var opts ServerOptions
	if o != nil {
		opts = *o
	}
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	if err := route.Check(opts.Path); err != nil {
		return nil, err
	}
	if opts.Key != "" && len(opts.Key) < 8 {
		return nil, errors.New("rpc: the key must have at least 8 characters")
	}
	s := &Server{opts: opts, callPath: opts.Path + ".call", funcs: map[string]*function{}, subs: map[string]SubHandler{}, clients: map[string]*Remote{},
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

// RegisterMethods exposes every exported method of v, each under its name
// with the first letter in lower case: Multiply is called as "multiply".
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

// MethodName is the name a Go method is called by: its name with the first
// letter in lower case.
func MethodName(goName string) string {
	r, n := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[n:]
}

// Handle routes the calls whose path is under "<path>.call.<name>" to h.
func (s *Server) Handle(name string, h SubHandler) {
	s.mu.Lock()
	s.subs[name] = h
	s.mu.Unlock()
}

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
		reply(m, w, nil, ErrClosed)
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
		reply(c.m, c.w, nil, ErrClosed)
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
	result, err := s.call(m, w)
	reply(m, w, result, err)
}

// reply answers call m with its result, or with err when it failed.
func reply(m *xbahn.Message, w *xbahn.Wire, result any, err error) {
	r := xbahn.NewMessage(result)
	if err != nil {
		r.Data = nil
		r.Error = err.Error()
	}
	w.Respond(m, r)
}

// call runs the call in m and returns its result.
func (s *Server) call(m *xbahn.Message, w *xbahn.Wire) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	method, ok := m.Data.(string)
	if !ok {
		return nil, fmt.Errorf("a call names its method in data, got %T", m.Data)
	}
	if s.opts.Key != "" {
		key, _ := m.Meta["auth"].(string)
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.Key)) != 1 {
			return nil, ErrAuth
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
	if method == MethodClientID {
		if !s.opts.ClientAware {
			return "$", nil
		}
		return xbahn.NewID(), nil
	}
	var remote *Remote
	if s.opts.ClientAware && clientID != "" && clientID != "$" {
		r, err := s.meet(ctx, m, w, clientID)
		if err != nil {
			return nil, err
		}
		remote = r
	}
	// The CallInfo is made only for the functions that can see it.
	info := func() *CallInfo {
		return &CallInfo{Method: method, ClientID: clientID, Client: remote, Message: m, Wire: w}
	}
	sub := ""
	if len(m.Path) > len(s.callPath) {
		sub, _ = route.Tail(s.callPath, m.Path)
	}
	if sub != "" {
		name, rest, _ := strings.Cut(sub, ".")
		s.mu.RLock()
		h := s.subs[name]
		s.mu.RUnlock()
		if h == nil {
			return nil, fmt.Errorf("unknown call route %s", strconv.Quote(m.Path))
		}
		ci := info()
		return h(context.WithValue(ctx, callKey{}, ci), ci, rest)
	}
	s.mu.RLock()
	f := s.funcs[method]
	s.mu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotExposed, strconv.Quote(method))
	}
	if f.hasCtx {
		ctx = context.WithValue(ctx, callKey{}, info())
	}
	return f.call(ctx, m.Args, m.Kwargs)
}
