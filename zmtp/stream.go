package zmtp

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// stream is the STREAM socket type (libzmq's ZMQ_STREAM): plain TCP
// connections, no ZMTP. Each connection has a routing id, a zero byte and
// four more, as a ROUTER's peers do. A received message is the id and the
// bytes one read returned; a connection that opens or closes is announced
// by its id and an empty frame. A message sent is an id and bytes to
// write to that connection; an empty frame closes it.
type stream struct {
	base
	s *Socket

	mu    sync.Mutex
	conns map[string]*streamConn
	next  uint32

	inbox chan [][]byte // received messages, RecvHWM of them
}

// streamConn is one connection of a STREAM socket.
type streamConn struct {
	id   []byte
	conn net.Conn
	peer *Peer
	wmu  sync.Mutex // one write at a time
}

// streamReadSize is the most bytes one received message carries.
const streamReadSize = 8 << 10

func newStream(s *Socket) *stream {
	return &stream{s: s, conns: map[string]*streamConn{}, next: rand.Uint32(), inbox: make(chan [][]byte, s.opts.RecvHWM)}
}

// run serves conn, a connection accepted or dialled at endpoint, until
// it ends: it announces it, delivers what it reads, and announces its end.
func (x *stream) run(conn net.Conn, endpoint string) {
	c := &streamConn{conn: conn, peer: &Peer{Addr: conn.RemoteAddr(), Type: STREAM}}
	x.mu.Lock()
	for {
		x.next++
		var b [5]byte
		binary.BigEndian.PutUint32(b[1:], x.next)
		if x.conns[string(b[:])] == nil {
			c.id = b[:]
			break
		}
	}
	x.conns[string(c.id)] = c
	x.mu.Unlock()
	stop := context.AfterFunc(x.s.ctx, func() { conn.Close() })
	defer stop()

	err := x.deliver([][]byte{c.id, {}})
	buf := make([]byte, streamReadSize)
	for err == nil {
		var n int
		n, err = conn.Read(buf)
		if n > 0 {
			if derr := x.deliver([][]byte{c.id, append([]byte(nil), buf[:n]...)}); derr != nil {
				err = derr
			}
		}
	}
	conn.Close()
	x.mu.Lock()
	delete(x.conns, string(c.id))
	x.mu.Unlock()
	x.s.emit(Event{Kind: EventDisconnected, Endpoint: endpoint, Addr: conn.RemoteAddr(), Err: err})
	if x.s.ctx.Err() == nil {
		x.deliver([][]byte{c.id, {}})
	}
}

// deliver queues a received message, waiting while the inbox is full:
// the connection is not read meanwhile, which pushes back on the peer.
func (x *stream) deliver(m [][]byte) error {
	select {
	case x.inbox <- m:
		return nil
	case <-x.s.ctx.Done():
		return ErrClosed
	}
}

func (x *stream) recv(ctx context.Context, m *Msg) error {
	select {
	case frames := <-x.inbox:
		m.reset()
		m.fill(nil, frames, true)
		x.mu.Lock()
		if c := x.conns[string(frames[0])]; c != nil {
			m.Peer = c.peer
		} else {
			m.Peer = nil
		}
		x.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-x.s.ctx.Done():
		return ErrClosed
	}
}

// errStreamInproc refuses inproc endpoints to STREAM sockets, whose peers
// are TCP programs.
var errStreamInproc = errors.New("zmtp: a STREAM socket talks TCP, not inproc")

// errStreamFrames is a STREAM message that is not a routing id and data.
var errStreamFrames = errors.New("zmtp: a STREAM message is a routing id and one frame of data")

func (x *stream) send(ctx context.Context, frames [][]byte, _ bool) error {
	if len(frames) != 2 {
		return errStreamFrames
	}
	x.mu.Lock()
	c := x.conns[string(frames[0])]
	x.mu.Unlock()
	if c == nil {
		return ErrHostUnreachable
	}
	if len(frames[1]) == 0 {
		return c.conn.Close()
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	dl, _ := ctx.Deadline()
	c.conn.SetWriteDeadline(dl)
	stop := context.AfterFunc(ctx, func() { c.conn.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	_, err := c.conn.Write(frames[1])
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// direct is false: STREAM connections have their own reading goroutines.
func (x *stream) direct() bool { return false }

// streamDialLoop dials endpoint and serves each connection, again after
// the reconnect interval whenever it ends, until the socket closes.
func (s *Socket) streamDialLoop(endpoint, network, addr string) {
	x := s.pat.(*stream)
	for {
		var d net.Dialer
		conn, err := d.DialContext(s.ctx, network, addr)
		if err == nil {
			s.emit(Event{Kind: EventConnected, Endpoint: endpoint, Addr: conn.RemoteAddr()})
			x.run(conn, endpoint)
		} else if s.ctx.Err() == nil {
			s.failed(err)
			s.emit(Event{Kind: EventConnectFailed, Endpoint: endpoint, Err: err})
		}
		if s.ctx.Err() != nil {
			return
		}
		wait := s.opts.ReconnectInterval
		s.emit(Event{Kind: EventConnectRetried, Endpoint: endpoint, Retry: wait})
		select {
		case <-time.After(wait):
		case <-s.ctx.Done():
			return
		}
	}
}
