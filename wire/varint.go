package wire

// The binary encoding's primitives, in the style of protowire: appendX adds
// an encoded value to b, consumeX returns the value and the number of bytes
// it took, or a negative error code for n.

const (
	errCodeTruncated = -1
	errCodeOverflow  = -2
)

// codeError returns the error for a negative consume result.
func codeError(n int) error {
	if n == errCodeOverflow {
		return ErrSyntax
	}
	return ErrTruncated
}

// appendVarint appends v in 7-bit groups, least significant first, the high
// bit of each byte set when another follows.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// consumeVarint reads a varint of at most 10 bytes that fits in 64 bits.
func consumeVarint(b []byte) (v uint64, n int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, errCodeOverflow
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, errCodeTruncated
}

// appendString appends s with its length as a varint before it.
func appendString(b []byte, s string) []byte {
	return append(appendVarint(b, uint64(len(s))), s...)
}

// zigzag maps signed to unsigned integers so that small magnitudes of
// either sign have short varints: 0, -1, 1, -2 become 0, 1, 2, 3.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// unzigzag inverts zigzag.
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
