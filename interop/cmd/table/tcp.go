//go:build libzmq

package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// The floor is what loopback TCP does with no library in between: bytes
// written by one goroutine and read by another, with only as much
// framing as each row needs.
var tcpImpl = impl{
	name:      "raw TCP",
	serveEcho: tcpServeEcho,
	dialEcho:  tcpDialEcho,
	push:      tcpPush,
	serveRPC:  tcpServeRPC,
	dialRPC:   tcpDialRPC,
}

// tcpListen listens on a free loopback port and runs serve on every
// connection it accepts, each in a goroutine of its own, until c closes.
func tcpListen(c *closer, serve func(net.Conn)) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	c.add(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.add(func() { conn.Close() })
			go serve(conn)
		}
	}()
	return ln.Addr().String(), nil
}

// tcpDial connects to addr, closing the connection with c.
func tcpDial(c *closer, addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.add(func() { conn.Close() })
	return conn, nil
}

// tcpPair returns both ends of a loopback TCP connection, closed with c.
func tcpPair(c *closer) (client, server net.Conn, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, _ := ln.Accept()
		accepted <- conn
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		if conn := <-accepted; conn != nil {
			conn.Close()
		}
		return nil, nil, err
	}
	c.add(func() { client.Close() })
	server = <-accepted
	if server == nil {
		return nil, nil, errors.New("accepting the loopback connection failed")
	}
	c.add(func() { server.Close() })
	return client, server, nil
}

// tcpServeEcho reads size bytes and writes them back, on every
// connection.
func tcpServeEcho(ctx context.Context, c *closer, size int) (string, error) {
	return tcpListen(c, func(conn net.Conn) {
		buf := make([]byte, size)
		for {
			if _, err := io.ReadFull(conn, buf); err != nil {
				return
			}
			if _, err := conn.Write(buf); err != nil {
				return
			}
		}
	})
}

// tcpDialEcho writes size bytes and reads them back, on n connections.
func tcpDialEcho(ctx context.Context, c *closer, addr string, size, n int) ([]func() error, error) {
	rts := make([]func() error, n)
	for i := range rts {
		conn, err := tcpDial(c, addr)
		if err != nil {
			return nil, err
		}
		payload, reply := make([]byte, size), make([]byte, size)
		rts[i] = func() error {
			if _, err := conn.Write(payload); err != nil {
				return err
			}
			_, err := io.ReadFull(conn, reply)
			return err
		}
	}
	return rts, nil
}

// tcpPush streams fixed-size messages through a buffered writer, flushed
// when full and at the end, and a buffered reader.
func tcpPush(ctx context.Context) (stream, func(), error) {
	c := newCloser(ctx)
	client, server, err := tcpPair(c)
	if err != nil {
		c.Close()
		return stream{}, nil, err
	}
	w := bufio.NewWriterSize(client, 64<<10)
	r := bufio.NewReaderSize(server, 64<<10)
	buf := make([]byte, streamSize)
	return stream{
		send: func(msg []byte) error {
			_, err := w.Write(msg)
			return err
		},
		flush: w.Flush,
		recv: func() (bool, error) {
			_, err := io.ReadFull(r, buf)
			return err == nil && buf[0] == 1, err
		},
	}, c.Close, nil
}

// The RPC floor is a minimal multiplexed protocol: a request is a 24-byte
// call id and two int64 operands, a reply the call id and the product.
// Each call is one write; the server writes replies in batches, flushing
// when no more requests are buffered.
const (
	tcpRequestSize = 24
	tcpReplySize   = 16
)

// tcpServe answers multiply requests on conn until it fails.
func tcpServe(conn net.Conn) {
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	var req [tcpRequestSize]byte
	var rep [tcpReplySize]byte
	for {
		if _, err := io.ReadFull(r, req[:]); err != nil {
			return
		}
		a := int64(binary.LittleEndian.Uint64(req[8:]))
		b := int64(binary.LittleEndian.Uint64(req[16:]))
		copy(rep[:8], req[:8])
		binary.LittleEndian.PutUint64(rep[8:], uint64(a*b))
		if _, err := w.Write(rep[:]); err != nil {
			return
		}
		if r.Buffered() < tcpRequestSize && w.Flush() != nil {
			return
		}
	}
}

// A tcpClient multiplexes calls on one connection: callers write their
// requests under a lock and wait for a reader goroutine to hand them the
// reply with their call id.
type tcpClient struct {
	conn    net.Conn
	mu      sync.Mutex
	next    uint64
	pending map[uint64]chan int64
	err     error
}

// read delivers replies until the connection fails, then fails every
// pending call.
func (t *tcpClient) read() {
	r := bufio.NewReader(t.conn)
	var rep [tcpReplySize]byte
	var err error
	for {
		if _, err = io.ReadFull(r, rep[:]); err != nil {
			break
		}
		id := binary.LittleEndian.Uint64(rep[:8])
		t.mu.Lock()
		ch := t.pending[id]
		delete(t.pending, id)
		t.mu.Unlock()
		if ch != nil {
			ch <- int64(binary.LittleEndian.Uint64(rep[8:]))
		}
	}
	t.mu.Lock()
	t.err = fmt.Errorf("connection lost: %w", err)
	for id, ch := range t.pending {
		close(ch)
		delete(t.pending, id)
	}
	t.mu.Unlock()
}

// multiply calls a * b on the server.
func (t *tcpClient) multiply(a, b int64, ch chan int64) (int64, error) {
	var req [tcpRequestSize]byte
	t.mu.Lock()
	if t.err != nil {
		t.mu.Unlock()
		return 0, t.err
	}
	t.next++
	id := t.next
	t.pending[id] = ch
	binary.LittleEndian.PutUint64(req[:8], id)
	binary.LittleEndian.PutUint64(req[8:], uint64(a))
	binary.LittleEndian.PutUint64(req[16:], uint64(b))
	_, err := t.conn.Write(req[:])
	t.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, ok := <-ch
	if !ok {
		t.mu.Lock()
		defer t.mu.Unlock()
		return 0, t.err
	}
	return n, nil
}

func tcpServeRPC(ctx context.Context, c *closer) (string, error) {
	return tcpListen(c, tcpServe)
}

func tcpDialRPC(ctx context.Context, c *closer, addr string) (func() error, error) {
	conn, err := tcpDial(c, addr)
	if err != nil {
		return nil, err
	}
	t := &tcpClient{conn: conn, pending: make(map[uint64]chan int64)}
	go t.read()
	chans := sync.Pool{New: func() any { return make(chan int64, 1) }}
	return func() error {
		ch := chans.Get().(chan int64)
		n, err := t.multiply(7, 6, ch)
		if err != nil {
			return err
		}
		chans.Put(ch)
		if n != 42 {
			return errProduct
		}
		return nil
	}, nil
}
