package wire

// Limits bounds what a decoder accepts. Every length, count and nesting
// level read from the input is checked against them, and against the size
// of the rest of the input, before anything is allocated for it.
//
// A zero or negative field means the value of DefaultLimits.
type Limits struct {
	// MaxBytes is the longest input accepted, in bytes.
	MaxBytes int
	// MaxDepth is how deeply lists and maps may nest. The meta, args and
	// kwargs containers are at depth 1, as is a list or map in data; a
	// list inside args is at depth 2.
	MaxDepth int
	// MaxElements is the most list elements and map entries that one
	// message may hold in total, counting meta, args and kwargs.
	MaxElements int
}

// DefaultLimits returns the limits that Decode uses: 64 MiB, depth 100 and
// 2^20 elements. The encoders refuse values nested deeper than this
// MaxDepth, so that no message they write is too deep for Decode.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 64 << 20, MaxDepth: defaultMaxDepth, MaxElements: 1 << 20}
}

// defaultMaxDepth is the default Limits.MaxDepth and the encoders' limit.
const defaultMaxDepth = 100

// orDefault fills in the fields that are not set.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = d.MaxElements
	}
	return l
}

// Decode decodes a message in either encoding with the default limits; see
// Limits.Decode.
func Decode(b []byte, m *Message) error {
	return Limits{}.Decode(b, m)
}

// Decode decodes a message in either encoding into m, telling them apart
// by the first byte (see Sniff). It does not retain b, which may be reused
// as soon as Decode returns; see the package documentation on aliasing.
//
// Decode first resets m and then reuses the backing array of m.Args and
// the maps m.Meta and m.Kwargs, clearing and refilling them; pass a new
// Message if those are still in use elsewhere. Every nested list, map and
// byte slice is freshly allocated. On error m is left reset.
func (l Limits) Decode(b []byte, m *Message) error {
	return l.decode(b, m, Sniff(b), nil)
}

// decode decodes b, which is expected to be in encoding e, into m; with
// body, it leaves data, args and kwargs encoded there, in a copy of b
// (see DecodeHead).
func (l Limits) decode(b []byte, m *Message, e Encoding, body *Body) error {
	l = l.orDefault()
	m.Reset()
	var err error
	switch {
	case len(b) > l.MaxBytes:
		err = &DecodeError{Offset: l.MaxBytes, Err: ErrTooLarge}
	case len(b) == 0:
		err = &DecodeError{Err: ErrTruncated}
	case e != Sniff(b) || e != Binary && e != JSON:
		err = &DecodeError{Err: ErrUnknownEncoding}
	default:
		// Strings are cut from one copy of the input: the body's own,
		// which its values share, or one made for them.
		text := ""
		if body != nil {
			b = append([]byte(nil), b...)
			text = frozen(b)
		} else {
			text = shareable(b)
		}
		if e == Binary {
			err = l.decodeBinary(b, text, m, body)
		} else {
			err = l.decodeJSON(b, text, m, body)
		}
	}
	if err != nil {
		m.Reset()
	}
	return err
}

// shareMax is the size up to which a decoder copies its whole input into
// one string and cuts the decoded strings from it: one allocation instead
// of one per string, but a string kept from the message keeps the whole
// copy alive, so larger inputs have their strings copied one by one.
const shareMax = 64 << 10

// shareable returns b as a string to cut decoded strings from, or "" if b
// is too large to share.
func shareable(b []byte) string {
	if len(b) > shareMax {
		return ""
	}
	return string(b)
}

// Encoding names one of the two encodings of a message.
type Encoding uint8

// The encodings that Sniff tells apart.
const (
	Unknown Encoding = iota // neither encoding
	Binary                  // the compact binary encoding of AppendBinary
	JSON                    // the original xbahn's JSON, as AppendJSON writes it
)

var encodingNames = [...]string{Unknown: "unknown", Binary: "binary", JSON: "json"}

// String returns the encoding's lowercase name.
func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "unknown"
}

// Sniff tells the encoding of a message from its first byte: the binary
// version byte 0xB1, or '{' or JSON whitespace for JSON. Any other first
// byte, and empty input, give Unknown.
func Sniff(b []byte) Encoding {
	if len(b) == 0 {
		return Unknown
	}
	switch b[0] {
	case magic:
		return Binary
	case '{', ' ', '\t', '\n', '\r':
		return JSON
	}
	return Unknown
}
