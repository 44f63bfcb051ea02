package rpc

import "errors"

// Error is a call that failed on the other side: the remote function
// returned an error or panicked, the method is not exposed, or the
// arguments did not fit. The caller finds it with errors.As.
type Error struct {
	Method  string // the method called
	Message string // the error text the remote side sent
}

func (e *Error) Error() string { return "rpc: " + e.Method + ": " + e.Message }

// Errors of servers and clients.
var (
	// ErrAuth is the reply to a call whose key does not match the
	// server's.
	ErrAuth = errors.New("authentication failed")
	// ErrNotExposed is the reply to a call of a method the server does
	// not expose.
	ErrNotExposed = errors.New("method not exposed")
	// ErrClosed is returned by a closed server or client.
	ErrClosed = errors.New("rpc: closed")
	// ErrNoClient is returned when a server has no connection to the
	// client it is asked to call.
	ErrNoClient = errors.New("rpc: no connection to that client")
)
