//go:build libzmq

package main

import (
	"context"
	"errors"
	"sync"
)

// An impl is one implementation: a column of the table. A nil function
// leaves its rows empty: net/rpc has no sockets, and the ZeroMQ libraries
// have no RPC layer.
//
// Servers and clients are apart, so that a server can run in a process of
// its own (see serveApart) as well as beside its clients. Whatever they
// open is closed by the closer they are given.
type impl struct {
	name string
	// serveEcho starts a server that answers each request of size bytes
	// with the request, and returns the endpoint to dial.
	serveEcho func(ctx context.Context, c *closer, size int) (endpoint string, err error)
	// dialEcho returns n functions that each make one round trip of size
	// bytes to the echo server at endpoint, on a connection of their
	// own, for one goroutine each.
	dialEcho func(ctx context.Context, c *closer, endpoint string, size, n int) (rts []func() error, err error)
	// push returns a stream of one sender and one receiver.
	push func(ctx context.Context) (s stream, closeAll func(), err error)
	// serveRPC starts a server of multiply and returns the endpoint to
	// dial.
	serveRPC func(ctx context.Context, c *closer) (endpoint string, err error)
	// dialRPC returns a function that calls multiply(7, 6) on one client
	// of the server at endpoint and checks the product, safe for
	// concurrent use.
	dialRPC func(ctx context.Context, c *closer, endpoint string) (call func() error, err error)
	// unbound is set for sockets that another goroutine must not close
	// while an operation blocks: their closer waits for the cell's end
	// instead of following its context, and each operation times out by
	// itself.
	unbound bool
}

// closerFor returns the closer of a cell of im.
func (im impl) closerFor(ctx context.Context) *closer {
	if im.unbound {
		return newCloser(context.Background())
	}
	return newCloser(ctx)
}

// errProduct is the error of a call that returned the wrong product.
var errProduct = errors.New("multiply(7, 6) did not return 42")

// A closer collects what a cell opened and closes it all, in reverse
// order, when Close is called or its context ends, whichever comes first:
// ending the context so unblocks every operation of the cell.
type closer struct {
	mu    sync.Mutex
	fns   []func()
	stop  func() bool
	close sync.Once
}

// newCloser returns a closer bound to ctx.
func newCloser(ctx context.Context) *closer {
	c := &closer{}
	c.stop = context.AfterFunc(ctx, c.Close)
	return c
}

// add registers f to run on Close.
func (c *closer) add(f func()) {
	c.mu.Lock()
	c.fns = append(c.fns, f)
	c.mu.Unlock()
}

// Close runs every registered function once.
func (c *closer) Close() {
	c.close.Do(func() {
		c.stop()
		c.mu.Lock()
		fns := c.fns
		c.mu.Unlock()
		for i := len(fns) - 1; i >= 0; i-- {
			fns[i]()
		}
	})
}
