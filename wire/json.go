package wire

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends m to b as the JSON text that the original xbahn sends,
// and returns the extended buffer; it does not retain b. On error it
// returns b unchanged.
//
// The text is what Python's json.dumps writes: separators ", " and ": ",
// every character outside printable ASCII escaped as \uXXXX (a surrogate
// pair above U+FFFF), and the keys meta, data, args and kwargs in that
// order. Meta has "id" first and its other keys sorted; nested map keys are
// sorted too. Floats are written like Python's repr, with NaN, Infinity and
// -Infinity for the non-finite ones; a []byte becomes a standard base64
// string, and invalid UTF-8 in a string becomes U+FFFD.
func (m *Message) AppendJSON(b []byte) ([]byte, error) {
	orig := len(b)
	var buf [stackKeys]entry
	b, err := appendJSONEntries(append(b, `{"meta": `...), m.metaEntries(buf[:0]), 1)
	if err != nil {
		return b[:orig], err
	}
	b = append(b, `, "data": `...)
	if b, err = appendJSONValue(b, m.Data, 0); err != nil {
		return b[:orig], err
	}
	b = append(b, `, "args": `...)
	if b, err = appendJSONList(b, m.Args, 1); err != nil {
		return b[:orig], err
	}
	b = append(b, `, "kwargs": `...)
	if b, err = appendJSONMap(b, m.Kwargs, 1); err != nil {
		return b[:orig], err
	}
	return append(b, '}'), nil
}

// MarshalJSON returns m as the original xbahn's JSON; see AppendJSON.
func (m *Message) MarshalJSON() ([]byte, error) {
	return m.AppendJSON(make([]byte, 0, 256))
}

// UnmarshalJSON decodes a message in the original xbahn's JSON into m with
// the default limits. Like Decode it does not retain b and reuses m's
// Args, Meta and Kwargs; unlike Decode it refuses the binary encoding.
func (m *Message) UnmarshalJSON(b []byte) error {
	return Limits{}.decode(b, m, JSON, nil)
}

// appendJSONValue appends v, found in a container at nesting depth depth.
func appendJSONValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case float64:
		return appendPythonFloat(b, v), nil
	case float32:
		return appendPythonFloat(b, float64(v)), nil
	case string:
		return appendJSONString(b, v), nil
	case []byte:
		b = base64.StdEncoding.AppendEncode(append(b, '"'), v)
		return append(b, '"'), nil
	case []any:
		if depth >= defaultMaxDepth {
			return b, ErrTooDeep
		}
		return appendJSONList(b, v, depth+1)
	case map[string]any:
		if depth >= defaultMaxDepth {
			return b, ErrTooDeep
		}
		return appendJSONMap(b, v, depth+1)
	}
	c, err := canonical(v)
	if err != nil {
		return b, err
	}
	return appendJSONValue(b, c, depth)
}

// appendJSONList appends l, which is at nesting depth depth, as an array.
func appendJSONList(b []byte, l []any, depth int) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, v := range l {
		if i > 0 {
			b = append(b, ", "...)
		}
		if b, err = appendJSONValue(b, v, depth); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendJSONMap appends m, which is at nesting depth depth, as an object
// with sorted keys.
func appendJSONMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if len(m) == 0 {
		return append(b, "{}"...), nil
	}
	var buf [stackKeys]entry
	return appendJSONEntries(b, appendEntries(buf[:0], m), depth)
}

// appendJSONEntries appends the entries of a map at nesting depth depth as
// an object.
func appendJSONEntries(b []byte, es []entry, depth int) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, e := range es {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(appendJSONString(b, e.k), ": "...)
		if f, ok := e.v.(fieldRef); ok {
			b = appendJSONString(b, *f)
		} else if b, err = appendJSONValue(b, e.v, depth); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way Python's json.dumps
// does with ensure_ascii: printable ASCII as is, except '"' and '\\';
// \n, \r, \t, \b and \f by name; everything else as lowercase \uXXXX.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			default:
				b = appendEscape(b, rune(c))
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				r1, r2 := utf16Pair(r)
				b = appendEscape(appendEscape(b, r1), r2)
			} else {
				b = appendEscape(b, r)
			}
			i += size
		}
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEscape appends \uXXXX for r, which is at most 0xFFFF.
func appendEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// utf16Pair returns the UTF-16 surrogate pair of r, which is above 0xFFFF.
func utf16Pair(r rune) (hi, lo rune) {
	r -= 0x10000
	return 0xd800 + r>>10&0x3ff, 0xdc00 + r&0x3ff
}

// appendPythonFloat appends f as Python's repr writes it: the shortest
// digits that read back as f, in positional notation with at least one
// digit after the point when the decimal exponent is from -4 to 15, in
// exponent notation like 1e+16 and 1.5e-05 otherwise.
func appendPythonFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.dddde±dd
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	var digits [17]byte
	nd, i := 0, 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp := 0
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return append(b, e...)
	}
	point := exp + 1 // digits before the decimal point
	switch {
	case point <= 0:
		b = append(b, "0."...)
		for range -point {
			b = append(b, '0')
		}
		return append(b, digits[:nd]...)
	case point < nd:
		b = append(b, digits[:point]...)
		b = append(b, '.')
		return append(b, digits[point:nd]...)
	default:
		b = append(b, digits[:nd]...)
		for range point - nd {
			b = append(b, '0')
		}
		return append(b, ".0"...)
	}
}
