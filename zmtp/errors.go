package zmtp

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Sentinel errors returned by sockets and the codec. Errors from the codec
// and the handshake wrap them inside a *ProtocolError.
var (
	// ErrClosed is returned by operations on a closed Socket. It is a
	// *ClosedError: errors.Is matches it with the closed errors of the
	// layers above and with net.ErrClosed.
	ErrClosed error = &ClosedError{What: "zmtp: socket closed"}
	// ErrState is returned when a call breaks the socket type's send/receive
	// pattern, such as two Sends in a row on a REQ socket.
	ErrState = errors.New("zmtp: operation not valid in the socket's current state")
	// ErrNotSupported is returned by an operation the socket type does not
	// offer, such as Recv on a PUB socket.
	ErrNotSupported = errors.New("zmtp: operation not supported by this socket type")
	// ErrTooLarge is returned when a frame, message or command exceeds its
	// configured limit.
	ErrTooLarge = errors.New("zmtp: size limit exceeded")
	// ErrVersion is returned for a peer that speaks a ZMTP version below 3.
	ErrVersion = errors.New("zmtp: unsupported protocol version")
	// ErrMechanism is returned when the peer's security mechanism differs.
	ErrMechanism = errors.New("zmtp: security mechanism mismatch")
	// ErrSocketType is returned when the peer's socket type cannot talk to
	// ours.
	ErrSocketType = errors.New("zmtp: incompatible socket type")
	// ErrMalformed is returned for bytes that do not follow the grammar.
	ErrMalformed = errors.New("zmtp: malformed input")
	// ErrHostUnreachable is returned by a ROUTER socket with Mandatory set
	// when no peer has the routing id of the message.
	ErrHostUnreachable = errors.New("zmtp: no peer with that routing id")
	// ErrNoPeer is returned by a REQ socket whose request can no longer be
	// answered because the connection that carried it was lost.
	ErrNoPeer = errors.New("zmtp: connection to the peer was lost")
	// ErrUnreachable is returned to calls that wait for a peer when the
	// socket could not reach its first one within Options.ConnectTimeout;
	// errors.Is finds the last dial or handshake failure in it too.
	ErrUnreachable = errors.New("zmtp: no peer could be reached")
	// ErrAgain is returned by a socket that would have to block to send a
	// message while its context says not to, or that drops the message.
	ErrAgain = errors.New("zmtp: resource temporarily unavailable")
)

// ClosedError is the error of an operation on something closed: a Socket
// here, a connection in package xbahn, a server or client in package rpc.
// Each of those packages has an ErrClosed of this type, and errors.Is
// matches any of them with any other, and with net.ErrClosed, so that a
// call that fails because a layer below it closed is found by the
// sentinel of the layer the caller uses.
type ClosedError struct {
	What string // the error's text, such as "zmtp: socket closed"
}

func (e *ClosedError) Error() string { return e.What }

// Is reports whether target is a *ClosedError or net.ErrClosed.
func (e *ClosedError) Is(target error) bool {
	_, ok := target.(*ClosedError)
	return ok || target == net.ErrClosed
}

// Lockstep errors of REQ and REP sockets; errors.Is finds ErrState in them.
var (
	errReqSendTwice = fmt.Errorf("zmtp: REQ socket must receive the reply before sending again: %w", ErrState)
	errReqRecvFirst = fmt.Errorf("zmtp: REQ socket must send a request before receiving: %w", ErrState)
	errReqAbandoned = fmt.Errorf("zmtp: request abandoned for a newer one: %w", ErrState)
	errRepRecvTwice = fmt.Errorf("zmtp: REP socket must send the reply before receiving again: %w", ErrState)
	errRepSendFirst = fmt.Errorf("zmtp: REP socket must receive a request before replying: %w", ErrState)
	errLockstepBusy = fmt.Errorf("zmtp: another goroutine is already doing this step of the REQ/REP lockstep: %w", ErrState)
)

// errRouterEnvelope is returned by a ROUTER asked to send a message without
// a routing id and a body.
var errRouterEnvelope = errors.New("zmtp: a ROUTER message needs a routing id frame and at least one more frame")

// errEmptyMessage is returned for a message of no frames.
var errEmptyMessage = errors.New("zmtp: a message needs at least one frame")

// errRefused closes a connection the socket type does not take, such as a
// second peer of a PAIR socket.
var errRefused = errors.New("zmtp: socket takes no more peers of this kind")

// ProtocolError reports a peer that broke the protocol or a handshake that
// failed. The connection it happened on is closed; errors.Is finds the
// sentinel in Err.
type ProtocolError struct {
	Op  string // what was being done: "greeting", "frame", "READY", ...
	Err error  // the cause, often one of the sentinels above
}

func (e *ProtocolError) Error() string {
	return "zmtp: " + e.Op + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// PeerError is an ERROR command sent by the peer: the peer refused the
// connection, and reconnecting with the same settings will not help.
type PeerError struct {
	Reason string
}

func (e *PeerError) Error() string {
	return "zmtp: peer sent ERROR: " + strconv.Quote(e.Reason)
}

func protoErr(op string, err error) error { return &ProtocolError{Op: op, Err: err} }

// trimPrefix drops a leading "zmtp: " so wrapped sentinels read once.
func trimPrefix(s string) string {
	const p = "zmtp: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// sizeError describes a length over its limit.
type sizeError struct {
	what      string
	size, max uint64
}

func (e *sizeError) Error() string {
	return "zmtp: " + e.what + " of " + strconv.FormatUint(e.size, 10) +
		" bytes exceeds the limit of " + strconv.FormatUint(e.max, 10)
}

func (e *sizeError) Unwrap() error { return ErrTooLarge }

// malformed describes a grammar violation.
type malformed string

func (e malformed) Error() string { return "zmtp: " + string(e) }
func (e malformed) Unwrap() error { return ErrMalformed }
