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
type impl struct {
	name string
	// echo starts a server that answers each request with the request and
	// returns n functions that each make one round trip of size bytes on a
	// connection of their own, for one goroutine each.
	echo func(ctx context.Context, size, n int) (rts []func() error, closeAll func(), err error)
	// push returns a stream of one sender and one receiver.
	push func(ctx context.Context) (s stream, closeAll func(), err error)
	// rpc starts a server and returns a function that calls multiply(7, 6)
	// on one client and checks the product, safe for concurrent use.
	rpc func(ctx context.Context) (call func() error, closeAll func(), err error)
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
