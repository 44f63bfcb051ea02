//go:build libzmq

package main

import (
	"context"
	"strings"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/zmtp"
)

// loopback is the endpoint every server binds: a free port on 127.0.0.1.
const loopback = "tcp://127.0.0.1:0"

var xbahnImpl = impl{
	name:      "xbahn",
	serveEcho: xbahnServeEcho,
	dialEcho:  xbahnDialEcho,
	push:      xbahnPush,
	serveRPC:  xbahnServeRPC,
	dialRPC:   xbahnDialRPC,
}

// xbahnSocket returns a new socket of type t, closed with c.
func xbahnSocket(c *closer, t zmtp.Type) (*zmtp.Socket, error) {
	s, err := zmtp.NewSocket(t, nil)
	if err != nil {
		return nil, err
	}
	c.add(func() { s.Close() })
	return s, nil
}

func xbahnServeEcho(ctx context.Context, c *closer, size int) (string, error) {
	rep, err := xbahnSocket(c, zmtp.REP)
	if err != nil {
		return "", err
	}
	ep, err := rep.Bind(loopback)
	if err != nil {
		return "", err
	}
	go func() {
		var m zmtp.Msg
		for rep.RecvMsg(ctx, &m) == nil {
			if rep.Send(ctx, m.Frames...) != nil {
				return
			}
		}
	}()
	return ep, nil
}

func xbahnDialEcho(ctx context.Context, c *closer, ep string, size, n int) ([]func() error, error) {
	rts := make([]func() error, n)
	for i := range rts {
		req, err := xbahnSocket(c, zmtp.REQ)
		if err != nil {
			return nil, err
		}
		if err := req.Connect(ep); err != nil {
			return nil, err
		}
		payload := make([]byte, size)
		var m zmtp.Msg
		rts[i] = func() error {
			if err := req.Send(ctx, payload); err != nil {
				return err
			}
			return req.RecvMsg(ctx, &m)
		}
	}
	return rts, nil
}

func xbahnPush(ctx context.Context) (stream, func(), error) {
	c := newCloser(ctx)
	pull, err := xbahnSocket(c, zmtp.PULL)
	if err != nil {
		c.Close()
		return stream{}, nil, err
	}
	ep, err := pull.Bind(loopback)
	if err != nil {
		c.Close()
		return stream{}, nil, err
	}
	push, err := xbahnSocket(c, zmtp.PUSH)
	if err == nil {
		err = push.Connect(ep)
	}
	if err != nil {
		c.Close()
		return stream{}, nil, err
	}
	var m zmtp.Msg
	return stream{
		send: func(msg []byte) error { return push.Send(ctx, msg) },
		recv: func() (bool, error) {
			err := pull.RecvMsg(ctx, &m)
			return err == nil && m.Frames[0][0] == 1, err
		},
	}, c.Close, nil
}

// calc is the RPC service of the table.
type calc struct{}

// Multiply multiplies.
func (calc) Multiply(a, b int) int { return a * b }

func xbahnServeRPC(ctx context.Context, c *closer) (string, error) {
	// DEALER/ROUTER: the calls of all callers share one connection.
	conn, err := xbahn.Listen("zmq://127.0.0.1:0/router", nil)
	if err != nil {
		return "", err
	}
	c.add(func() { conn.Close() })
	srv, err := rpc.NewServer(nil)
	if err != nil {
		return "", err
	}
	c.add(func() { srv.Close() })
	if err := srv.RegisterMethods(calc{}); err != nil {
		return "", err
	}
	if err := srv.Attach(xbahn.NewLink(xbahn.Conns{Receive: conn, Respond: conn})); err != nil {
		return "", err
	}
	return conn.Endpoint(), nil
}

func xbahnDialRPC(ctx context.Context, c *closer, ep string) (func() error, error) {
	cconn, err := xbahn.Connect("zmq://"+strings.TrimPrefix(ep, "tcp://")+"/dealer", nil)
	if err != nil {
		return nil, err
	}
	c.add(func() { cconn.Close() })
	link := xbahn.NewLink(xbahn.Conns{Send: cconn, Receive: cconn})
	c.add(func() { link.Close() })
	client, err := rpc.NewClient(ctx, link.Main(), nil)
	if err != nil {
		return nil, err
	}
	return func() error {
		n, err := rpc.CallAs[int](ctx, client, "multiply", 7, 6)
		if err == nil && n != 42 {
			err = errProduct
		}
		return err
	}, nil
}
