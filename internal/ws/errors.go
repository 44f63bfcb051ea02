package ws

import (
	"errors"
	"io"
	"strconv"
)

// Close codes of RFC 6455, section 7.4.1.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseUnsupportedData = 1003
	CloseNoStatus        = 1005 // never sent: no code in the close frame
	CloseInvalidPayload  = 1007
	ClosePolicyViolation = 1008
	CloseTooBig          = 1009
	CloseInternalError   = 1011
)

// ProtocolError reports a peer that broke RFC 6455. Code is the close
// code that was sent to it.
type ProtocolError struct {
	Code   int
	Reason string
}

func (e *ProtocolError) Error() string {
	return "ws: protocol error " + strconv.Itoa(e.Code) + ": " + e.Reason
}

func protocolError(code int, reason string) *ProtocolError {
	return &ProtocolError{Code: code, Reason: reason}
}

// CloseError reports that the peer closed the connection with a close
// frame. Code is CloseNoStatus when the frame carried no code. It matches
// io.EOF under errors.Is: the peer will send nothing more.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	s := "ws: closed by peer with code " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += ": " + strconv.Quote(e.Reason)
	}
	return s
}

// Is reports whether target is io.EOF.
func (e *CloseError) Is(target error) bool { return target == io.EOF }

// HandshakeError reports an opening handshake that failed. Status is the
// HTTP status the server sent or, on the server, answered with; 0 when
// the handshake failed before one.
type HandshakeError struct {
	Status int
	Reason string
}

func (e *HandshakeError) Error() string {
	s := "ws: handshake: " + e.Reason
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	return s
}

// ErrClosed is returned by writes after Close, or after a close frame
// was sent.
var ErrClosed = errors.New("ws: connection closed")

// ErrHeaderTooLarge is returned by a client handshake whose response
// headers exceed MaxHandshakeSize.
var ErrHeaderTooLarge = errors.New("ws: handshake response too large")
