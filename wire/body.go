package wire

import "unsafe"

// Body is what Limits.DecodeHead leaves encoded of a message: its data,
// its positional arguments and its keyword arguments, each a Raw that a
// Type decodes straight into a Go value, or Fill into a Message.
//
// The Raw values share one copy of the message, which the Body made; they
// stay valid for as long as they are kept. The strings decoded from a
// message of up to 64 KiB are cut from that copy too, so its bytes must
// not be modified.
type Body struct {
	Data   Raw
	Args   []Raw
	Kwargs []Kwarg

	limits Limits
	inline [3]Raw // Args of a call with few arguments
}

// Limits returns the limits the message was decoded with, for decoding
// its values with.
func (b *Body) Limits() Limits { return b.limits }

// Kwarg is one keyword argument of a Body.
type Kwarg struct {
	Name  string
	Value Raw
}

// Kwarg returns the keyword argument of that name, and whether there is
// one.
func (b *Body) Kwarg(name string) (Raw, bool) {
	for _, kw := range b.Kwargs {
		if kw.Name == name {
			return kw.Value, true
		}
	}
	return Raw{}, false
}

// Fill decodes the data, args and kwargs of b into m, as Decode would have
// decoded them, replacing what m holds of them.
func (b *Body) Fill(m *Message, l Limits) error {
	var err error
	if m.Data, err = b.Data.Value(l); err != nil {
		return err
	}
	clear(m.Args)
	m.Args = m.Args[:0]
	for _, r := range b.Args {
		v, err := r.Value(l)
		if err != nil {
			return err
		}
		m.Args = append(m.Args, v)
	}
	clear(m.Kwargs)
	if m.Kwargs == nil && len(b.Kwargs) > 0 {
		m.Kwargs = make(map[string]any, len(b.Kwargs))
	}
	for _, kw := range b.Kwargs {
		v, err := kw.Value.Value(l)
		if err != nil {
			return err
		}
		m.Kwargs[kw.Name] = v
	}
	return nil
}

// DecodeHead decodes the meta of a message in either encoding into m, as
// Decode does, and leaves its data, args and kwargs encoded in body, which
// it resets first. It checks the whole message, as Decode does, so a
// message that Decode refuses, DecodeHead refuses too; it allocates one
// copy of b, which the Raw values of body share, and what meta holds.
func (l Limits) DecodeHead(b []byte, m *Message, body *Body) error {
	clear(body.Args)
	clear(body.Kwargs)
	args := body.Args[:0]
	if args == nil {
		args = body.inline[:0]
	}
	*body = Body{Args: args, Kwargs: body.Kwargs[:0], limits: l}
	err := l.decode(b, m, Sniff(b), body)
	if err != nil {
		clear(body.Args)
		clear(body.Kwargs)
		*body = Body{Args: body.Args[:0], Kwargs: body.Kwargs[:0], limits: l}
	}
	return err
}

// frozen returns buf, a copy of a message that nothing writes to, as the
// string that the strings decoded from it are cut from, or "" if it is
// too large to share (see shareMax).
func frozen(buf []byte) string {
	if len(buf) == 0 || len(buf) > shareMax {
		return ""
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// raw skips the binary value at d's offset, at nesting depth depth, and
// returns it.
func (d *binaryDecoder) raw(depth int) (Raw, error) {
	start := d.off
	if err := d.skip(depth); err != nil {
		return Raw{}, err
	}
	r := Raw{Enc: Binary, B: d.in[start:d.off:d.off], depth: depth}
	if d.text != "" {
		r.text = d.text[start:d.off]
	}
	return r, nil
}

// rawEntries reads n keyword arguments into body.
func (d *binaryDecoder) rawEntries(body *Body, n int) error {
	for range n {
		k, err := d.str()
		if err != nil {
			return err
		}
		r, err := d.raw(1)
		if err != nil {
			return err
		}
		body.setKwarg(k, r)
	}
	return nil
}

// setKwarg sets a keyword argument; the last of a name wins.
func (b *Body) setKwarg(name string, r Raw) {
	for i := range b.Kwargs {
		if b.Kwargs[i].Name == name {
			b.Kwargs[i].Value = r
			return
		}
	}
	b.Kwargs = append(b.Kwargs, Kwarg{Name: name, Value: r})
}

// raw skips the JSON value at d's offset, at nesting depth depth, and
// returns it.
func (d *jsonDecoder) raw(depth int) (Raw, error) {
	d.ws()
	start := d.off
	if err := d.skip(depth); err != nil {
		return Raw{}, err
	}
	r := Raw{Enc: JSON, B: d.in[start:d.off:d.off], depth: depth}
	if d.text != "" {
		r.text = d.text[start:d.off]
	}
	return r, nil
}

// rawKwargs reads the kwargs object into body.
func (d *jsonDecoder) rawKwargs(body *Body) error {
	clear(body.Kwargs)
	body.Kwargs = body.Kwargs[:0]
	if err := d.open('{'); err != nil {
		return err
	}
	for first := true; ; first = false {
		k, more, err := d.member(first)
		if !more || err != nil {
			return err
		}
		r, err := d.raw(1)
		if err != nil {
			return err
		}
		body.setKwarg(k, r)
	}
}
