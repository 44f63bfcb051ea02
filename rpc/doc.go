// Package rpc lets xbahn programs call each other's functions.
//
// A Server exposes what is registered on it, and nothing else: functions
// by name (Register) or the exported methods of a Go value
// (RegisterMethods), each under its name in snake case, as Python callers
// spell it: SetNumber is "set_number" (see MethodName). A Client calls
// them by name with a context:
//
//	product, err := rpc.CallAs[int](ctx, client, "multiply", 7, 6)
//
// Arguments travel as wire values and are converted to the parameters'
// types (see Convert); a value that does not fit is an error reply naming
// the parameter. Parameters may be structs, filled from maps by field
// name, as a Python caller sends them:
//
//	s.Register("place_order", func(ctx context.Context, o Order) (Receipt, error) { ... })
//	receipt, err := rpc.CallAs[Receipt](ctx, client, "place_order", order)
//
// The arguments are decoded from the wire straight into the parameters'
// types, and CallAs decodes the result straight into T (see wire.Type),
// with no map[string]any built on the way. A function may take a context.Context first, which
// carries the CallInfo of the call. A function's error, or a panic, goes
// back as an error reply, which the caller receives as an *Error; the
// server goes on serving.
//
// Calls are xbahn messages on the original's paths: a call to "multiply"
// is a message to "<path>.call" (path "comm" by default) with data
// "multiply", the caller's id in meta.client and the arguments in args and
// kwargs, and the reply carries the result in data. So the message
// layer's routing and events apply, and Python xbahn clients and servers
// interoperate with ours in both roles. A failed call is answered with
// the original's error text (see ErrNotExposed and the errors after it),
// and the Error a client gets matches the sentinel of that text with
// errors.Is, whichever side answered.
//
// # Serving
//
// Serve answers calls until Shutdown, which stops taking calls and waits
// for those in flight, or Close; Attach does the same without blocking.
// Calls run concurrently, on any URL (a REP URL too), up to
// ServerOptions.MaxConcurrent, with a queue of MaxQueued behind them;
// a call that finds both full is answered with ErrBusy. A call's
// context ends at the caller's deadline, when the caller cancels, at
// CallTimeout, and when the server closes: between our peers the request
// carries the time the caller waits (meta timeout_ms) and a caller that
// gives up sends a cancel to "<path>.cancel"; Python peers, which send
// neither, are unaffected. A client gives every call ClientOptions.Timeout
// (DefaultTimeout) unless its context ends sooner.
//
// Between our peers an error reply also carries a Code, which errors.Is
// matches on the caller's side (ErrInvalidArgument,
// context.DeadlineExceeded, ErrPermission, ...); WithCode sets it. Server
// and client interceptors wrap every call, as middleware does, a Logger
// hears of panics and refusals, and Server.Stats counts calls.
//
// # Two-way
//
// A client-aware server (ServerOptions.ClientAware) gives each client an
// id, keeps a Remote record of it and fires OnNewClient, and can call the
// functions that a two-way client exposes on its Local server. As in the original, a client
// may announce a responder connection for the server to connect back to;
// the server does so only to the host the call came from, unless
// ServerOptions.ConnectBack says otherwise, and only after the call passed
// authentication. A client that reaches the server over a DEALER/ROUTER
// connection needs no second connection: the server calls it back over the
// same one, which works behind NAT. Idle clients are dropped after
// ServerOptions.IdleTimeout.
//
// ServerOptions.Key checks a shared key sent with each call, compared in
// constant time. It travels in clear text; the connection's security
// mechanism (PLAIN or CURVE, in package zmtp) is what protects it.
package rpc
