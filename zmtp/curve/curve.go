// Package curve implements the CURVE security mechanism of ZMTP (RFC 25,
// CurveZMQ, and RFC 26, ZMTP-CURVE) for package zmtp: the client proves
// that it knows the server's public key, the server learns the client's
// long-term public key, and every frame afterwards is encrypted and
// authenticated, with perfect forward secrecy from short-term keys.
//
// It speaks CURVE as libzmq does. The cryptography is NaCl's box and
// secretbox (Curve25519, XSalsa20, Poly1305) from golang.org/x/crypto.
//
// A server and its clients share the server's public key out of band:
//
//	serverPub, serverSec, _ := curve.NewKeyPair()
//	srv, _ := zmtp.NewSocket(zmtp.REP, &zmtp.Options{
//		Mechanism: curve.Server{PublicKey: serverPub, SecretKey: serverSec},
//	})
//	clientPub, clientSec, _ := curve.NewKeyPair()
//	cli, _ := zmtp.NewSocket(zmtp.REQ, &zmtp.Options{
//		Mechanism: curve.Client{ServerKey: serverPub, PublicKey: clientPub, SecretKey: clientSec},
//	})
package curve

import (
	"net"

	"github.com/xbahn-go/xbahn/zmtp"
)

// name is the mechanism name in the greeting.
const name = "CURVE"

// Client is the client side of CURVE. A client must know the server's
// long-term public key; it authenticates with its own long-term key pair.
//
// A handshake with keys that cannot work (no server key, no secret key, a
// public key that is not the secret key's) fails with an error wrapping
// zmtp.ErrMechanism. It fails with a *zmtp.AuthError when the server
// refuses the client's key; the socket then stops reconnecting to that server. A
// server that does not have the secret key matching ServerKey closes the
// connection during the handshake, as libzmq does, and the socket tries
// again later.
type Client struct {
	ServerKey Key // the server's long-term public key
	PublicKey Key // the client's long-term public key; computed from SecretKey when zero, checked against it otherwise
	SecretKey Key // the client's long-term secret key
}

// Name returns "CURVE".
func (Client) Name() string { return name }

// Server reports false.
func (Client) Server() bool { return false }

// Handshake sends HELLO, reads WELCOME, sends INITIATE with the local
// metadata and reads READY. It returns the server's metadata and the
// session that encrypts the connection's frames.
func (m Client) Handshake(c *zmtp.HandshakeConn, local zmtp.Metadata) (zmtp.Metadata, zmtp.Session, error) {
	if m.ServerKey == (Key{}) {
		return nil, nil, configError("client has no server key")
	}
	public, err := keyPair(m.PublicKey, m.SecretKey)
	if err != nil {
		return nil, nil, err
	}
	h, err := newClientHandshake(m.ServerKey, public, m.SecretKey)
	if err != nil {
		return nil, nil, err
	}
	if err := c.WriteCommand(zmtp.CmdHello, h.hello()); err != nil {
		return nil, nil, err
	}
	data, err := readCommand(c, zmtp.CmdWelcome, true)
	if err != nil {
		return nil, nil, err
	}
	if err := h.welcome(data); err != nil {
		return nil, nil, err
	}
	initiate, err := h.initiate(local.Append(nil))
	if err != nil {
		return nil, nil, err
	}
	if err := c.WriteCommand(zmtp.CmdInitiate, initiate); err != nil {
		return nil, nil, err
	}
	data, err = readCommand(c, zmtp.CmdReady, true)
	if err != nil {
		return nil, nil, err
	}
	encoded, err := h.ready(data)
	if err != nil {
		return nil, nil, err
	}
	md, err := zmtp.ParseMetadata(encoded, c.MaxProperties())
	if err != nil {
		return nil, nil, err
	}
	return md, h.session(), nil
}

// Server is the server side of CURVE: clients must know its long-term
// public key, and it learns theirs.
type Server struct {
	PublicKey Key // the server's long-term public key; computed from SecretKey when zero, checked against it otherwise
	SecretKey Key // the server's long-term secret key

	// Authorize decides whether the client with the long-term public key
	// clientKey, connecting from peer, may connect. It returns the user
	// id to report for the client, under zmtp.PropUserID in the peer's
	// metadata, or an error to refuse it: the client then gets an ERROR
	// command with zmtp.ReasonAuthFailed. It may be called on many
	// connections at once. A nil Authorize accepts every client, with
	// the Z85 text of its key as user id.
	Authorize func(clientKey Key, peer net.Addr) (userID string, err error)
}

// Name returns "CURVE".
func (Server) Name() string { return name }

// Server reports true.
func (Server) Server() bool { return true }

// Handshake reads HELLO, sends WELCOME, reads INITIATE, authorizes the
// client and sends READY with the local metadata. It returns the client's
// metadata, with zmtp.PropUserID set to the user id Authorize gave, and the
// session that encrypts the connection's frames.
func (m Server) Handshake(c *zmtp.HandshakeConn, local zmtp.Metadata) (zmtp.Metadata, zmtp.Session, error) {
	public, err := keyPair(m.PublicKey, m.SecretKey)
	if err != nil {
		return nil, nil, err
	}
	h := newServerHandshake(public, m.SecretKey)
	data, err := readCommand(c, zmtp.CmdHello, false)
	if err != nil {
		return nil, nil, err
	}
	if err := h.hello(data); err != nil {
		return nil, nil, err
	}
	welcome, err := h.welcome()
	if err != nil {
		return nil, nil, err
	}
	if err := c.WriteCommand(zmtp.CmdWelcome, welcome); err != nil {
		return nil, nil, err
	}
	data, err = readCommand(c, zmtp.CmdInitiate, false)
	if err != nil {
		return nil, nil, err
	}
	client, encoded, err := h.initiate(data)
	if err != nil {
		return nil, nil, err
	}
	md, err := zmtp.ParseMetadata(encoded, c.MaxProperties())
	if err != nil {
		return nil, nil, err
	}
	userID, err := m.authorize(client, c.RemoteAddr())
	if err != nil {
		c.WriteError(zmtp.ReasonAuthFailed)
		return nil, nil, &zmtp.AuthError{Mechanism: name, Reason: zmtp.ReasonAuthFailed, Err: err}
	}
	if err := c.WriteCommand(zmtp.CmdReady, h.ready(local.Append(nil))); err != nil {
		return nil, nil, err
	}
	return zmtp.WithUserID(md, userID), h.session(), nil
}

func (m Server) authorize(client Key, peer net.Addr) (string, error) {
	if m.Authorize == nil {
		return client.String(), nil
	}
	return m.Authorize(client, peer)
}

// readCommand reads the next handshake command, which must be want, and
// returns its data. On the client, an ERROR from the server becomes a
// *zmtp.AuthError.
func readCommand(c *zmtp.HandshakeConn, want string, client bool) ([]byte, error) {
	cmd, err := c.ReadCommand()
	if err != nil {
		if client {
			err = zmtp.AsAuthError(name, err)
		}
		return nil, err
	}
	if cmd.Name != want {
		return nil, ErrInvalid
	}
	return cmd.Data, nil
}

// keyPair checks a configured long-term key pair and returns its public
// key, computed when public is zero.
func keyPair(public, secret Key) (Key, error) {
	if secret == (Key{}) {
		return Key{}, configError("no secret key")
	}
	derived, err := PublicKey(secret)
	if err != nil {
		return Key{}, configError("unusable secret key")
	}
	if public != (Key{}) && public != derived {
		return Key{}, configError("public key does not match the secret key")
	}
	return derived, nil
}

// configError is a mechanism configured so that no handshake can succeed.
// It wraps zmtp.ErrMechanism, so that a socket does not keep trying.
type configError string

func (e configError) Error() string { return "curve: " + string(e) }
func (e configError) Unwrap() error { return zmtp.ErrMechanism }
