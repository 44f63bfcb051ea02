package curve

import (
	"encoding/binary"

	"github.com/xbahn-go/xbahn/zmtp"
	"golang.org/x/crypto/nacl/box"
)

// Flags carried inside a MESSAGE box.
const (
	boxMore    = 1 << 0
	boxCommand = 1 << 1
)

// maxKeptScratch bounds the scratch buffers a session keeps between calls.
const maxKeptScratch = 1 << 20

// session encrypts the frames of a connection after the handshake: each
// frame travels as the body of a MESSAGE, a short nonce and a box of a flags
// byte and the frame. Seal and Open use separate fields, so that one of
// each may run at once.
type session struct {
	key        [32]byte // read-only after the handshake
	sendPrefix string
	recvPrefix string

	// Owned by Seal.
	sendNonce uint64 // the last short nonce sent
	plain     []byte

	// Owned by Open.
	recvNonce uint64 // the last short nonce accepted
	opened    []byte
}

// Seal appends the frame that carries one frame of the given flags and body:
// a MESSAGE whose box holds the flags (MORE, COMMAND) and the body.
//
// The MESSAGE travels in a frame without flags (LONG aside), as libzmq
// sends it: libzmq keeps the wire flags of a frame when it decodes a
// MESSAGE, so a COMMAND flag on the wire would make it discard the
// message it carries.
func (s *session) Seal(dst []byte, flags zmtp.Flags, body []byte) []byte {
	s.sendNonce++
	var f byte
	if flags.Has(zmtp.FlagMore) {
		f |= boxMore
	}
	if flags.Has(zmtp.FlagCommand) {
		f |= boxCommand
	}
	s.plain = append(append(s.plain[:0], f), body...)
	dst = zmtp.AppendFrameHeader(dst, 0, messageOverhead+len(body))
	dst = append(dst, message...)
	dst = binary.BigEndian.AppendUint64(dst, s.sendNonce)
	dst = box.SealAfterPrecomputation(dst, s.plain, shortNonce(s.sendPrefix, s.sendNonce), &s.key)
	if cap(s.plain) > maxKeptScratch {
		s.plain = nil
	}
	return dst
}

// Open decodes the body of a frame that holds a MESSAGE, whatever the
// frame's flags, and appends the frame it carries to dst. It returns the
// carried frame's flags: MORE and COMMAND. A frame that is not a MESSAGE,
// does not open, or has a short nonce no higher than the last one gives
// ErrInvalid; the connection must then end.
func (s *session) Open(dst []byte, _ zmtp.Flags, frame []byte) (zmtp.Flags, []byte, error) {
	if len(frame) < messageOverhead || string(frame[:len(message)]) != message {
		return 0, dst, ErrInvalid
	}
	n := binary.BigEndian.Uint64(frame[len(message):])
	if n <= s.recvNonce {
		return 0, dst, ErrInvalid
	}
	var ok bool
	s.opened, ok = box.OpenAfterPrecomputation(s.opened[:0], frame[len(message)+8:], shortNonce(s.recvPrefix, n), &s.key)
	if !ok {
		return 0, dst, ErrInvalid
	}
	s.recvNonce = n
	var flags zmtp.Flags
	if s.opened[0]&boxMore != 0 {
		flags |= zmtp.FlagMore
	}
	if s.opened[0]&boxCommand != 0 {
		flags |= zmtp.FlagCommand
	}
	dst = append(dst, s.opened[1:]...)
	if cap(s.opened) > maxKeptScratch {
		s.opened = nil
	}
	return flags, dst, nil
}
