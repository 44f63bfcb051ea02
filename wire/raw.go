package wire

import (
	"encoding/binary"
	"math"
	"reflect"
	"unsafe"
)

// Raw is one value of a message left encoded: the bytes of a single value
// in encoding Enc, as Body holds them (see Limits.DecodeHead), or as a
// caller made them. A Raw without bytes is a value the message does not
// have, such as the data of a message without any; it decodes as nil.
type Raw struct {
	Enc Encoding
	B   []byte

	depth int    // the nesting depth of the value in its message
	text  string // B as a string that decoded strings may share, or ""
}

// Value decodes r as Decode decodes the values of a message.
func (r Raw) Value(l Limits) (any, error) {
	if len(r.B) == 0 {
		return nil, nil
	}
	l = l.orDefault()
	switch r.Enc {
	case Binary:
		d := binaryDecoder{in: r.B, maxDepth: l.MaxDepth, budget: l.MaxElements, text: r.text}
		v, err := d.value(r.depth)
		if err == nil && d.off != len(d.in) {
			err = d.fail(ErrSyntax)
		}
		return v, err
	case JSON:
		d := jsonDecoder{in: r.B, maxDepth: l.MaxDepth, budget: l.MaxElements, text: r.text}
		v, err := d.value(r.depth)
		if err == nil {
			err = d.end()
		}
		return v, err
	}
	return nil, &DecodeError{Err: ErrUnknownEncoding}
}

// Text returns r's value if it is a string, and whether it is. For a Raw
// of a Body of up to 64 KiB it allocates nothing: the string shares the
// Body's copy of the message.
func (r Raw) Text() (string, bool) {
	var s src
	switch r.Enc {
	case Binary:
		s.bin = true
		s.b = binaryDecoder{in: r.B, maxDepth: 1, budget: 1, text: r.text}
	case JSON:
		s.j = jsonDecoder{in: r.B, maxDepth: 1, budget: 1, text: r.text}
	default:
		return "", false
	}
	var x scalar
	if err := s.take(&x); err != nil || x.kind != kString {
		return "", false
	}
	if s.bin && s.b.off != len(s.b.in) || !s.bin && s.j.end() != nil {
		return "", false
	}
	return s.cut(x.s), true
}

// decode decodes r with plan p into the value of p's type at ptr.
func (r Raw) decode(p *plan, ptr unsafe.Pointer, l Limits, depth int) error {
	if len(r.B) == 0 {
		reflect.NewAt(p.t, ptr).Elem().SetZero()
		return nil
	}
	l = l.orDefault()
	var s src
	switch r.Enc {
	case Binary:
		s.bin = true
		s.b = binaryDecoder{in: r.B, maxDepth: l.MaxDepth, budget: l.MaxElements, text: r.text}
	case JSON:
		s.j = jsonDecoder{in: r.B, maxDepth: l.MaxDepth, budget: l.MaxElements, text: r.text}
	default:
		return &DecodeError{Err: ErrUnknownEncoding}
	}
	if err := decode(p, &s, ptr, depth); err != nil {
		return err
	}
	if s.bin {
		if s.b.off != len(s.b.in) {
			return s.b.fail(ErrSyntax)
		}
		return nil
	}
	return s.j.end()
}

// src is the input that plans read values from: the decoder of one
// encoding, positioned at a value.
type src struct {
	bin bool // b holds the input, else j
	b   binaryDecoder
	j   jsonDecoder
}

// cut returns b, which the source read, as a string: cut from one copy of
// the input that all its strings share if b lies in it and the input is
// small (see shareMax), else a copy of its own. The copy is the message's
// own for a Raw of a Body, and made on first use for others.
func (s *src) cut(b []byte) string {
	in, text := s.j.in, &s.j.text
	if s.bin {
		in, text = s.b.in, &s.b.text
	}
	if len(b) == 0 || len(in) > shareMax {
		return string(b)
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(in)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - base
	if at > uintptr(len(in)) || uintptr(len(b)) > uintptr(len(in))-at {
		return string(b) // unescaped into scratch
	}
	if *text == "" {
		*text = string(in)
	}
	return (*text)[at : at+uintptr(len(b))]
}

// strCut reads a JSON string at the input's '"' and returns it as cut
// returns what it reads: cut from the one copy of the input, made on
// first use, unless it had escapes (see str).
func (d *jsonDecoder) strCut() (string, error) { return d.readStr(true) }

// kind returns the kind of the next value without reading it.
func (s *src) kind() (int, error) {
	if s.bin {
		return s.b.kind()
	}
	return s.j.kind()
}

// take reads the next value into x if it is neither a list nor a map; for
// a list or a map it sets just the kind, and leaves the value to be read.
func (s *src) take(x *scalar) error {
	if s.bin {
		d := &s.b
		if d.off < len(d.in) {
			switch d.in[d.off] {
			case tagList:
				x.kind = kList
				return nil
			case tagMap:
				x.kind = kMap
				return nil
			}
		}
		return d.scalar(x)
	}
	d := &s.j
	d.ws()
	if d.off < len(d.in) {
		switch c := d.in[d.off]; {
		case c == '[':
			x.kind = kList
			return nil
		case c == '{':
			x.kind = kMap
			return nil
		case c == '"':
			b, _, err := d.strBytes()
			*x = scalar{kind: kString, s: b}
			return err
		case c >= '0' && c <= '9':
			return d.numberScalar(x)
		}
	}
	return d.scalar(x)
}

// plainString reads the next value if it is a string that starts right
// there, as take would, and reports whether it was one; otherwise it
// reads nothing.
func (s *src) plainString() ([]byte, bool, error) {
	if s.bin {
		d := &s.b
		if d.off >= len(d.in) || d.in[d.off] != tagString {
			return nil, false, nil
		}
		d.off++
		start, end, err := d.span()
		return d.in[start:end], true, err
	}
	d := &s.j
	if d.off >= len(d.in) || d.in[d.off] != '"' {
		return nil, false, nil
	}
	b, _, err := d.strBytes()
	return b, true, err
}

// plainNumber reads the next value into x if it is a small integer or a
// float, and reports whether it was; otherwise it reads nothing.
func (d *binaryDecoder) plainNumber(x *scalar) bool {
	switch {
	case d.off >= len(d.in):
		return false
	case d.in[d.off] >= tagSmallInt:
		*x = scalar{kind: kInt, n: uint64(d.in[d.off] &^ tagSmallInt)}
		d.off++
		return true
	case d.in[d.off] == tagFloat && len(d.in)-d.off > 8:
		*x = scalar{kind: kFloat, f: math.Float64frombits(binary.LittleEndian.Uint64(d.in[d.off+1:]))}
		d.off += 9
		return true
	}
	return false
}

// list reads the start of a list at nesting depth depth and returns its
// length, or -1 if that is not known before its end.
func (s *src) list(depth int) (int, error) {
	if s.bin {
		return s.b.container(depth, 1)
	}
	return s.j.container(depth)
}

// object reads the start of a map at nesting depth depth, as list does.
func (s *src) object(depth int) (int, error) {
	if s.bin {
		return s.b.container(depth, 2)
	}
	return s.j.container(depth)
}

// next reports whether a list has another element, given the elements
// left of a known length, which it counts down.
func (s *src) next(first bool, left *int) (bool, error) {
	if s.bin {
		return s.b.next(left)
	}
	return s.j.next(first)
}

// nextKey reads the next key of a map, valid until the source reads on,
// and reports whether there is one, as next does.
func (s *src) nextKey(first bool, left *int) ([]byte, bool, error) {
	if s.bin {
		return s.b.nextKey(left)
	}
	return s.j.nextKey(first)
}

// value reads a value as Decode gives it.
func (s *src) value(depth int) (any, error) {
	if s.bin {
		return s.b.value(depth)
	}
	return s.j.value(depth)
}

// end checks that only whitespace follows.
func (d *jsonDecoder) end() error {
	d.ws()
	if d.off != len(d.in) {
		return d.fail(ErrSyntax)
	}
	return nil
}

// The binary decoder as a source of typed decoding.

func (d *binaryDecoder) kind() (int, error) {
	if d.off >= len(d.in) {
		return 0, d.fail(ErrTruncated)
	}
	switch t := d.in[d.off]; {
	case t >= tagSmallInt, t == tagInt:
		return kInt, nil
	case t == tagNil:
		return kNil, nil
	case t == tagFalse, t == tagTrue:
		return kBool, nil
	case t == tagUint:
		return kUint, nil
	case t == tagFloat:
		return kFloat, nil
	case t == tagString:
		return kString, nil
	case t == tagBytes:
		return kBytes, nil
	case t == tagList:
		return kList, nil
	case t == tagMap:
		return kMap, nil
	}
	return 0, d.fail(ErrSyntax)
}

func (d *binaryDecoder) scalar(x *scalar) error {
	if d.off >= len(d.in) {
		return d.fail(ErrTruncated)
	}
	t := d.in[d.off]
	d.off++
	if t >= tagSmallInt {
		*x = scalar{kind: kInt, n: uint64(t &^ tagSmallInt)}
		return nil
	}
	switch t {
	case tagNil:
		*x = scalar{kind: kNil}
		return nil
	case tagFalse, tagTrue:
		*x = scalar{kind: kBool, b: t == tagTrue}
		return nil
	case tagInt:
		u, err := d.varint()
		*x = scalar{kind: kInt, n: uint64(unzigzag(u))}
		return err
	case tagUint:
		u, err := d.varint()
		if u <= math.MaxInt64 {
			*x = scalar{kind: kInt, n: u}
			return err
		}
		*x = scalar{kind: kUint, n: u}
		return err
	case tagFloat:
		if len(d.in)-d.off < 8 {
			return d.fail(ErrTruncated)
		}
		u := binary.LittleEndian.Uint64(d.in[d.off:])
		d.off += 8
		*x = scalar{kind: kFloat, f: math.Float64frombits(u)}
		return nil
	case tagString, tagBytes:
		start, end, err := d.span()
		k := uint8(kString)
		if t == tagBytes {
			k = kBytes
		}
		*x = scalar{kind: k, s: d.in[start:end]}
		return err
	}
	d.off--
	return d.fail(ErrSyntax)
}

// container reads the tag and count of a list (size 1) or map (size 2).
func (d *binaryDecoder) container(depth, size int) (int, error) {
	if depth >= d.maxDepth {
		return 0, d.fail(ErrTooDeep)
	}
	d.off++
	return d.count(size)
}

func (d *binaryDecoder) next(left *int) (bool, error) {
	if *left <= 0 {
		return false, nil
	}
	*left--
	return true, nil
}

func (d *binaryDecoder) nextKey(left *int) ([]byte, bool, error) {
	if *left <= 0 {
		return nil, false, nil
	}
	*left--
	start, end, err := d.span()
	return d.in[start:end], err == nil, err
}

// skip reads past a value found in a container at nesting depth depth,
// checking it as value does, without keeping it.
func (d *binaryDecoder) skip(depth int) error {
	k, err := d.kind()
	if err != nil {
		return err
	}
	switch k {
	case kList, kMap:
		size := 1
		if k == kMap {
			size = 2
		}
		n, err := d.container(depth, size)
		if err != nil {
			return err
		}
		for range n {
			if k == kMap {
				if _, _, err := d.span(); err != nil {
					return err
				}
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
		return nil
	}
	var x scalar
	return d.scalar(&x)
}

// The JSON decoder as a source of typed decoding.

func (d *jsonDecoder) kind() (int, error) {
	d.ws()
	if d.off >= len(d.in) {
		return 0, d.fail(ErrTruncated)
	}
	switch c := d.in[d.off]; c {
	case '"':
		return kString, nil
	case '[':
		return kList, nil
	case '{':
		return kMap, nil
	case 't', 'f':
		return kBool, nil
	case 'n':
		return kNil, nil
	}
	return kFloat, nil // a number, or a syntax error that scalar reports
}

func (d *jsonDecoder) scalar(x *scalar) error {
	d.ws()
	if d.off >= len(d.in) {
		return d.fail(ErrTruncated)
	}
	switch c := d.in[d.off]; {
	case c == '"':
		b, _, err := d.strBytes()
		*x = scalar{kind: kString, s: b}
		return err
	case c == 't':
		*x = scalar{kind: kBool, b: true}
		return d.literal("true")
	case c == 'f':
		*x = scalar{kind: kBool}
		return d.literal("false")
	case c == 'n':
		*x = scalar{kind: kNil}
		return d.literal("null")
	case c == 'N':
		*x = scalar{kind: kFloat, f: math.NaN()}
		return d.literal("NaN")
	case c == 'I':
		*x = scalar{kind: kFloat, f: math.Inf(1)}
		return d.literal("Infinity")
	case c == '-' || c >= '0' && c <= '9':
		return d.numberScalar(x)
	}
	return d.fail(ErrSyntax)
}

// container reads the opening bracket of a list or map.
func (d *jsonDecoder) container(depth int) (int, error) {
	if depth >= d.maxDepth {
		return 0, d.fail(ErrTooDeep)
	}
	d.ws()
	d.off++
	return -1, nil
}

func (d *jsonDecoder) next(first bool) (bool, error) {
	more, err := d.more(']', first)
	if !more || err != nil {
		return false, err
	}
	return true, d.spend()
}

func (d *jsonDecoder) nextKey(first bool) ([]byte, bool, error) {
	if k, ok := d.plainKey(first); ok {
		return k, true, d.spend()
	}
	if d.peek() == '}' {
		d.off++
		return nil, false, nil
	}
	if more, err := d.more('}', first); !more || err != nil {
		return nil, false, err
	}
	if err := d.spend(); err != nil {
		return nil, false, err
	}
	d.ws()
	if d.off >= len(d.in) {
		return nil, false, d.fail(ErrTruncated)
	}
	if d.in[d.off] != '"' {
		return nil, false, d.fail(ErrSyntax)
	}
	k, _, err := d.strBytes()
	if err != nil {
		return nil, false, err
	}
	d.ws()
	if d.off >= len(d.in) {
		return nil, false, d.fail(ErrTruncated)
	}
	if d.in[d.off] != ':' {
		return nil, false, d.fail(ErrSyntax)
	}
	d.off++
	return k, true, nil
}

// plainKey reads the next key of an object if it comes as the encoders
// and Python write it: `"key": `, after ", " unless it is the first, with
// nothing in the key to unescape or check. Otherwise it reads nothing and
// reports false, for nextKey to read what is there.
func (d *jsonDecoder) plainKey(first bool) ([]byte, bool) {
	in := d.in[d.off:]
	if !first {
		if len(in) < 2 || in[0] != ',' || in[1] != ' ' {
			return nil, false
		}
		in = in[2:]
	}
	if len(in) == 0 || in[0] != '"' {
		return nil, false
	}
	tbl := &plain
	j := 1
	for j < len(in) && tbl[in[j]] {
		j++
	}
	rest := in[j:]
	if len(rest) < 3 || rest[0] != '"' || rest[1] != ':' || rest[2] != ' ' {
		return nil, false
	}
	d.off = len(d.in) - len(rest) + 3
	return in[1:j], true
}

// skip reads past a value found in a container at nesting depth depth,
// checking it as value does, without keeping it.
func (d *jsonDecoder) skip(depth int) error {
	k, err := d.kind()
	if err != nil {
		return err
	}
	switch k {
	case kList:
		if _, err := d.container(depth); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := d.next(first)
			if !more || err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	case kMap:
		if _, err := d.container(depth); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, more, err := d.nextKey(first)
			if !more || err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	}
	var x scalar
	return d.scalar(&x)
}
