package ws

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Opcode is the type of a WebSocket frame (RFC 6455, section 5.2).
type Opcode byte

// The opcodes of RFC 6455. The rest are reserved.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

var opNames = [...]string{
	OpContinuation: "continuation",
	OpText:         "text",
	OpBinary:       "binary",
	OpClose:        "close",
	OpPing:         "ping",
	OpPong:         "pong",
}

// String returns the opcode's name, or its number when it is reserved.
func (op Opcode) String() string {
	if int(op) < len(opNames) && opNames[op] != "" {
		return opNames[op]
	}
	return "opcode " + strconv.Itoa(int(op))
}

// Control reports whether op is a control opcode (close, ping, pong, or
// one of those reserved beside them).
func (op Opcode) Control() bool { return op&0x8 != 0 }

// known reports whether op is one RFC 6455 defines.
func (op Opcode) known() bool {
	return int(op) < len(opNames) && opNames[op] != ""
}

// MaxHeaderSize is the longest frame header: 2 bytes, an 8-byte extended
// length and a 4-byte masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the longest payload of a control frame.
const MaxControlPayload = 125

// Header is a decoded frame header.
type Header struct {
	Fin    bool   // the last frame of its message
	RSV    byte   // the three reserved bits, in the low bits; 0 without extensions
	Op     Opcode // the frame's opcode
	Masked bool   // the payload is masked with Mask
	Mask   [4]byte
	Length int64 // the payload's length
}

// ErrShortHeader is returned by ParseHeader when b does not hold a whole
// header yet.
var ErrShortHeader = errors.New("ws: frame header incomplete")

// ParseHeader decodes the frame header at the start of b and returns it
// with its size in bytes. It returns ErrShortHeader when b ends before
// the header does, and a *ProtocolError for a length that is not in its
// shortest form or that has its top bit set. It checks nothing else:
// opcodes, reserved bits and masking are for the reader to judge.
func ParseHeader(b []byte) (Header, int, error) {
	if len(b) < 2 {
		return Header{}, 0, ErrShortHeader
	}
	h := Header{
		Fin:    b[0]&0x80 != 0,
		RSV:    b[0] >> 4 & 0x7,
		Op:     Opcode(b[0] & 0x0F),
		Masked: b[1]&0x80 != 0,
	}
	n := 2
	switch l := b[1] & 0x7F; l {
	case 126:
		if len(b) < n+2 {
			return Header{}, 0, ErrShortHeader
		}
		h.Length = int64(binary.BigEndian.Uint16(b[n:]))
		n += 2
		if h.Length < 126 {
			return Header{}, 0, protocolError(CloseProtocolError, "frame length not in its shortest form")
		}
	case 127:
		if len(b) < n+8 {
			return Header{}, 0, ErrShortHeader
		}
		v := binary.BigEndian.Uint64(b[n:])
		n += 8
		if v>>63 != 0 {
			return Header{}, 0, protocolError(CloseProtocolError, "frame length has its most significant bit set")
		}
		if v <= 0xFFFF {
			return Header{}, 0, protocolError(CloseProtocolError, "frame length not in its shortest form")
		}
		h.Length = int64(v)
	default:
		h.Length = int64(l)
	}
	if h.Masked {
		if len(b) < n+4 {
			return Header{}, 0, ErrShortHeader
		}
		copy(h.Mask[:], b[n:n+4])
		n += 4
	}
	return h, n, nil
}

// AppendHeader appends the encoding of h to b, with the length in its
// shortest form. h.Length must not be negative.
func AppendHeader(b []byte, h Header) []byte {
	b0 := byte(h.Op&0x0F) | (h.RSV&0x7)<<4
	if h.Fin {
		b0 |= 0x80
	}
	var m byte
	if h.Masked {
		m = 0x80
	}
	switch l := h.Length; {
	case l < 126:
		b = append(b, b0, m|byte(l))
	case l <= 0xFFFF:
		b = append(b, b0, m|126, byte(l>>8), byte(l))
	default:
		b = append(b, b0, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(l))
	}
	if h.Masked {
		b = append(b, h.Mask[:]...)
	}
	return b
}

// MaskBytes masks (or unmasks: the operation is its own inverse) b in
// place with key, b being the part of a payload that starts pos bytes
// into it. It returns the position after b, to pass with the next part.
func MaskBytes(key [4]byte, pos int, b []byte) int {
	pos &= 3
	// Until b is aligned with the key, byte by byte.
	for len(b) > 0 && pos != 0 {
		b[0] ^= key[pos]
		b, pos = b[1:], (pos+1)&3
	}
	if len(b) == 0 {
		return pos
	}
	k32 := uint64(binary.LittleEndian.Uint32(key[:]))
	k64 := k32 | k32<<32
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= key[i&3]
	}
	return len(b) & 3
}
