package wire

import "slices"

// Message is one xbahn message: the meta header, a main value and the
// positional and keyword arguments of a call.
//
// The four meta keys that xbahn itself acts on have fields of their own.
// The decoders put such a key into its field when its value is a non-empty
// string and into Meta otherwise, so that any value a peer sends survives;
// the encoders let a set field win over the same key in Meta. Empty or nil
// Meta, Args and Kwargs all mean "none" and encode alike.
type Message struct {
	ID         string         // meta.id, a uuid4 text in the original
	Path       string         // meta.path, '.'-delimited
	ResponseID string         // meta.response_id; non-empty marks a response
	Error      string         // meta.error; non-empty marks an error reply
	Meta       map[string]any // the other meta keys: client, remote, auth, user keys
	Data       any            // main value: the function name of a call, the result of a reply
	Args       []any          // positional arguments
	Kwargs     map[string]any // keyword arguments
}

// IsResponse reports whether m answers another message, that is whether its
// ResponseID is set.
func (m *Message) IsResponse() bool { return m.ResponseID != "" }

// Reset empties m but keeps the backing array of Args and the Meta and
// Kwargs maps, cleared, for reuse by the next decode.
func (m *Message) Reset() {
	clear(m.Args)
	clear(m.Meta)
	clear(m.Kwargs)
	*m = Message{Meta: m.Meta, Args: m.Args[:0], Kwargs: m.Kwargs}
}

// Clone returns a deep copy of m: its lists, maps and byte slices are
// copied, so the copy stays intact when m is reused.
func (m *Message) Clone() *Message {
	c := *m
	c.Meta = cloneMap(m.Meta)
	c.Data = cloneValue(m.Data)
	c.Args = cloneList(m.Args)
	c.Kwargs = cloneMap(m.Kwargs)
	return &c
}

// field returns the field that holds meta key k, or nil if k has none.
func (m *Message) field(k string) *string {
	switch k {
	case "id":
		return &m.ID
	case "path":
		return &m.Path
	case "response_id":
		return &m.ResponseID
	case "error":
		return &m.Error
	}
	return nil
}

// setString stores meta key k with string value s as a decoder found it:
// non-empty in k's field if it has one, in Meta otherwise. The last
// occurrence of a key wins, as in Python.
func (m *Message) setString(k, s string) {
	if f := m.field(k); f != nil && s != "" {
		*f = s
		delete(m.Meta, k)
		return
	}
	m.setMeta(k, s)
}

// setMeta stores meta key k with value v in Meta and clears k's field, if
// k has one; a non-empty string for such a key goes to setString instead.
func (m *Message) setMeta(k string, v any) {
	if f := m.field(k); f != nil {
		*f = ""
	}
	if m.Meta == nil {
		m.Meta = make(map[string]any)
	}
	m.Meta[k] = v
}

// metaEntries appends the meta entries of m to dst in the order both
// encodings write them: "id" first, then the other keys sorted, set fields
// and Meta keys merged. For the messages the original xbahn sends this
// gives its own order in all but one case (see the package documentation).
func (m *Message) metaEntries(dst []entry) []entry {
	dst = slices.Grow(dst, len(m.Meta)+4)
	if m.ID != "" {
		dst = append(dst, entry{"id", fieldRef(&m.ID)})
	} else if v, ok := m.Meta["id"]; ok {
		dst = append(dst, entry{"id", v})
	}
	start := len(dst)
	if m.Error != "" {
		dst = append(dst, entry{"error", fieldRef(&m.Error)})
	}
	if m.Path != "" {
		dst = append(dst, entry{"path", fieldRef(&m.Path)})
	}
	if m.ResponseID != "" {
		dst = append(dst, entry{"response_id", fieldRef(&m.ResponseID)})
	}
	for k, v := range m.Meta {
		if f := m.field(k); k == "id" || f != nil && *f != "" {
			continue
		}
		dst = append(dst, entry{k, v})
	}
	sortEntries(dst[start:])
	return dst
}

// String returns m as the original's JSON, which shows every field; a
// message that does not encode shows why.
func (m *Message) String() string {
	b, err := m.AppendJSON(nil)
	if err != nil {
		return "wire.Message{" + err.Error() + "}"
	}
	return string(b)
}
