package zmtp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/xbahn-go/xbahn/internal/ws"
)

// errStreamWS refuses a ws or wss endpoint to a STREAM socket.
var errStreamWS = errors.New("zmtp: a STREAM socket talks TCP, not WebSocket")

// errNoTLS refuses a wss endpoint to a socket without Options.TLSConfig.
var errNoTLS = errors.New("zmtp: wss endpoints need Options.TLSConfig")

// wsListener serves a ws or wss endpoint: an HTTP server whose requests
// for the endpoint's path become ZWS connections of the socket. Closing
// it closes the server and the connections still in HTTP.
type wsListener struct {
	net.Listener
	s        *Socket
	srv      *http.Server
	path     string
	endpoint string // as bound
}

// Close closes the server, its listener and its connections not yet
// upgraded; the upgraded ones belong to the socket.
func (l *wsListener) Close() error { return l.srv.Close() }

// track counts the server's connection goroutines in the socket's wait
// group, from the time the server starts one until it hands the
// connection over or closes it, so that Close waits for them.
func (l *wsListener) track(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		l.s.wg.Add(1)
	case http.StateHijacked, http.StateClosed:
		l.s.wg.Done()
	}
}

// ServeHTTP upgrades a request for the endpoint's path to ZWS and serves
// the connection as a peer of the socket.
func (l *wsListener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != l.path {
		http.NotFound(w, r)
		return
	}
	if check := l.s.opts.WSOrigin; check != nil {
		if origin := r.Header.Get("Origin"); origin != "" && !check(origin) {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			l.s.emit(Event{Kind: EventHandshakeFailed, Endpoint: l.endpoint, Err: protoErr("websocket", errors.New("origin "+strconv.Quote(origin)+" not allowed"))})
			return
		}
	}
	mech := l.s.opts.Mechanism.Name()
	conn, br, proto, err := ws.Accept(w, r, func(offered []string) (string, error) {
		return wsChoose(mech, offered)
	})
	if err != nil {
		l.s.emit(Event{Kind: EventHandshakeFailed, Endpoint: l.endpoint, Err: protoErr("websocket", err)})
		return
	}
	wc := newWSConn(conn, br, false, proto, &l.s.opts, l.s.typ)
	if !l.s.spawn(func() { l.s.serve(wc, l.endpoint) }) {
		wc.Close()
	}
}

// bindWS binds a ws or wss endpoint.
func (s *Socket) bindWS(ep Endpoint) (string, error) {
	if s.typ == STREAM {
		return "", errStreamWS
	}
	if ep.Transport == "wss" && s.opts.TLSConfig == nil {
		return "", errNoTLS
	}
	network, addr := ep.listenAddr()
	ln, err := (&net.ListenConfig{}).Listen(s.ctx, network, addr)
	if err != nil {
		return "", err
	}
	bound := Endpoint{Transport: ep.Transport, Addr: ln.Addr().String() + ep.path()}
	l := &wsListener{Listener: ln, s: s, path: ep.path(), endpoint: bound.String()}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: s.opts.HandshakeTimeout,
		MaxHeaderBytes:    ws.MaxHandshakeSize,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnState:         l.track,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	served := ln
	if ep.Transport == "wss" {
		served = tls.NewListener(ln, s.opts.TLSConfig)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return "", ErrClosed
	}
	s.listeners = append(s.listeners, l)
	s.wg.Add(1)
	s.mu.Unlock()
	s.emit(Event{Kind: EventListening, Endpoint: bound.String()})
	go func() {
		defer s.wg.Done()
		l.srv.Serve(served)
	}()
	return bound.String(), nil
}

// wsDialer returns the dial of a ws or wss endpoint: TCP, TLS for wss,
// and the WebSocket handshake, the last two within the handshake
// timeout.
func (s *Socket) wsDialer(ep Endpoint, network, addr string) (func() (net.Conn, error), error) {
	if s.typ == STREAM {
		return nil, errStreamWS
	}
	var cfg *tls.Config
	host, _, _ := net.SplitHostPort(addr)
	if ep.Transport == "wss" {
		if s.opts.TLSConfig == nil {
			return nil, errNoTLS
		}
		cfg = s.opts.TLSConfig
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = host
		}
	}
	protocols := wsProtocols(s.opts.Mechanism.Name())
	return func() (net.Conn, error) {
		d := net.Dialer{Timeout: max(s.opts.ConnectTimeout, 0)}
		conn, err := d.DialContext(s.ctx, network, addr)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.opts.HandshakeTimeout)
		defer cancel()
		if cfg != nil {
			tc := tls.Client(conn, cfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				conn.Close()
				return nil, err
			}
			conn = tc
		}
		br, proto, err := ws.Handshake(ctx, conn, addr, ep.path(), protocols)
		if err != nil {
			conn.Close()
			return nil, protoErr("websocket", err)
		}
		return newWSConn(conn, br, true, proto, &s.opts, s.typ), nil
	}, nil
}

// tcpDialer returns the dial of a tcp or ipc endpoint.
func (s *Socket) tcpDialer(network, addr string) func() (net.Conn, error) {
	return func() (net.Conn, error) {
		d := net.Dialer{Timeout: max(s.opts.ConnectTimeout, 0)}
		return d.DialContext(s.ctx, network, addr)
	}
}

// wsCloseTimeout bounds the write of a close frame.
const wsCloseTimeout = time.Second
