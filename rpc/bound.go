package rpc

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// bound gives the calls made with a context that never ends, such as
// context.Background(), their Timeout. Calls that start within a
// thirty-second of the Timeout of each other share one context, which
// ends between Timeout and Timeout plus that share after each began: a
// call then costs no context and timer of its own, and a connection that
// watches the context for its reads keeps one watch for all of them.
type bound struct {
	cur atomic.Pointer[boundCtx]
	mu  sync.Mutex // held to replace cur
}

// boundCtx is one shared context and its deadline. The context is never
// cancelled: calls may hold it until its deadline, which ends it.
type boundCtx struct {
	ctx      context.Context
	cancel   context.CancelFunc // kept, not called (see above)
	deadline time.Time
}

// share is the part of the Timeout by which a call's bound may exceed it.
const share = 32

// context returns a context that ends no sooner than timeout after now,
// and no later than timeout plus timeout/share.
func (b *bound) context(now time.Time, timeout time.Duration) context.Context {
	if c := b.cur.Load(); c != nil && c.deadline.Sub(now) >= timeout {
		return c.ctx
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.cur.Load()
	if c != nil && c.deadline.Sub(now) >= timeout {
		return c.ctx
	}
	n := &boundCtx{deadline: now.Add(timeout + timeout/share)}
	n.ctx, n.cancel = context.WithDeadline(context.Background(), n.deadline)
	b.cur.Store(n)
	return n.ctx
}
