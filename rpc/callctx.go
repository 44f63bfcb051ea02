package rpc

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// callCtx is the context of a call that a server runs. Most functions
// never wait on their context, so it costs nothing until one does: the
// context that ends with the server's base, and the timer of a deadline,
// are made when Done or Value is first called. Deadline and Err answer
// without them.
type callCtx struct {
	base     context.Context
	deadline time.Time // zero: none
	ended    atomic.Bool
	made     atomic.Pointer[context.Context]

	mu     sync.Mutex
	cancel context.CancelFunc // of made
}

func (c *callCtx) Deadline() (time.Time, bool) { return c.deadline, !c.deadline.IsZero() }

func (c *callCtx) Done() <-chan struct{} { return c.context().Done() }

func (c *callCtx) Value(key any) any { return c.context().Value(key) }

func (c *callCtx) Err() error {
	if ctx := c.made.Load(); ctx != nil {
		return (*ctx).Err()
	}
	switch {
	case c.ended.Load():
		return context.Canceled
	case c.base.Err() != nil:
		return c.base.Err()
	case !c.deadline.IsZero() && !time.Now().Before(c.deadline):
		return context.DeadlineExceeded
	}
	return nil
}

func (c *callCtx) String() string { return "rpc.callContext" }

// context returns the context that c stands for, made on first use.
func (c *callCtx) context() context.Context {
	if ctx := c.made.Load(); ctx != nil {
		return *ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx := c.made.Load(); ctx != nil {
		return *ctx
	}
	var ctx context.Context
	if c.deadline.IsZero() {
		ctx, c.cancel = context.WithCancel(c.base)
	} else {
		ctx, c.cancel = context.WithDeadline(c.base, c.deadline)
	}
	if c.ended.Load() {
		c.cancel()
	}
	c.made.Store(&ctx)
	return ctx
}

// end cancels the call's context: its caller cancelled, or it returned.
func (c *callCtx) end() {
	c.ended.Store(true)
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
}
