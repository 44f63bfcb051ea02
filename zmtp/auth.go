package zmtp

import (
	"errors"
	"strconv"
)

// ErrAuth is found by errors.Is in the error of a handshake that failed
// because a server refused the client's credentials.
var ErrAuth = errors.New("zmtp: authentication failed")

// PropUserID is the metadata property under which a server's mechanism
// reports the user id it authenticated the peer as. A client cannot set
// it: the server replaces any value the client sent.
const PropUserID = "User-Id"

// ReasonAuthFailed is the reason a server sends in its ERROR command when
// it refuses a client's credentials. It is the ZAP status code for an
// authentication failure, which is what libzmq sends.
const ReasonAuthFailed = "400"

// AuthError reports a refused authentication during a PLAIN or CURVE
// handshake. errors.Is finds ErrAuth in it.
//
// On the client side Err is the *PeerError of the server's ERROR command,
// which errors.As finds too, so that a socket does not reconnect with
// credentials that were refused. On the server side Err is the error the
// authentication function returned.
type AuthError struct {
	Mechanism string // "PLAIN" or "CURVE"
	Reason    string // the reason sent or received in the ERROR command
	Err       error
}

// Error describes the refusal and, on the client, the server's reason.
func (e *AuthError) Error() string {
	s := "zmtp: " + e.Mechanism + " authentication failed"
	var pe *PeerError
	switch {
	case errors.As(e.Err, &pe):
		s += ": server sent ERROR " + strconv.Quote(pe.Reason)
	case e.Err != nil:
		s += ": " + trimPrefix(e.Err.Error())
	}
	return s
}

// Unwrap returns ErrAuth and Err.
func (e *AuthError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrAuth}
	}
	return []error{ErrAuth, e.Err}
}

// AsAuthError is for security mechanisms: when err holds the *PeerError
// of an ERROR command that the server sent during the handshake, it
// returns an *AuthError of the named mechanism wrapping it; it returns any
// other error unchanged.
func AsAuthError(mechanism string, err error) error {
	var pe *PeerError
	if errors.As(err, &pe) {
		return &AuthError{Mechanism: mechanism, Reason: pe.Reason, Err: pe}
	}
	return err
}
