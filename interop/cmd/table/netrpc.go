//go:build libzmq

package main

import (
	"context"
	"net"
	"net/rpc"
)

var netrpcImpl = impl{
	name: "net/rpc",
	rpc:  netrpcCall,
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

// netrpcCall serves Arith over loopback TCP with the standard library's
// net/rpc and gob, and calls it on one client, as xbahn's rpc does.
func netrpcCall(ctx context.Context) (func() error, func(), error) {
	c := newCloser(ctx)
	srv := rpc.NewServer()
	if err := srv.Register(Arith{}); err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	c.add(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			srv.ServeConn(conn) // closes conn when the client goes
		}
	}()
	client, err := rpc.Dial("tcp", ln.Addr().String())
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	c.add(func() { client.Close() })
	return func() error {
		var n int
		err := client.Call("Arith.Multiply", &Args{7, 6}, &n)
		if err == nil && n != 42 {
			err = errProduct
		}
		return err
	}, c.Close, nil
}
