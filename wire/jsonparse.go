package wire

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// jsonDecoder reads one message of the original xbahn's JSON. It accepts
// what Python's json.loads accepts: any key order, any JSON whitespace,
// every escape, NaN, Infinity and -Infinity, and a repeated key, of which
// the last wins. Unlike Python it turns a lone surrogate escape into
// U+FFFD, since a Go string holds UTF-8.
type jsonDecoder struct {
	in       []byte
	off      int
	field    string // top-level field being read, for errors
	maxDepth int
	budget   int    // elements still allowed
	buf      []byte // scratch for strings with escapes
	text     string // a copy of in that strings are cut from, or ""
}

func (d *jsonDecoder) fail(err error) error {
	return &DecodeError{Offset: d.off, Field: d.field, Err: err}
}

// decodeJSON decodes the JSON message b into m, which has been reset;
// with body, it leaves data, args and kwargs encoded there (see
// DecodeHead). Strings are cut from text, a copy of b, if it is not "".
func (l Limits) decodeJSON(b []byte, text string, m *Message, body *Body) error {
	d := jsonDecoder{in: b, maxDepth: l.MaxDepth, budget: l.MaxElements, text: text}
	if err := d.open('{'); err != nil {
		return err
	}
	haveMeta := false
	for first := true; ; first = false {
		more, err := d.more('}', first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		key, err := d.key()
		if err != nil {
			return err
		}
		d.field = key
		switch {
		case key == "meta":
			err = d.meta(m)
			haveMeta = true
		case key == "data" && body != nil:
			body.Data, err = d.raw(0)
		case key == "data":
			m.Data, err = d.value(0)
		case key == "args":
			err = d.args(m, body)
		case key == "kwargs" && body != nil:
			err = d.rawKwargs(body)
		case key == "kwargs":
			err = d.kwargs(m)
		default:
			d.field = ""
			err = d.skip(0)
		}
		if err != nil {
			return err
		}
		d.field = ""
	}
	if err := d.end(); err != nil {
		return err
	}
	if !haveMeta {
		return d.fail(ErrNoMeta)
	}
	return nil
}

// meta reads the meta object into m, replacing an earlier one.
func (d *jsonDecoder) meta(m *Message) error {
	m.ID, m.Path, m.ResponseID, m.Error = "", "", "", ""
	clear(m.Meta)
	if err := d.open('{'); err != nil {
		return err
	}
	for first := true; ; first = false {
		k, more, err := d.member(first)
		if !more || err != nil {
			return err
		}
		d.ws()
		if m.field(k) != nil && d.off < len(d.in) && d.in[d.off] == '"' {
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
}

// args reads args into m, replacing earlier ones, or with body, into
// body (see DecodeHead). Like Python, which spreads whatever args holds
// into the call, it takes the keys of an object as the positional
// arguments.
func (d *jsonDecoder) args(m *Message, body *Body) error {
	if body != nil {
		clear(body.Args)
		body.Args = body.Args[:0]
	} else {
		clear(m.Args)
		m.Args = m.Args[:0]
	}
	d.ws()
	if d.off >= len(d.in) {
		return d.fail(ErrTruncated)
	}
	var err error
	switch d.in[d.off] {
	case '[':
		d.off++
		if body == nil {
			m.Args, err = d.elements(m.Args, 1)
			return err
		}
		for first := true; ; first = false {
			more, err := d.more(']', first)
			if !more || err != nil {
				return err
			}
			if err := d.spend(); err != nil {
				return err
			}
			r, err := d.raw(1)
			if err != nil {
				return err
			}
			body.Args = append(body.Args, r)
		}
	case '{':
		d.off++
		// A key that comes again keeps its first place, as in a dict.
		var seen map[string]bool
		for first := true; ; first = false {
			k, more, err := d.member(first)
			if !more || err != nil {
				return err
			}
			if err := d.skip(1); err != nil {
				return err
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			if body != nil {
				body.Args = append(body.Args, Raw{Enc: JSON, B: appendJSONString(nil, k), depth: 1})
			} else {
				m.Args = append(m.Args, k)
			}
		}
	}
	return d.fail(ErrType)
}

// kwargs reads the kwargs object into m, replacing an earlier one.
func (d *jsonDecoder) kwargs(m *Message) error {
	clear(m.Kwargs)
	if err := d.open('{'); err != nil {
		return err
	}
	var err error
	m.Kwargs, err = d.members(m.Kwargs, 1)
	return err
}

// ws skips JSON whitespace. It is small enough to be inlined for the
// common cases: no whitespace, and the single space that Python writes
// after ',' and ':'.
func (d *jsonDecoder) ws() {
	if d.off < len(d.in) && d.in[d.off] == ' ' {
		d.off++
	}
	if d.off < len(d.in) && d.in[d.off] <= ' ' {
		d.skipWS()
	}
}

// peek returns the next byte of the input, or 0 at its end.
func (d *jsonDecoder) peek() byte {
	if d.off < len(d.in) {
		return d.in[d.off]
	}
	return 0
}

// skipWS skips JSON whitespace.
func (d *jsonDecoder) skipWS() {
	for d.off < len(d.in) {
		switch d.in[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// open consumes the opening bracket c of a container that must be there.
func (d *jsonDecoder) open(c byte) error {
	d.ws()
	switch {
	case d.off >= len(d.in):
		return d.fail(ErrTruncated)
	case d.in[d.off] != c:
		return d.fail(ErrType)
	}
	d.off++
	return nil
}

// more reports whether another member of a container follows, consuming
// the comma before it, or else the closing bracket.
func (d *jsonDecoder) more(closing byte, first bool) (bool, error) {
	d.ws()
	if d.off >= len(d.in) {
		return false, d.fail(ErrTruncated)
	}
	if d.in[d.off] == closing {
		d.off++
		return false, nil
	}
	if !first {
		if d.in[d.off] != ',' {
			return false, d.fail(ErrSyntax)
		}
		d.off++
	}
	return true, nil
}

// spend charges one element to the budget.
func (d *jsonDecoder) spend() error {
	if d.budget <= 0 {
		return d.fail(ErrTooLarge)
	}
	d.budget--
	return nil
}

// key reads an object key and the colon after it.
func (d *jsonDecoder) key() (string, error) {
	d.ws()
	if d.off >= len(d.in) {
		return "", d.fail(ErrTruncated)
	}
	if d.in[d.off] != '"' {
		return "", d.fail(ErrSyntax)
	}
	k, err := d.str()
	if err != nil {
		return "", err
	}
	d.ws()
	if d.off >= len(d.in) {
		return "", d.fail(ErrTruncated)
	}
	if d.in[d.off] != ':' {
		return "", d.fail(ErrSyntax)
	}
	d.off++
	return k, nil
}

// value reads a value found in a container at nesting depth depth.
func (d *jsonDecoder) value(depth int) (any, error) {
	d.ws()
	if d.off >= len(d.in) {
		return nil, d.fail(ErrTruncated)
	}
	switch c := d.in[d.off]; {
	case c == '"':
		return d.str()
	case c == '[' || c == '{':
		if depth >= d.maxDepth {
			return nil, d.fail(ErrTooDeep)
		}
		d.off++
		if c == '[' {
			return d.elements([]any{}, depth+1)
		}
		return d.members(map[string]any{}, depth+1)
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == 'N':
		return math.NaN(), d.literal("NaN")
	case c == 'I':
		return math.Inf(1), d.literal("Infinity")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, d.fail(ErrSyntax)
}

// elements reads the elements of an array, after its '[', and appends them
// to l. They are at nesting depth depth.
func (d *jsonDecoder) elements(l []any, depth int) ([]any, error) {
	for first := true; ; first = false {
		if more, err := d.more(']', first); !more || err != nil {
			return l, err
		}
		if err := d.spend(); err != nil {
			return l, err
		}
		v, err := d.value(depth)
		if err != nil {
			return l, err
		}
		if cap(l) == 0 {
			l = make([]any, 0, 4)
		}
		l = append(l, v)
	}
}

// member reads the key of an object's next member, charged to the element
// budget, and reports whether there is one; first is set for the first.
func (d *jsonDecoder) member(first bool) (k string, more bool, err error) {
	if more, err = d.more('}', first); !more || err != nil {
		return "", more, err
	}
	if err = d.spend(); err != nil {
		return "", false, err
	}
	k, err = d.key()
	return k, err == nil, err
}

// members reads the members of an object, after its '{', into m, and makes
// m first if it is nil and there are members. They are at nesting depth
// depth.
func (d *jsonDecoder) members(m map[string]any, depth int) (map[string]any, error) {
	for first := true; ; first = false {
		k, more, err := d.member(first)
		if !more || err != nil {
			return m, err
		}
		v, err := d.value(depth)
		if err != nil {
			return m, err
		}
		if m == nil {
			m = make(map[string]any)
		}
		m[k] = v
	}
}

// literal consumes the word s, which the input must hold.
func (d *jsonDecoder) literal(s string) error {
	rest := d.in[d.off:]
	for i := range len(s) {
		if i >= len(rest) {
			d.off += i
			return d.fail(ErrTruncated)
		}
		if rest[i] != s[i] {
			d.off += i
			return d.fail(ErrSyntax)
		}
	}
	d.off += len(s)
	return nil
}

// number reads a number: an int64, or a uint64 above math.MaxInt64, if it
// is an integer that fits one, a float64 otherwise.
func (d *jsonDecoder) number() (any, error) {
	var x scalar
	err := d.numberScalar(&x)
	switch {
	case err != nil:
		return nil, err
	case x.kind == kInt:
		return x.int(), nil
	case x.kind == kUint:
		return x.n, nil
	}
	return x.f, nil
}

// numberScalar reads a number, unboxed, as number does.
func (d *jsonDecoder) numberScalar(x *scalar) error {
	if d.shortNumber(x) {
		return nil
	}
	in := d.in
	start, i := d.off, d.off
	if in[i] == '-' {
		i++
		if i < len(in) && in[i] == 'I' {
			*x = scalar{kind: kFloat, f: math.Inf(-1)}
			return d.literal("-Infinity")
		}
	}
	var err error
	if i < len(in) && in[i] == '0' {
		i++
	} else if i, err = d.digits(i); err != nil {
		return err
	}
	integer := true
	if i < len(in) && in[i] == '.' {
		integer = false
		if i, err = d.digits(i + 1); err != nil {
			return err
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		integer = false
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if i, err = d.digits(i); err != nil {
			return err
		}
	}
	d.off = i
	if integer {
		if ok := parseInt(in[start:i], x); ok {
			return nil
		}
	}
	if f, ok := shortDecimal(in[start:i]); ok {
		*x = scalar{kind: kFloat, f: f}
		return nil
	}
	// The syntax is valid, so the only possible error is ErrRange, for
	// which f is ±Inf or 0 as Python's float() gives. The string does
	// not outlive the call, so it need not be a copy.
	f, _ := strconv.ParseFloat(unsafe.String(&in[start], i-start), 64)
	*x = scalar{kind: kFloat, f: f}
	return nil
}

// shortNumber reads the numbers that most messages hold in one pass: an
// integer of at most 18 digits, which an int64 holds, or a decimal
// fraction without an exponent whose digits form an integer below 2^53,
// which shortDecimal's division gives exactly. It reads nothing and
// reports false for any other number, and for malformed ones, which
// numberScalar then reads or refuses.
func (d *jsonDecoder) shortNumber(x *scalar) bool {
	in, i := d.in, d.off
	neg := in[i] == '-'
	if neg {
		i++
	}
	start := i
	i, mant := accumulate(in, i, 0)
	digits := i - start
	if digits == 0 || digits > 18 || digits > 1 && in[start] == '0' {
		return false
	}
	if i < len(in) && in[i] == '.' {
		at := i + 1
		i, mant = accumulate(in, at, mant)
		frac := i - at
		if frac == 0 || digits+frac > 18 || mant >= 1<<53 || i < len(in) && in[i]|0x20 == 'e' {
			return false
		}
		f := float64(mant) / exact10[frac]
		if neg {
			f = -f
		}
		*x = scalar{kind: kFloat, f: f}
		d.off = i
		return true
	}
	if i < len(in) && in[i]|0x20 == 'e' {
		return false
	}
	if neg {
		mant = -mant
	}
	*x = scalar{kind: kInt, n: mant}
	d.off = i
	return true
}

// accumulate reads the digits of in from i on into mant, as the decimal
// digits that follow mant's, and returns the index after them. The
// caller bounds the number of digits.
func accumulate(in []byte, i int, mant uint64) (int, uint64) {
	for ; i < len(in); i++ {
		c := in[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
	}
	return i, mant
}

// exact10 are the powers of ten that a float64 holds exactly.
var exact10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// shortDecimal parses a number without an exponent, such as 12.5 or
// -0.25, whose digits form an integer below 2^53 and whose fraction has
// at most 22 digits: the integer and the power of ten are exact float64s,
// so one division rounds correctly, as strconv.ParseFloat does. It
// reports false for other numbers.
func shortDecimal(p []byte) (float64, bool) {
	neg := p[0] == '-'
	if neg {
		p = p[1:]
	}
	var mant uint64
	frac := -1
	for i, c := range p {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			if mant >= 1<<53 {
				return 0, false
			}
		case c == '.' && frac < 0:
			frac = len(p) - i - 1
		default:
			return 0, false
		}
	}
	if frac < 0 || frac >= len(exact10) {
		return 0, false
	}
	f := float64(mant) / exact10[frac]
	if neg {
		f = -f
	}
	return f, true
}

// digits returns the index after the run of digits that must start at i.
func (d *jsonDecoder) digits(i int) (int, error) {
	start := i
	for i < len(d.in) && d.in[i] >= '0' && d.in[i] <= '9' {
		i++
	}
	if i > start {
		return i, nil
	}
	d.off = i
	if i >= len(d.in) {
		return 0, d.fail(ErrTruncated)
	}
	return 0, d.fail(ErrSyntax)
}

// parseInt parses an optionally signed run of decimal digits as an int64,
// or a uint64 above math.MaxInt64; it fails if neither holds the value.
func parseInt(p []byte, x *scalar) bool {
	neg := p[0] == '-'
	if neg {
		p = p[1:]
	}
	var u uint64
	for _, c := range p {
		v := uint64(c - '0')
		if u > (math.MaxUint64-v)/10 {
			return false
		}
		u = u*10 + v
	}
	switch {
	case neg && u <= 1<<63:
		*x = scalar{kind: kInt, n: -u}
		return true
	case neg:
		return false
	case u <= math.MaxInt64:
		*x = scalar{kind: kInt, n: u}
		return true
	}
	*x = scalar{kind: kUint, n: u}
	return true
}

// str reads a JSON string at the input's '"' and returns its contents:
// cut from d.text, when that holds a copy of the input and the string had
// no escapes, else a copy of its own.
func (d *jsonDecoder) str() (string, error) { return d.readStr(false) }

// readStr is str, which with share first makes d.text for an input small
// enough to share (see shareMax), as src.cut does.
func (d *jsonDecoder) readStr(share bool) (string, error) {
	start := d.off + 1
	b, escaped, err := d.strBytes()
	switch {
	case err != nil:
		return "", err
	case escaped || len(b) == 0:
		return string(b), nil
	case share && d.text == "" && len(d.in) <= shareMax:
		d.text = string(d.in)
	}
	if d.text != "" {
		return d.text[start : start+len(b)], nil
	}
	return string(b), nil
}

// strBytes reads a JSON string at the input's '"' and returns its
// contents: the input itself if the string has no escapes, else d.buf,
// which the next string with escapes overwrites.
func (d *jsonDecoder) strBytes() (b []byte, escaped bool, err error) {
	in := d.in
	start := d.off + 1
	ascii := true
	for i := start; i < len(in); i++ {
		c := in[i]
		if plain[c] {
			continue
		}
		switch {
		case c == '"':
			if !ascii {
				if err := d.checkUTF8(start, i); err != nil {
					return nil, false, err
				}
			}
			d.off = i + 1
			return in[start:i], false, nil
		case c == '\\':
			b, err := d.unescape(start, i)
			return b, true, err
		case c < 0x20:
			d.off = i
			return nil, false, d.fail(ErrSyntax)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.off = len(in)
	return nil, false, d.fail(ErrTruncated)
}

// plain tells the bytes that stand for themselves in a JSON string, so
// that str passes over them with one lookup each: ASCII from ' ' on, other
// than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// unescape finishes strBytes for a string that starts at start and has
// its first escape at i, in d.buf.
func (d *jsonDecoder) unescape(start, i int) ([]byte, error) {
	in := d.in
	b := append(d.buf[:0], in[start:i]...)
	for i < len(in) {
		c := in[i]
		switch {
		case c == '"':
			if err := d.checkUTF8(start, i); err != nil {
				return nil, err
			}
			d.off = i + 1
			d.buf = b
			return b, nil
		case c < 0x20:
			d.off = i
			return nil, d.fail(ErrSyntax)
		case c != '\\':
			b = append(b, c)
			i++
			continue
		case i+1 >= len(in):
			d.off = len(in)
			return nil, d.fail(ErrTruncated)
		}
		switch e := in[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := d.hex4(i + 2)
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) && r < 0xdc00 && i+12 <= len(in) && in[i+6] == '\\' && in[i+7] == 'u' {
				// A high surrogate: combine it with the low one that follows.
				if lo, err := d.hex4(i + 8); err == nil && lo >= 0xdc00 && lo < 0xe000 {
					r = utf16.DecodeRune(r, lo)
					i += 6
				}
			}
			b = utf8.AppendRune(b, r) // a lone surrogate becomes U+FFFD
			i += 4
		default:
			d.off = i + 1
			return nil, d.fail(ErrSyntax)
		}
		i += 2
	}
	d.off = len(in)
	return nil, d.fail(ErrTruncated)
}

// hex4 reads the four hex digits of a \u escape at offset i.
func (d *jsonDecoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.in) {
			d.off = j
			return 0, d.fail(ErrTruncated)
		}
		v, ok := hexVal(d.in[j])
		if !ok {
			d.off = j
			return 0, d.fail(ErrSyntax)
		}
		r = r<<4 | v
	}
	return r, nil
}

func hexVal(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}

// checkUTF8 checks that the raw string input from start to end is UTF-8;
// escapes are ASCII, so this covers every unescaped run in it.
func (d *jsonDecoder) checkUTF8(start, end int) error {
	p := d.in[start:end]
	if utf8.Valid(p) {
		return nil
	}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			d.off = start + i
			break
		}
		i += size
	}
	return d.fail(ErrSyntax)
}
