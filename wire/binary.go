package wire

import (
	"encoding/binary"
	"math"
)

// magic is the first byte of the binary encoding, and names its version
// (B1: binary, version 1). It is a UTF-8 continuation byte, so no UTF-8
// text starts with it: not JSON, and not a PUB/SUB topic either.
const magic = 0xB1

// Value tags of the binary encoding. A tag byte of 0x80 or more is a whole
// int64 from 0 to 127 by itself.
const (
	tagNil      = 0x00
	tagFalse    = 0x01
	tagTrue     = 0x02
	tagInt      = 0x03 // zigzag varint
	tagUint     = 0x04 // varint
	tagFloat    = 0x05 // 8 bytes, IEEE 754 bits, little-endian
	tagString   = 0x06 // varint length, bytes
	tagBytes    = 0x07 // varint length, bytes
	tagList     = 0x08 // varint count, values
	tagMap      = 0x09 // varint count, entries of key (varint length, bytes) and value
	tagSmallInt = 0x80 // 0x80 | v for an int64 v in [0, 127]
)

// AppendBinary appends the binary encoding of m to b and returns the
// extended buffer; it does not retain b. On error it returns b unchanged.
//
// The encoding is the version byte 0xB1, then meta as a map (with the set
// fields merged in), the data value, args as a count and values, and
// kwargs as a count and entries. Map keys are sorted, so equal messages
// encode to equal bytes. Encoding into a buffer of sufficient capacity
// does not allocate unless a map has more than 16 keys or a value needs
// the reflection fallback (see the package documentation).
func (m *Message) AppendBinary(b []byte) ([]byte, error) {
	orig := len(b)
	var buf [stackKeys]entry
	b, err := appendBinaryEntries(append(b, magic), m.metaEntries(buf[:0]), 1)
	if err != nil {
		return b[:orig], err
	}
	if b, err = appendBinaryValue(b, m.Data, 0); err != nil {
		return b[:orig], err
	}
	if b, err = appendBinaryList(b, m.Args, 1); err != nil {
		return b[:orig], err
	}
	if b, err = appendBinaryMap(b, m.Kwargs, 1); err != nil {
		return b[:orig], err
	}
	return b, nil
}

// MarshalBinary returns the binary encoding of m; see AppendBinary.
func (m *Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, 128))
}

// UnmarshalBinary decodes the binary encoding of a message into m with the
// default limits. Like Decode it does not retain b and reuses m's Args,
// Meta and Kwargs; unlike Decode it refuses JSON.
func (m *Message) UnmarshalBinary(b []byte) error {
	return Limits{}.decode(b, m, Binary, nil)
}

// appendBinaryValue appends v, found in a container at nesting depth depth.
func appendBinaryValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, tagNil), nil
	case bool:
		if v {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	case int64:
		return appendBinaryInt(b, v), nil
	case int:
		return appendBinaryInt(b, int64(v)), nil
	case int32:
		return appendBinaryInt(b, int64(v)), nil
	case int16:
		return appendBinaryInt(b, int64(v)), nil
	case int8:
		return appendBinaryInt(b, int64(v)), nil
	case uint64:
		return appendVarint(append(b, tagUint), v), nil
	case uint:
		return appendVarint(append(b, tagUint), uint64(v)), nil
	case uint32:
		return appendVarint(append(b, tagUint), uint64(v)), nil
	case uint16:
		return appendVarint(append(b, tagUint), uint64(v)), nil
	case uint8:
		return appendVarint(append(b, tagUint), uint64(v)), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(v)), nil
	case float32:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(float64(v))), nil
	case string:
		return appendString(append(b, tagString), v), nil
	case []byte:
		return append(appendVarint(append(b, tagBytes), uint64(len(v))), v...), nil
	case []any:
		if depth >= defaultMaxDepth {
			return b, ErrTooDeep
		}
		return appendBinaryList(append(b, tagList), v, depth+1)
	case map[string]any:
		if depth >= defaultMaxDepth {
			return b, ErrTooDeep
		}
		return appendBinaryMap(append(b, tagMap), v, depth+1)
	}
	c, err := canonical(v)
	if err != nil {
		return b, err
	}
	return appendBinaryValue(b, c, depth)
}

// appendBinaryInt appends v, in the tag byte itself if it is from 0 to 127.
func appendBinaryInt(b []byte, v int64) []byte {
	if v >= 0 && v < 0x80 {
		return append(b, tagSmallInt|byte(v))
	}
	return appendVarint(append(b, tagInt), zigzag(v))
}

// appendBinaryList appends the count and elements of l, which is at
// nesting depth depth.
func appendBinaryList(b []byte, l []any, depth int) ([]byte, error) {
	b = appendVarint(b, uint64(len(l)))
	var err error
	for _, v := range l {
		if b, err = appendBinaryValue(b, v, depth); err != nil {
			return b, err
		}
	}
	return b, nil
}

// appendBinaryMap appends the count and sorted entries of m, which is at
// nesting depth depth.
func appendBinaryMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if len(m) == 0 {
		return append(b, 0), nil
	}
	var buf [stackKeys]entry
	return appendBinaryEntries(b, appendEntries(buf[:0], m), depth)
}

// appendBinaryEntries appends the count and the entries of a map at nesting
// depth depth.
func appendBinaryEntries(b []byte, es []entry, depth int) ([]byte, error) {
	b = appendVarint(b, uint64(len(es)))
	var err error
	for _, e := range es {
		b = appendString(b, e.k)
		if f, ok := e.v.(fieldRef); ok {
			b = appendString(append(b, tagString), *f)
		} else if b, err = appendBinaryValue(b, e.v, depth); err != nil {
			return b, err
		}
	}
	return b, nil
}

// binaryDecoder reads one binary message.
type binaryDecoder struct {
	in       []byte
	off      int
	field    string // top-level field being read, for errors
	maxDepth int
	budget   int    // elements still allowed
	text     string // a copy of in that strings are cut from, or ""
}

func (d *binaryDecoder) fail(err error) error {
	return &DecodeError{Offset: d.off, Field: d.field, Err: err}
}

// decodeBinary decodes the binary message b into m, which has been reset;
// with body, it leaves data, args and kwargs encoded there (see
// DecodeHead). Strings are cut from text, a copy of b, if it is not "".
func (l Limits) decodeBinary(b []byte, text string, m *Message, body *Body) error {
	d := binaryDecoder{in: b, off: 1, maxDepth: l.MaxDepth, budget: l.MaxElements, text: text}
	if err := d.meta(m); err != nil {
		return err
	}

	var err error
	d.field = "data"
	if body != nil {
		body.Data, err = d.raw(0)
	} else {
		m.Data, err = d.value(0)
	}
	if err != nil {
		return err
	}

	d.field = "args"
	n, err := d.count(1)
	if err != nil {
		return err
	}
	if body == nil && cap(m.Args) < n {
		m.Args = make([]any, 0, n)
	}
	for range n {
		if body != nil {
			r, err := d.raw(1)
			if err != nil {
				return err
			}
			body.Args = append(body.Args, r)
			continue
		}
		v, err := d.value(1)
		if err != nil {
			return err
		}
		m.Args = append(m.Args, v)
	}

	d.field = "kwargs"
	if n, err = d.count(2); err != nil {
		return err
	}
	if body != nil {
		err = d.rawEntries(body, n)
	} else {
		if m.Kwargs == nil && n > 0 {
			m.Kwargs = make(map[string]any, n)
		}
		err = d.entries(m.Kwargs, n, 1)
	}
	if err != nil {
		return err
	}

	if d.off != len(d.in) {
		d.field = ""
		return d.fail(ErrSyntax)
	}
	return nil
}

// meta reads the meta map into m.
func (d *binaryDecoder) meta(m *Message) error {
	d.field = "meta"
	n, err := d.count(2)
	if err != nil {
		return err
	}
	for range n {
		k, err := d.str()
		if err != nil {
			return err
		}
		if m.field(k) != nil && d.off < len(d.in) && d.in[d.off] == tagString {
			d.off++
			s, err := d.str()
			if err != nil {
				return err
			}
			m.setString(k, s)
			continue
		}
		v, err := d.value(1)
		if err != nil {
			return err
		}
		m.setMeta(k, v)
	}
	return nil
}

// varint reads a varint.
func (d *binaryDecoder) varint() (uint64, error) {
	v, n := consumeVarint(d.in[d.off:])
	if n < 0 {
		return 0, d.fail(codeError(n))
	}
	d.off += n
	return v, nil
}

// count reads the element count of a list or map whose elements take at
// least size bytes each, and charges it to the element budget.
func (d *binaryDecoder) count(size int) (int, error) {
	v, n := consumeVarint(d.in[d.off:])
	if n < 0 {
		return 0, d.fail(codeError(n))
	}
	rest := uint64(len(d.in) - d.off - n)
	switch {
	case v > rest || v*uint64(size) > rest:
		return 0, d.fail(ErrTruncated)
	case v > uint64(d.budget):
		return 0, d.fail(ErrTooLarge)
	}
	d.off += n
	d.budget -= int(v)
	return int(v), nil
}

// span reads a length and skips that many bytes, returning where they are.
func (d *binaryDecoder) span() (start, end int, err error) {
	l, n := consumeVarint(d.in[d.off:])
	if n < 0 {
		return 0, 0, d.fail(codeError(n))
	}
	start = d.off + n
	if l > uint64(len(d.in)-start) {
		return 0, 0, d.fail(ErrTruncated)
	}
	end = start + int(l)
	d.off = end
	return start, end, nil
}

// str reads a length and a string of that many bytes.
func (d *binaryDecoder) str() (string, error) {
	start, end, err := d.span()
	if err != nil || d.text == "" {
		return string(d.in[start:end]), err
	}
	return d.text[start:end], nil
}

// short is str for a string shorter than 128 bytes in a shared input, the
// common case, and small enough to be inlined where values and keys are
// read. It reports false, reading nothing, for any other string.
func (d *binaryDecoder) short() (string, bool) {
	i := d.off
	if i >= len(d.text) || d.text[i] >= 0x80 {
		return "", false
	}
	end := i + 1 + int(d.text[i])
	if end > len(d.text) {
		return "", false
	}
	d.off = end
	return d.text[i+1 : end], true
}

// value reads a value found in a container at nesting depth depth.
func (d *binaryDecoder) value(depth int) (any, error) {
	if d.off >= len(d.in) {
		return nil, d.fail(ErrTruncated)
	}
	t := d.in[d.off]
	d.off++
	if t >= tagSmallInt {
		return int64(t &^ tagSmallInt), nil
	}
	switch t {
	case tagNil:
		return nil, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagInt:
		u, err := d.varint()
		return unzigzag(u), err
	case tagUint:
		return d.varint()
	case tagFloat:
		if len(d.in)-d.off < 8 {
			return nil, d.fail(ErrTruncated)
		}
		u := binary.LittleEndian.Uint64(d.in[d.off:])
		d.off += 8
		return math.Float64frombits(u), nil
	case tagString:
		if s, ok := d.short(); ok {
			return s, nil
		}
		return d.str()
	case tagBytes:
		start, end, err := d.span()
		return append([]byte{}, d.in[start:end]...), err
	case tagList:
		if depth >= d.maxDepth {
			d.off--
			return nil, d.fail(ErrTooDeep)
		}
		n, err := d.count(1)
		if err != nil {
			return nil, err
		}
		l := make([]any, n)
		for i := range l {
			if l[i], err = d.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return l, nil
	case tagMap:
		if depth >= d.maxDepth {
			d.off--
			return nil, d.fail(ErrTooDeep)
		}
		n, err := d.count(2)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, n)
		return m, d.entries(m, n, depth+1)
	}
	d.off--
	return nil, d.fail(ErrSyntax)
}

// entries reads n map entries into m, which is at nesting depth depth.
func (d *binaryDecoder) entries(m map[string]any, n, depth int) error {
	for range n {
		k, ok := d.short()
		if !ok {
			var err error
			if k, err = d.str(); err != nil {
				return err
			}
		}
		v, err := d.value(depth)
		if err != nil {
			return err
		}
		m[k] = v
	}
	return nil
}
