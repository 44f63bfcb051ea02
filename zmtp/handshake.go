package zmtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
)

// handshakeConfig is what one side brings to a handshake.
type handshakeConfig struct {
	mech     Mechanism
	typ      Type
	identity []byte
	props    Metadata // the application's, from Options.Properties
	legacy   bool     // ZMTP 1.0 and 2.0 peers are welcome (under NULL only)
	maxCmd   uint64   // largest command during the handshake
	maxProps int      // most metadata properties
}

// peerInfo is what a handshake learns about the peer.
type peerInfo struct {
	version  int // version1, version2 or version3
	typ      Type
	minor    uint8  // the peer's minor version: 0 selects the 3.0 codec
	identity []byte // nil when the peer sent none
	md       Metadata
	session  Session
}

// handshake runs the greeting and the mechanism's handshake on conn, reading
// through r so that bytes the peer sends right after its READY stay
// buffered. The caller sets the deadline.
//
// The greeting goes out in stages, as libzmq sends it, so that a peer of
// an older version learns ours before we send what it cannot read: the
// signature, which is also the header of a ZMTP 1.0 identity frame; once
// the peer's signature is in, the major version; once the peer's is in,
// the rest. A ZMTP 1.0 or 2.0 peer gets the rest of a greeting of its own
// version instead (see legacyHandshake), when the socket allows it.
func handshake(conn net.Conn, r *Reader, cfg *handshakeConfig) (peerInfo, error) {
	var sig [10]byte
	sig[0] = 0xFF
	binary.BigEndian.PutUint64(sig[1:9], uint64(len(cfg.identity))+1)
	sig[9] = 0x7F
	if _, err := conn.Write(sig[:]); err != nil {
		return peerInfo{}, err
	}
	// A ZMTP 1.0 peer sends its identity frame and waits: as little as
	// two bytes, whose first is not 0xFF.
	b, err := r.next(1)
	if err != nil {
		return peerInfo{}, err
	}
	seen := append(make([]byte, 0, GreetingSize), b[0])
	if b[0] == 0xFF {
		if b, err = r.next(9); err != nil {
			return peerInfo{}, err
		}
		seen = append(seen, b...)
	}
	if seen[0] != 0xFF || seen[9]&1 == 0 {
		if err := cfg.downgrade("1.0"); err != nil {
			return peerInfo{}, err
		}
		return legacyHandshake(conn, r, cfg, version1, seen)
	}
	if _, err := conn.Write([]byte{3}); err != nil {
		return peerInfo{}, err
	}
	if b, err = r.next(1); err != nil {
		return peerInfo{}, err
	}
	seen = append(seen, b[0])
	switch b[0] {
	case revision1, revision2:
		v, version := "1.0", version1
		if b[0] == revision2 {
			v, version = "2.0", version2
		}
		if err := cfg.downgrade(v); err != nil {
			return peerInfo{}, err
		}
		return legacyHandshake(conn, r, cfg, version, seen)
	case 2:
		return peerInfo{}, protoErr("greeting", versionError{"revision 2", "no version has that number"})
	}
	rest := AppendGreeting(make([]byte, 0, GreetingSize), cfg.mech.Name(), cfg.mech.Server())[11:]
	if _, err := conn.Write(rest); err != nil {
		return peerInfo{}, err
	}
	if b, err = r.next(GreetingSize - len(seen)); err != nil {
		return peerInfo{}, err
	}
	raw := append(seen, b...)
	g, err := ParseGreeting(raw)
	if err != nil {
		return peerInfo{}, err
	}
	want := mechanismField(cfg.mech.Name())
	if !bytes.Equal(raw[12:32], want[:]) {
		return peerInfo{}, protoErr("greeting", mechanismError{ours: cfg.mech.Name(), theirs: g.Mechanism})
	}

	hc := &HandshakeConn{conn: conn, r: r, peer: g, maxSize: cfg.maxCmd, maxProps: cfg.maxProps}
	peerMD, session, err := cfg.mech.Handshake(hc, cfg.metadata())
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return peerInfo{}, &closedError{mech: cfg.mech.Name(), err: err}
	}
	if err != nil {
		return peerInfo{}, err
	}
	info := peerInfo{version: version3, minor: g.Minor, md: cloneMetadata(peerMD), session: session}
	st, ok := info.md.Get(PropSocketType)
	if !ok {
		return peerInfo{}, protoErr(CmdReady, malformed("peer sent no Socket-Type"))
	}
	info.typ, ok = ParseType(string(st))
	if !ok || !cfg.typ.Compatible(info.typ) {
		hc.WriteError("invalid socket type")
		return peerInfo{}, protoErr(CmdReady, socketTypeError{ours: cfg.typ, theirs: string(st)})
	}
	if id, ok := info.md.Get(PropIdentity); ok && len(id) > 0 && id[0] != 0 && len(id) <= 255 {
		info.identity = id
	}
	return info, nil
}

// downgrade reports whether the socket talks to a peer of ZMTP version v,
// below 3: only under the NULL mechanism, which older versions share, and
// as RFC 37 wants it, so that no one can make a PLAIN or CURVE socket
// speak a version without security; and not when Options.NoDowngrade
// says so.
func (cfg *handshakeConfig) downgrade(v string) error {
	switch {
	case cfg.mech.Name() != "NULL":
		return protoErr("greeting", versionError{v, "the " + cfg.mech.Name() + " mechanism needs ZMTP 3"})
	case !cfg.legacy:
		return protoErr("greeting", versionError{v, "older versions are refused (Options.NoDowngrade)"})
	}
	return nil
}

// metadata returns the metadata this side sends in its handshake:
// Socket-Type, the Identity when the type announces one, then the
// application's properties. An inproc link hands the same to the peer
// socket, so that a peer looks the same over any transport. The result is
// new; its values are shared and must not be modified.
func (cfg *handshakeConfig) metadata() Metadata {
	md := make(Metadata, 0, 2+len(cfg.props))
	md = append(md, Property{Name: PropSocketType, Value: []byte(cfg.typ.String())})
	if cfg.typ.announcesIdentity() {
		md = append(md, Property{Name: PropIdentity, Value: cfg.identity})
	}
	return append(md, cfg.props...)
}

// cloneMetadata copies m so that it no longer aliases a read buffer.
func cloneMetadata(m Metadata) Metadata {
	n := 0
	for _, p := range m {
		n += len(p.Value)
	}
	store := make([]byte, 0, n)
	out := make(Metadata, len(m))
	for i, p := range m {
		start := len(store)
		store = append(store, p.Value...)
		out[i] = Property{Name: p.Name, Value: store[start:len(store):len(store)]}
	}
	return out
}

// closedError is a handshake that the peer ended by closing the
// connection, without an ERROR command.
type closedError struct {
	mech string
	err  error
}

func (e *closedError) Error() string {
	s := "zmtp: the peer closed the connection during the " + e.mech + " handshake"
	if e.mech == "CURVE" {
		s += ", as a CURVE server does that cannot open HELLO: is the server key right?"
	}
	return s
}

func (e *closedError) Unwrap() error { return e.err }

type mechanismError struct{ ours, theirs string }

func (e mechanismError) Error() string {
	return "zmtp: peer uses mechanism " + quoteASCII(e.theirs) + ", this socket " + e.ours
}
func (e mechanismError) Unwrap() error { return ErrMechanism }

type socketTypeError struct {
	ours   Type
	theirs string
}

func (e socketTypeError) Error() string {
	return "zmtp: a " + e.ours.String() + " socket cannot talk to a " + quoteASCII(e.theirs) + " peer"
}
func (e socketTypeError) Unwrap() error { return ErrSocketType }

// quoteASCII returns s for an error message, with bytes outside printable
// ASCII escaped.
func quoteASCII(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && i < 64; i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' {
			b = append(b, c)
		} else {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}
