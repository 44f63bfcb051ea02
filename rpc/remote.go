package rpc

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Remote is a client-aware server's record of one client: its id, when it
// last called, per-client state, and for a two-way client the way to call
// it.
type Remote struct {
	ID   string
	Addr net.Addr // where its first call came from

	mu       sync.Mutex
	last     time.Time
	setup    bool // the way back was looked for
	client   *Client
	conn     *xbahn.Conn // the connection back, if the server opened one
	values   map[any]any
	dropping bool
}

// Call calls a method the client exposes.
func (r *Remote) Call(ctx context.Context, method string, args ...any) (any, error) {
	return r.CallPath(ctx, "", method, args, nil)
}

// CallPath calls a method at a path below the client's call path.
func (r *Remote) CallPath(ctx context.Context, sub, method string, args []any, kwargs map[string]any) (any, error) {
	r.mu.Lock()
	c := r.client
	r.mu.Unlock()
	if c == nil {
		return nil, ErrNoClient
	}
	return c.CallPath(ctx, sub, method, args, kwargs)
}

// Value returns the client's state stored under key.
func (r *Remote) Value(key any) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.values[key]
}

// SetValue stores state for the client under key; it goes when the client
// is dropped.
func (r *Remote) SetValue(key, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.values == nil {
		r.values = map[any]any{}
	}
	r.values[key] = v
}

// LastCall returns when the client last called.
func (r *Remote) LastCall() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// meet records a call from client id and, the first time, finds the way
// back to it and fires OnNewClient. The caller has authenticated the call.
func (s *Server) meet(ctx context.Context, m *xbahn.Message, w *xbahn.Wire, id string) (*Remote, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	r := s.clients[id]
	isNew := r == nil
	if isNew {
		r = &Remote{ID: id}
		if p := m.Peer(); p != nil {
			r.Addr = p.Addr
		}
		s.clients[id] = r
	}
	handlers := s.newClient
	s.mu.Unlock()

	r.mu.Lock()
	r.last = time.Now()
	needSetup := !r.setup
	r.setup = true
	r.mu.Unlock()
	if needSetup {
		if err := s.wayBack(r, m, w); err != nil {
			s.mu.Lock()
			delete(s.clients, id)
			s.mu.Unlock()
			return nil, err
		}
	}
	if isNew {
		for _, f := range handlers {
			f(ctx, r)
		}
	}
	return r, nil
}

// wayBack sets up how the server calls client r: over a connection back to
// the remote it announced, or back over the ROUTER connection it came on.
func (s *Server) wayBack(r *Remote, m *xbahn.Message, w *xbahn.Wire) error {
	remote, _ := m.Meta["remote"].(string)
	if remote == "" {
		if ret := m.Return(); ret.Valid() && w.Conns().Receive != nil && w.Conns().Receive.URL().Type == zmtp.ROUTER {
			c := s.backClient(w)
			c.ret = ret
			r.mu.Lock()
			r.client = c
			r.mu.Unlock()
		}
		return nil
	}
	var addr net.Addr
	if p := m.Peer(); p != nil {
		addr = p.Addr
	}
	url, err := s.checkBack(addr, remote)
	if err != nil {
		return err
	}
	conn, err := xbahn.Connect(url, s.opts.Conn)
	if err != nil {
		return fmt.Errorf("connecting back to %s: %w", remote, err)
	}
	link := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn})
	r.mu.Lock()
	if r.dropping {
		// The client was dropped, or the server closed, meanwhile.
		r.mu.Unlock()
		conn.Close()
		return ErrClosed
	}
	r.conn, r.client = conn, s.backClient(link.Main())
	r.mu.Unlock()
	return nil
}

// backClient returns a client with which the server calls a client back
// over w: on the server's path, with its key, and without a client id, as
// the original's server calls.
func (s *Server) backClient(w *xbahn.Wire) *Client {
	c := newClient(w, &ClientOptions{Path: s.opts.Path, Key: s.opts.Key})
	c.back = true
	c.setMeta()
	return c
}

// checkBack checks the remote a client announced from addr and returns
// the URL to connect to.
func (s *Server) checkBack(addr net.Addr, remote string) (string, error) {
	if s.opts.ConnectBack != nil {
		if !s.opts.ConnectBack(addr, remote) {
			return "", fmt.Errorf("connecting back to %s is not allowed", remote)
		}
		verb, url, ok := strings.Cut(remote, "->")
		if !ok || verb != "connect" {
			return "", fmt.Errorf("remote %s: want connect->URL", remote)
		}
		return url, nil
	}
	verb, raw, ok := strings.Cut(remote, "->")
	if !ok || verb != "connect" {
		return "", fmt.Errorf("remote %s: the server only connects back (connect->URL)", remote)
	}
	u, err := xbahn.ParseURL(raw)
	if err != nil {
		return "", err
	}
	if addr == nil {
		return "", fmt.Errorf("remote %s: the caller's address is unknown", remote)
	}
	switch u.Transport {
	case "tcp":
		callerHost := addr.String()
		if h, _, err := net.SplitHostPort(callerHost); err == nil {
			callerHost = h
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			return "", err
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = callerHost // a client listening on every interface
		}
		if host != callerHost {
			return "", fmt.Errorf("remote %s is not on the host the call came from (%s)", remote, callerHost)
		}
		u.Host = net.JoinHostPort(host, port)
	case "inproc", "ipc":
		if addr.Network() != map[string]string{"inproc": "inproc", "ipc": "unix"}[u.Transport] {
			return "", fmt.Errorf("remote %s is not reachable the way the call came", remote)
		}
	}
	return u.String(), nil
}

// drop forgets client r: closes the connection back and fires
// OnClientGone.
func (s *Server) drop(r *Remote) {
	r.mu.Lock()
	if r.dropping {
		r.mu.Unlock()
		return
	}
	r.dropping = true
	conn := r.conn
	r.client, r.conn, r.values = nil, nil, nil
	r.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	s.mu.RLock()
	gone := s.gone
	s.mu.RUnlock()
	for _, f := range gone {
		f(r)
	}
}

// janitor drops clients idle for longer than the idle timeout.
func (s *Server) janitor() {
	defer s.wg.Done()
	every := max(min(s.opts.IdleTimeout/2, time.Second), time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			var idle []*Remote
			s.mu.Lock()
			for id, r := range s.clients {
				if now.Sub(r.LastCall()) > s.opts.IdleTimeout {
					idle = append(idle, r)
					delete(s.clients, id)
				}
			}
			s.mu.Unlock()
			for _, r := range idle {
				s.drop(r)
			}
		}
	}
}
