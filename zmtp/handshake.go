package zmtp

import (
	"bytes"
	"net"
)

// handshakeConfig is what one side brings to a handshake.
type handshakeConfig struct {
	mech     Mechanism
	typ      Type
	identity []byte
	props    Metadata // the application's, from Options.Properties
	maxCmd   uint64   // largest command during the handshake
	maxProps int      // most metadata properties
}

// peerInfo is what a handshake learns about the peer.
type peerInfo struct {
	typ      Type
	minor    uint8  // the peer's minor version: 0 selects the 3.0 codec
	identity []byte // nil when the peer sent none
	md       Metadata
	session  Session
}

// handshake runs the greeting and the mechanism's handshake on conn, reading
// through r so that bytes the peer sends right after its READY stay
// buffered. The caller sets the deadline.
func handshake(conn net.Conn, r *Reader, cfg *handshakeConfig) (peerInfo, error) {
	greeting := AppendGreeting(make([]byte, 0, GreetingSize), cfg.mech.Name(), cfg.mech.Server())
	if _, err := conn.Write(greeting); err != nil {
		return peerInfo{}, err
	}
	// Read the signature first: a ZMTP 1.0 peer sends fewer bytes and then
	// waits for ours, so asking for all 64 would only end at the deadline.
	sig, err := r.next(11)
	if err != nil {
		return peerInfo{}, err
	}
	if err := checkVersion(sig); err != nil {
		return peerInfo{}, err
	}
	raw := append(make([]byte, 0, GreetingSize), sig...)
	rest, err := r.next(GreetingSize - len(sig))
	if err != nil {
		return peerInfo{}, err
	}
	raw = append(raw, rest...)
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
	if err != nil {
		return peerInfo{}, err
	}
	info := peerInfo{minor: g.Minor, md: cloneMetadata(peerMD), session: session}
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
