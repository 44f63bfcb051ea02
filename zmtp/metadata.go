package zmtp

import (
	"encoding/binary"
	"strings"
)

// Metadata property names with meaning to ZMTP. Names compare
// case-insensitively; these spellings are the ones sent, as libzmq matches
// them exactly.
const (
	PropSocketType = "Socket-Type"
	PropIdentity   = "Identity"
	PropResource   = "Resource"
)

// Property is one name-value pair of a READY or INITIATE command.
type Property struct {
	Name  string
	Value []byte
}

// Metadata is an ordered list of properties with distinct names.
type Metadata []Property

// Get returns the value of the property whose name equals name, ignoring
// case.
func (m Metadata) Get(name string) ([]byte, bool) {
	for _, p := range m {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return nil, false
}

// size returns the encoded length of m.
func (m Metadata) size() int {
	n := 0
	for _, p := range m {
		n += 1 + len(p.Name) + 4 + len(p.Value)
	}
	return n
}

// Append appends the encoding of m: for each property a name length, the
// name, a 4-byte big-endian value length and the value.
func (m Metadata) Append(b []byte) []byte {
	for _, p := range m {
		b = append(b, byte(len(p.Name)))
		b = append(b, p.Name...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(p.Value)))
		b = append(b, p.Value...)
	}
	return b
}

// Validate reports whether m can be encoded: names of 1 to 255 bytes, values
// below 2^31 bytes, no name twice.
func (m Metadata) Validate() error {
	for i, p := range m {
		if len(p.Name) == 0 || len(p.Name) > 255 {
			return malformed("metadata name must be 1 to 255 bytes")
		}
		if len(p.Value) > 1<<31-1 {
			return malformed("metadata value of " + p.Name + " is too long")
		}
		for _, q := range m[:i] {
			if strings.EqualFold(p.Name, q.Name) {
				return malformed("metadata property " + p.Name + " appears twice")
			}
		}
	}
	return nil
}

// ParseMetadata parses properties, checking every length against b. More
// than maxProps properties, an empty name or a name given twice (in any
// case) is an error. Values alias b.
func ParseMetadata(b []byte, maxProps int) (Metadata, error) {
	var m Metadata
	for len(b) > 0 {
		if len(m) >= maxProps {
			return nil, protoErr("metadata", &sizeError{"metadata property count", uint64(len(m) + 1), uint64(maxProps)})
		}
		n := int(b[0])
		if n == 0 {
			return nil, protoErr("metadata", malformed("metadata property with an empty name"))
		}
		if len(b) < 1+n+4 {
			return nil, protoErr("metadata", malformed("metadata property runs past the end of the command"))
		}
		name := string(b[1 : 1+n])
		vlen := binary.BigEndian.Uint32(b[1+n:])
		b = b[1+n+4:]
		if uint64(vlen) > uint64(len(b)) {
			return nil, protoErr("metadata", malformed("metadata value of "+name+" runs past the end of the command"))
		}
		for _, p := range m {
			if strings.EqualFold(p.Name, name) {
				return nil, protoErr("metadata", malformed("metadata property "+p.Name+" appears twice"))
			}
		}
		m = append(m, Property{Name: name, Value: b[:vlen:vlen]})
		b = b[vlen:]
	}
	return m, nil
}
