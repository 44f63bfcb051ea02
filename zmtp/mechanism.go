package zmtp

import (
	"net"
)

// Mechanism is a ZMTP security mechanism such as NULL, PLAIN or CURVE. A
// Mechanism value is the configuration of one socket; its Handshake runs
// once per connection, possibly on many connections at once.
type Mechanism interface {
	// Name returns the name announced in the greeting, such as "NULL".
	Name() string
	// Server reports whether this side is the mechanism's server. It is
	// announced in the greeting's as-server field.
	Server() bool
	// Handshake runs the mechanism's commands on c after the greetings
	// were exchanged, sends local metadata to the peer and returns the
	// peer's. It returns a Session when frames must be transformed
	// afterwards (encryption), or nil when they travel as they are.
	Handshake(c *HandshakeConn, local Metadata) (peer Metadata, s Session, err error)
}

// maxSealOverhead bounds how much longer a sealed frame may be than the
// frame it carries (33 bytes for CURVE).
const maxSealOverhead = 64

// Session seals and opens the frames of one connection after a handshake,
// for mechanisms that encrypt. Calls of Seal are serialized, as are calls of
// Open, but a Seal may run concurrently with an Open.
type Session interface {
	// Seal appends to dst the wire frame that carries one frame with the
	// given flags (MORE, COMMAND) and body.
	Seal(dst []byte, flags Flags, body []byte) []byte
	// Open decodes a wire frame read from the peer. It appends the body
	// it carries to dst and returns the carried frame's flags.
	Open(dst []byte, flags Flags, frame []byte) (Flags, []byte, error)
}

// HandshakeConn is what a Mechanism sees of a connection during its
// handshake: command frames in both directions, bounded in size, and the
// peer's greeting.
type HandshakeConn struct {
	conn     net.Conn
	r        *Reader
	peer     Greeting
	maxSize  uint64
	maxProps int
	wbuf     []byte
	rbuf     []byte
}

// Peer returns the greeting the peer sent.
func (c *HandshakeConn) Peer() Greeting { return c.peer }

// RemoteAddr returns the network address of the peer.
func (c *HandshakeConn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// MaxProperties returns the most metadata properties a command may carry.
func (c *HandshakeConn) MaxProperties() int { return c.maxProps }

// WriteCommand sends one command frame whose data is the concatenation of
// data.
func (c *HandshakeConn) WriteCommand(name string, data ...[]byte) error {
	c.wbuf = AppendCommand(c.wbuf[:0], name, data...)
	_, err := c.conn.Write(c.wbuf)
	return err
}

// WriteReady sends a READY command carrying md.
func (c *HandshakeConn) WriteReady(md Metadata) error {
	c.wbuf = AppendReady(c.wbuf[:0], md)
	_, err := c.conn.Write(c.wbuf)
	return err
}

// WriteError sends an ERROR command with the given reason.
func (c *HandshakeConn) WriteError(reason string) error {
	c.wbuf = AppendError(c.wbuf[:0], reason)
	_, err := c.conn.Write(c.wbuf)
	return err
}

// ReadCommand reads the next frame, which must be a command no larger than
// the handshake limit. An ERROR command from the peer is returned as a
// *PeerError. The command's data is valid until the next ReadCommand.
func (c *HandshakeConn) ReadCommand() (Command, error) {
	flags, body, err := c.r.ReadFrame(c.rbuf[:0], c.maxSize)
	c.rbuf = body
	if err != nil {
		return Command{}, err
	}
	if !flags.Has(FlagCommand) {
		return Command{}, protoErr("handshake", malformed("message frame before the handshake completed"))
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		return Command{}, err
	}
	if cmd.Name == CmdError {
		reason, err := ParseError(cmd.Data)
		if err != nil {
			return Command{}, err
		}
		return Command{}, &PeerError{Reason: reason}
	}
	return cmd, nil
}

// Null is the NULL mechanism: no authentication and no encryption. Both
// sides send READY with their metadata at once.
type Null struct{}

// Name returns "NULL".
func (Null) Name() string { return "NULL" }

// Server reports false: NULL has no roles.
func (Null) Server() bool { return false }

// Handshake sends READY and reads the peer's.
func (Null) Handshake(c *HandshakeConn, local Metadata) (Metadata, Session, error) {
	if err := c.WriteReady(local); err != nil {
		return nil, nil, err
	}
	cmd, err := c.ReadCommand()
	if err != nil {
		return nil, nil, err
	}
	if cmd.Name != CmdReady {
		return nil, nil, protoErr("handshake", malformed("expected READY, got "+cmd.Name))
	}
	md, err := ParseMetadata(cmd.Data, c.maxProps)
	if err != nil {
		return nil, nil, err
	}
	return md, nil, nil
}
