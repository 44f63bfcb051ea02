package zmtp

import (
	"encoding/binary"
	"net"
)

// Peers of ZMTP 2.0 (RFC 15) and 1.0 (RFC 13), which libzmq before 3.x
// and JeroMQ 0.3 speak. A ZMTP 3 greeting starts with a signature that
// reads as a 1.0 identity frame and as the start of a 2.0 greeting, so
// that sending it in stages lets each side learn the other's version
// before it sends anything that version cannot read (see handshake).
//
// A 2.0 connection frames messages as ZMTP 3.0 does, without commands; a
// 1.0 connection puts the length first, counting the flags byte, and the
// flags after it. Neither has a security handshake or metadata: the
// greeting carries the socket type (2.0 only) and the identity, and
// subscriptions travel as messages, as with a ZMTP 3.0 peer.

// Versions of the protocol a connection speaks.
const (
	version1 = 1 // ZMTP 1.0, RFC 13
	version2 = 2 // ZMTP 2.0, RFC 15
	version3 = 3 // ZMTP 3.0 and 3.1
)

// The revision byte a ZMTP 2.0 peer sends; libzmq takes 0 for a ZMTP 1.0
// peer that sends one.
const (
	revision1 = 0
	revision2 = 1
)

// maxLegacyIdentity bounds the identity of a ZMTP 1.0 or 2.0 greeting, as
// ZMTP 3 bounds it.
const maxLegacyIdentity = 255

// legacyType is the socket type byte of a ZMTP 2.0 greeting: libzmq's
// ZMQ_PAIR (0) to ZMQ_XSUB (10), one less than Type.
func legacyType(t Type) byte { return byte(t - 1) }

// parseLegacyType returns the Type of a ZMTP 2.0 socket type byte.
func parseLegacyType(b byte) (Type, bool) {
	t := Type(b) + 1
	return t, b < 255 && t.valid()
}

// appendFrameV1 appends a ZMTP 1.0 frame: the length of flags and body,
// in one byte or 0xFF and eight, the flags (MORE only) and the body.
func appendFrameV1(b []byte, flags Flags, body []byte) []byte {
	n := len(body) + 1
	if n < 255 {
		b = append(b, byte(n))
	} else {
		b = append(b, 0xFF)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(append(b, byte(flags&FlagMore)), body...)
}

// parseFrameHeaderV1 is ParseFrameHeader for ZMTP 1.0.
func parseFrameHeaderV1(b []byte) (flags Flags, size uint64, n int, err error) {
	if len(b) > 0 && b[0] == 0 {
		return 0, 0, 0, protoErr("frame", malformed("ZMTP 1.0 frame without its flags byte"))
	}
	if len(b) < 2 {
		return 0, 0, 0, nil
	}
	length, n := uint64(b[0]), 1
	if b[0] == 0xFF {
		if len(b) < 10 {
			return 0, 0, 0, nil
		}
		length, n = binary.BigEndian.Uint64(b[1:9]), 9
		if length > 1<<63-1 {
			return 0, 0, 0, protoErr("frame", malformed("frame size has the top bit set"))
		}
	}
	if length == 0 {
		return 0, 0, 0, protoErr("frame", malformed("ZMTP 1.0 frame without its flags byte"))
	}
	return Flags(b[n]) & FlagMore, length - 1, n + 1, nil
}

// framingV1 is the Session of a ZMTP 1.0 connection: it writes frames in
// that version's framing. Reading them is the Reader's, once told.
type framingV1 struct{}

func (framingV1) Seal(dst []byte, flags Flags, body []byte) []byte {
	return appendFrameV1(dst, flags, body)
}

func (framingV1) Open(dst []byte, flags Flags, frame []byte) (Flags, []byte, error) {
	return flags, append(dst, frame...), nil
}

// legacyHandshake finishes the greeting with a ZMTP 1.0 or 2.0 peer, after
// the signatures and, for a versioned peer, the revision: seen holds what
// the peer sent of its greeting so far. It sends the rest of ours, the
// socket type for a versioned peer and our identity, and reads the peer's.
func legacyHandshake(conn net.Conn, r *Reader, cfg *handshakeConfig, version int, seen []byte) (peerInfo, error) {
	versioned := len(seen) == 11
	var out []byte
	if versioned {
		out = append(out, legacyType(cfg.typ))
	}
	// Our signature was the header of a 1.0 identity frame already: its
	// length, one more than the identity, and flags 0x7F.
	if version == version2 {
		out = AppendFrame(out, 0, cfg.identity)
	} else if versioned {
		out = appendFrameV1(out, 0, cfg.identity)
	} else {
		out = append(out, cfg.identity...)
	}
	if _, err := conn.Write(out); err != nil {
		return peerInfo{}, err
	}
	info := peerInfo{version: version, identity: []byte{}}
	if versioned {
		b, err := r.next(1)
		if err != nil {
			return peerInfo{}, err
		}
		t, ok := parseLegacyType(b[0])
		if !ok || !cfg.typ.Compatible(t) {
			return peerInfo{}, protoErr("greeting", socketTypeError{ours: cfg.typ, theirs: legacyTypeName(b[0], t, ok)})
		}
		info.typ = t
		seen = nil
	}
	var id []byte
	var err error
	switch {
	case version == version2:
		id, err = readLegacyIdentity(r, nil, ParseFrameHeader)
	default:
		id, err = readLegacyIdentity(r, seen, parseFrameHeaderV1)
	}
	if err != nil {
		return peerInfo{}, err
	}
	if len(id) > 0 && id[0] != 0 {
		info.identity = append([]byte(nil), id...)
	} else {
		info.identity = nil
	}
	info.md = legacyMetadata(info)
	if version == version1 {
		r.v1 = true
		info.session = framingV1{}
	}
	return info, nil
}

func legacyTypeName(b byte, t Type, ok bool) string {
	if ok {
		return t.String()
	}
	return "type " + string("0123456789abcdef"[b>>4]) + string("0123456789abcdef"[b&15])
}

// readLegacyIdentity reads the identity frame of a greeting, whose first
// bytes, seen, were read already, with the framing of parse.
func readLegacyIdentity(r *Reader, seen []byte, parse func([]byte) (Flags, uint64, int, error)) ([]byte, error) {
	hdr := append([]byte(nil), seen...)
	for {
		_, size, n, err := parse(hdr)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			if size > maxLegacyIdentity {
				return nil, protoErr("greeting", &sizeError{"identity", size, maxLegacyIdentity})
			}
			id := hdr[n:]
			rest, err := r.next(int(size) - len(id))
			if err != nil {
				return nil, err
			}
			return append(id, rest...), nil
		}
		b, err := r.next(1)
		if err != nil {
			return nil, err
		}
		hdr = append(hdr, b[0])
	}
}

// legacyMetadata is what a ZMTP 3 peer would have said in READY of what a
// 1.0 or 2.0 greeting says: the socket type, when known, and the identity.
func legacyMetadata(info peerInfo) Metadata {
	var md Metadata
	if info.typ.valid() {
		md = append(md, Property{Name: PropSocketType, Value: []byte(info.typ.String())})
	}
	if info.identity != nil {
		md = append(md, Property{Name: PropIdentity, Value: info.identity})
	}
	return md
}
