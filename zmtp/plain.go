package zmtp

import (
	"errors"
	"net"
	"strings"
)

// plainName is the mechanism name of PLAIN in the greeting.
const plainName = "PLAIN"

// PlainClient is the client side of the PLAIN mechanism (RFC 24): it sends
// a user name and a password, in clear text, for the server to check.
// PLAIN neither hides nor protects the traffic; use it on trusted networks
// only.
//
// The handshake fails with an *AuthError when the server refuses the
// credentials; the socket then stops reconnecting to that server.
type PlainClient struct {
	Username string // at most 255 bytes
	Password string // at most 255 bytes
}

// Name returns "PLAIN".
func (PlainClient) Name() string { return plainName }

// Server reports false.
func (PlainClient) Server() bool { return false }

// Handshake sends HELLO with the credentials, expects WELCOME, sends
// INITIATE with the local metadata and returns the metadata of the
// server's READY.
func (m PlainClient) Handshake(c *HandshakeConn, local Metadata) (Metadata, Session, error) {
	if len(m.Username) > 255 || len(m.Password) > 255 {
		return nil, nil, errPlainCredentials
	}
	hello := AppendPlainHello(nil, m.Username, m.Password)
	if err := c.WriteCommand(CmdHello, hello); err != nil {
		return nil, nil, err
	}
	cmd, err := readPlainReply(c)
	if err != nil {
		return nil, nil, AsAuthError(plainName, err)
	}
	if cmd.Name != CmdWelcome {
		return nil, nil, plainUnexpected(CmdWelcome, cmd.Name)
	}
	if len(cmd.Data) != 0 {
		return nil, nil, protoErr(CmdWelcome, malformed("PLAIN WELCOME carries data"))
	}
	if err := c.WriteCommand(CmdInitiate, local.Append(nil)); err != nil {
		return nil, nil, err
	}
	cmd, err = readPlainReply(c)
	if err != nil {
		return nil, nil, AsAuthError(plainName, err)
	}
	if cmd.Name != CmdReady {
		return nil, nil, plainUnexpected(CmdReady, cmd.Name)
	}
	md, err := ParseMetadata(cmd.Data, c.MaxProperties())
	if err != nil {
		return nil, nil, err
	}
	return md, nil, nil
}

// libzmqPlainError is how the ERROR command of libzmq's PLAIN server
// starts (libzmq 4.2.3 and later): its C literal "\x05ERROR" reads as the
// escape \x05E followed by "RROR", so the name's length byte and its first
// letter became the one byte 0x5E. The rest, a reason length and the
// reason, is as usual.
const libzmqPlainError = "\x5eRROR"

// readPlainReply reads the server's next command, and takes libzmq's
// malformed PLAIN ERROR for the ERROR it means, so that a client refused
// by libzmq learns that it was refused.
func readPlainReply(c *HandshakeConn) (Command, error) {
	cmd, err := c.ReadCommand()
	if err != nil && errors.Is(err, ErrMalformed) {
		if body, ok := strings.CutPrefix(string(c.rbuf), libzmqPlainError); ok {
			if reason, perr := ParseError([]byte(body)); perr == nil {
				return Command{}, &PeerError{Reason: reason}
			}
		}
	}
	return cmd, err
}

// PlainServer is the server side of the PLAIN mechanism (RFC 24): it
// checks the user name and password each client sends.
type PlainServer struct {
	// Authenticate checks the credentials of a client connecting from
	// peer. It returns the user id to report for the client, under
	// PropUserID in the peer's metadata, or an error to refuse it; the
	// client then gets an ERROR command with ReasonAuthFailed. It may be
	// called on many connections at once. A nil Authenticate refuses
	// every client, as libzmq does without an authentication handler.
	Authenticate func(username, password string, peer net.Addr) (userID string, err error)
}

// Name returns "PLAIN".
func (PlainServer) Name() string { return plainName }

// Server reports true.
func (PlainServer) Server() bool { return true }

// Handshake reads HELLO and checks the credentials, answers WELCOME or
// ERROR, reads INITIATE and answers READY with the local metadata. It
// returns the client's metadata with PropUserID set to the authenticated
// user id.
func (m PlainServer) Handshake(c *HandshakeConn, local Metadata) (Metadata, Session, error) {
	cmd, err := c.ReadCommand()
	if err != nil {
		return nil, nil, err
	}
	if cmd.Name != CmdHello {
		return nil, nil, plainUnexpected(CmdHello, cmd.Name)
	}
	user, pass, err := ParsePlainHello(cmd.Data)
	if err != nil {
		return nil, nil, err
	}
	userID, err := m.authenticate(user, pass, c.RemoteAddr())
	if err != nil {
		c.WriteError(ReasonAuthFailed)
		return nil, nil, &AuthError{Mechanism: plainName, Reason: ReasonAuthFailed, Err: err}
	}
	if err := c.WriteCommand(CmdWelcome); err != nil {
		return nil, nil, err
	}
	cmd, err = c.ReadCommand()
	if err != nil {
		return nil, nil, err
	}
	if cmd.Name != CmdInitiate {
		return nil, nil, plainUnexpected(CmdInitiate, cmd.Name)
	}
	md, err := ParseMetadata(cmd.Data, c.MaxProperties())
	if err != nil {
		return nil, nil, err
	}
	if err := c.WriteReady(local); err != nil {
		return nil, nil, err
	}
	return WithUserID(md, userID), nil, nil
}

func (m PlainServer) authenticate(user, pass string, peer net.Addr) (string, error) {
	if m.Authenticate == nil {
		return "", errNoAuthenticator
	}
	return m.Authenticate(user, pass, peer)
}

// AppendPlainHello appends the data of a PLAIN HELLO command: the user
// name and the password, each after its 1-byte length. Both must be at
// most 255 bytes long.
func AppendPlainHello(b []byte, username, password string) []byte {
	b = append(b, byte(len(username)))
	b = append(b, username...)
	b = append(b, byte(len(password)))
	return append(b, password...)
}

// ParsePlainHello returns the user name and password of a PLAIN HELLO
// command's data. The lengths must account for every byte, as libzmq
// requires.
func ParsePlainHello(data []byte) (username, password string, err error) {
	if len(data) < 1 || int(data[0]) > len(data)-2 {
		return "", "", protoErr(CmdHello, malformed("PLAIN HELLO user name length does not fit the command"))
	}
	n := int(data[0])
	user, rest := data[1:1+n], data[1+n:]
	if int(rest[0]) != len(rest)-1 {
		return "", "", protoErr(CmdHello, malformed("PLAIN HELLO password length does not match the command"))
	}
	return string(user), string(rest[1:]), nil
}

// WithUserID returns md without any PropUserID property the peer sent,
// followed by PropUserID set to userID. It does not modify md.
func WithUserID(md Metadata, userID string) Metadata {
	out := make(Metadata, 0, len(md)+1)
	for _, p := range md {
		if !strings.EqualFold(p.Name, PropUserID) {
			out = append(out, p)
		}
	}
	return append(out, Property{Name: PropUserID, Value: []byte(userID)})
}

func plainUnexpected(want, got string) error {
	return protoErr(plainName, malformed("expected "+want+", got "+quoteASCII(got)))
}

var (
	errPlainCredentials = protoErr(plainName, mechanismConfig("PLAIN user name and password must be at most 255 bytes each"))
	errNoAuthenticator  = errors.New("zmtp: PLAIN server has no Authenticate function")
)

// mechanismConfig is a mechanism configured so that no handshake can
// succeed. It wraps ErrMechanism so that a socket does not keep
// reconnecting.
type mechanismConfig string

func (e mechanismConfig) Error() string { return "zmtp: " + string(e) }
func (e mechanismConfig) Unwrap() error { return ErrMechanism }
