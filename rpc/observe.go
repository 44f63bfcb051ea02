package rpc

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Handler runs a call: what an interceptor calls to go on.
type Handler func(ctx context.Context, call *CallInfo) (any, error)

// Interceptor wraps the calls a server runs, as middleware does: it sees
// the call's method, caller and message, runs it through next (or not)
// and may change the outcome. Interceptors of ServerOptions run in order,
// the first outermost.
type Interceptor func(ctx context.Context, call *CallInfo, next Handler) (any, error)

// intercept runs run through the server's interceptors.
func (s *Server) intercept(ctx context.Context, call *CallInfo, run Handler) (any, error) {
	h := run
	for i := len(s.opts.Interceptors) - 1; i >= 0; i-- {
		in, next := s.opts.Interceptors[i], h
		h = func(ctx context.Context, call *CallInfo) (any, error) { return in(ctx, call, next) }
	}
	return h(ctx, call)
}

// panicError is a function's panic, returned as its error.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// Is reports whether target is ErrInternal.
func (e *panicError) Is(target error) bool { return target == ErrInternal }

// panicked turns a panic of the call m into its error, and logs it with
// its stack.
func (s *Server) panicked(m interface{ String() string }, value any) error {
	e := &panicError{value: value, stack: debug.Stack()}
	if l := s.opts.Logger; l != nil {
		l.Error("rpc: a call panicked", "call", m.String(), "panic", fmt.Sprint(value), "stack", string(e.stack))
	}
	return e
}

// logRefused logs a call whose key did not match.
func (s *Server) logRefused(m interface{ String() string }) {
	if l := s.opts.Logger; l != nil {
		l.Warn("rpc: a call's key does not match", "call", m.String())
	}
}

// ServerStats is a snapshot of a server's calls.
type ServerStats struct {
	InFlight int64 // taken and not yet answered, running or queued
	Served   uint64
	Failed   uint64 // of Served, those answered with an error
	// Methods counts the calls of each registered function; others,
	// widget calls included, count as "".
	Methods map[string]MethodStats
}

// MethodStats counts the calls of one method.
type MethodStats struct {
	Served, Failed uint64
}

// serverStats are the counters behind ServerStats.
type serverStats struct {
	inflight       atomic.Int64
	served, failed atomic.Uint64
	methods        sync.Map // name → *methodCounters
}

type methodCounters struct{ served, failed atomic.Uint64 }

// count counts the answer to a call of method, with err.
func (st *serverStats) count(method string, err error) {
	st.served.Add(1)
	v, ok := st.methods.Load(method)
	if !ok {
		v, _ = st.methods.LoadOrStore(method, new(methodCounters))
	}
	mc := v.(*methodCounters)
	mc.served.Add(1)
	if err != nil {
		st.failed.Add(1)
		mc.failed.Add(1)
	}
}

// Stats returns a snapshot of the server's calls; it is cheap enough to
// poll.
func (s *Server) Stats() ServerStats {
	st := &s.stats
	out := ServerStats{InFlight: st.inflight.Load(), Served: st.served.Load(), Failed: st.failed.Load(), Methods: map[string]MethodStats{}}
	st.methods.Range(func(k, v any) bool {
		mc := v.(*methodCounters)
		out.Methods[k.(string)] = MethodStats{Served: mc.served.Load(), Failed: mc.failed.Load()}
		return true
	})
	return out
}
