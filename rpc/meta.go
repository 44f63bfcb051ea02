package rpc

import (
	"context"
	"errors"
	"time"
)

// What a call and its reply carry between our peers, beyond the
// original's protocol, in meta keys that the original ignores and that go
// only to peers that announced they are xbahn programs
// (xbahn.XbahnPeer): the time the caller will wait, and the code of an
// error. A caller that gives up sends a cancel message, the call's id as
// data, to "<path>.cancel".
const (
	metaTimeout = "timeout_ms" // the caller's deadline, in milliseconds from the request
	metaCode    = "code"       // an error reply's Code
)

// Code says what kind of failure an error reply is, in gRPC's terms, so
// that a Go caller can tell with errors.Is (see Error.Unwrap). Between our
// peers it travels beside the original's error text.
type Code string

// The codes of failures.
const (
	CodeUnknown          Code = "unknown"           // an error of the function called
	CodeNotFound         Code = "not_found"         // no such method, route or widget instance
	CodeInvalidArgument  Code = "invalid_argument"  // the arguments do not fit the function
	CodeDeadlineExceeded Code = "deadline_exceeded" // the call ran out of the caller's time
	CodeCanceled         Code = "cancelled"         // the caller cancelled the call
	CodeUnauthenticated  Code = "unauthenticated"   // the key did not match
	CodePermissionDenied Code = "permission_denied" // the caller may not do that
	CodeUnavailable      Code = "unavailable"       // the server is closing or busy
	CodeInternal         Code = "internal"          // the function panicked
)

// Errors that the codes without a sentinel of their own stand for.
var (
	// ErrInvalidArgument is a call whose arguments do not fit.
	ErrInvalidArgument = errors.New("rpc: invalid argument")
	// ErrPermission is a call the caller may not make.
	ErrPermission = errors.New("rpc: permission denied")
	// ErrInternal is a call whose function panicked.
	ErrInternal = errors.New("rpc: internal error")
)

// codeError is an error with a code given by the function that failed.
type codeError struct {
	code Code
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// WithCode returns err with code, for a function to say what kind of
// failure it returns: rpc.WithCode(rpc.CodePermissionDenied, err).
func WithCode(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &codeError{code, err}
}

// argError is a call whose arguments do not fit its function.
type argError struct{ err error }

func (e *argError) Error() string { return e.err.Error() }
func (e *argError) Unwrap() error { return e.err }

// CodeOf returns the code of an error a function or a server returned.
func CodeOf(err error) Code {
	var ce *codeError
	var ae *argError
	var pe *panicError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &pe):
		return CodeInternal
	case errors.As(err, &ae), errors.Is(err, ErrWidgetPath):
		return CodeInvalidArgument
	case errors.Is(err, ErrNotExposed), errors.Is(err, ErrWidgetNotFound), errors.Is(err, ErrUnknownRoute):
		return CodeNotFound
	case errors.Is(err, context.DeadlineExceeded):
		return CodeDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, ErrAuth):
		return CodeUnauthenticated
	case errors.Is(err, ErrClosed), errors.Is(err, ErrBusy):
		return CodeUnavailable
	}
	return CodeUnknown
}

// codeSentinel returns what a code stands for on the caller's side.
func codeSentinel(c Code) error {
	switch c {
	case CodeInvalidArgument:
		return ErrInvalidArgument
	case CodeDeadlineExceeded:
		return context.DeadlineExceeded
	case CodeCanceled:
		return context.Canceled
	case CodeUnauthenticated:
		return ErrAuth
	case CodePermissionDenied:
		return ErrPermission
	case CodeInternal:
		return ErrInternal
	}
	return nil
}

// callContext returns the context of the call of w: it ends with the
// server's calls (at Close, or a Shutdown that runs out of time), at the
// server's CallTimeout, at the caller's deadline when it sent one, and when
// the caller cancels. Both bounds count from the call's arrival. The
// caller ends it with s.calls.finish.
func (s *Server) callContext(w work) *callCtx {
	ctx := &callCtx{base: s.calls.base}
	if s.opts.CallTimeout > 0 {
		ctx.deadline = w.received.Add(s.opts.CallTimeout)
	}
	if ms, ok := w.m.Meta[metaTimeout].(int64); ok && ms >= 0 {
		if d := w.received.Add(time.Duration(ms) * time.Millisecond); ctx.deadline.IsZero() || d.Before(ctx.deadline) {
			ctx.deadline = d
		}
	}
	s.calls.track(w.m, ctx)
	return ctx
}
