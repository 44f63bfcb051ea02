package zmtp

import "encoding/binary"

// Flags is the flags byte of a frame.
type Flags uint8

// Frame flags. Bits 3 to 7 are reserved; readers ignore them.
const (
	FlagMore    Flags = 1 << 0 // more frames of the message follow
	FlagLong    Flags = 1 << 1 // the size field is 8 bytes
	FlagCommand Flags = 1 << 2 // the frame is a command
)

// Has reports whether every flag in v is set.
func (f Flags) Has(v Flags) bool { return f&v == v }

func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var s string
	for _, n := range [...]struct {
		f    Flags
		name string
	}{{FlagMore, "MORE"}, {FlagLong, "LONG"}, {FlagCommand, "COMMAND"}} {
		if f&n.f != 0 {
			if s != "" {
				s += "|"
			}
			s += n.name
		}
	}
	if r := f &^ (FlagMore | FlagLong | FlagCommand); r != 0 {
		if s != "" {
			s += "|"
		}
		s += "0x" + string("0123456789abcdef"[r>>4]) + string("0123456789abcdef"[r&15])
	}
	return s
}

// MaxHeaderSize is the longest frame header: a flags byte and an 8-byte size.
const MaxHeaderSize = 9

// AppendFrameHeader appends a frame header for a body of size bytes. The
// LONG flag is chosen by size; flags may carry MORE and COMMAND.
func AppendFrameHeader(b []byte, flags Flags, size int) []byte {
	flags &^= FlagLong
	if size > 255 {
		b = append(b, byte(flags|FlagLong))
		return binary.BigEndian.AppendUint64(b, uint64(size))
	}
	return append(b, byte(flags), byte(size))
}

// AppendFrame appends a whole frame: header and body.
func AppendFrame(b []byte, flags Flags, body []byte) []byte {
	return append(AppendFrameHeader(b, flags, len(body)), body...)
}

// ParseFrameHeader parses the frame header at the start of b. It returns the
// flags (LONG cleared), the declared body size and the header length n. If b
// holds only part of a header, n is 0 and err is nil. A long size with the
// top bit set is an error, as ZMTP allows sizes up to 2^63-1.
func ParseFrameHeader(b []byte) (flags Flags, size uint64, n int, err error) {
	if len(b) < 2 {
		return 0, 0, 0, nil
	}
	flags = Flags(b[0])
	if !flags.Has(FlagLong) {
		return flags, uint64(b[1]), 2, nil
	}
	if len(b) < MaxHeaderSize {
		return 0, 0, 0, nil
	}
	size = binary.BigEndian.Uint64(b[1:9])
	if size > 1<<63-1 {
		return 0, 0, 0, protoErr("frame", malformed("frame size has the top bit set"))
	}
	return flags &^ FlagLong, size, MaxHeaderSize, nil
}
