//go:build libzmq

package main

import (
	"context"
	"net"
	"net/rpc"
)

var netrpcImpl = impl{
	name:     "net/rpc",
	serveRPC: netrpcServe,
	dialRPC:  netrpcDial,
}

// Arith is the net/rpc service of the table.
type Arith struct{}

// Args are the arguments of Arith.Multiply.
type Args struct{ A, B int }

// Multiply multiplies, in net/rpc's way.
func (Arith) Multiply(args *Args, product *int) error {
	*product = args.A * args.B
	return nil
}

// netrpcServe serves Arith over loopback TCP with the standard library's
// net/rpc and gob.
func netrpcServe(ctx context.Context, c *closer) (string, error) {
	srv := rpc.NewServer()
	if err := srv.Register(Arith{}); err != nil {
		return "", err
	}
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
			go srv.ServeConn(conn)
		}
	}()
	return ln.Addr().String(), nil
}

// netrpcDial calls Arith on one client, as xbahn's rpc does.
func netrpcDial(ctx context.Context, c *closer, addr string) (func() error, error) {
	client, err := rpc.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.add(func() { client.Close() })
	return func() error {
		var n int
		err := client.Call("Arith.Multiply", &Args{7, 6}, &n)
		if err == nil && n != 42 {
			err = errProduct
		}
		return err
	}, nil
}
