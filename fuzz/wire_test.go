package fuzz

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/xbahn-go/xbahn/wire"
)

// wireSeeds are messages with edge cases of every value kind, encoded by
// both targets as their seeds.
func wireSeeds() []*wire.Message {
	return []*wire.Message{
		{},
		{
			ID: "51e532df-c59c-4087-a6bb-9c37944f8298", Path: "comm.call", Meta: map[string]any{"client": "$"},
			Data: "multiply", Args: []any{7, 6}, Kwargs: map[string]any{},
		},
		{
			ID: "56970f44-285e-4c9d-96ec-fbd2b6bec209", Path: "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298",
			ResponseID: "51e532df-c59c-4087-a6bb-9c37944f8298", Data: 42,
		},
		{ID: "x", ResponseID: "y", Error: "boom\n\"quoted\"", Meta: map[string]any{"client": nil}},
		{Meta: map[string]any{"id": 5, "path": "", "error": []any{}}},
		{Data: []any{nil, true, false, int64(math.MinInt64), int64(math.MaxInt64), uint64(math.MaxUint64), int64(-1), int64(127), int64(128)}},
		{Data: []any{0.0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, math.MaxFloat64, 1e16, 1e-5}},
		{Data: []any{"", "é€😀", "\x00\x1f\x7f", []byte{}, []byte{0, 0xff}, []any{}, map[string]any{}}},
		{Kwargs: map[string]any{"a": []any{[]any{[]any{map[string]any{"b": []any{}}}}}, "": "empty key"}},
	}
}

func FuzzWireBinary(f *testing.F) {
	for _, m := range wireSeeds() {
		b, err := m.AppendBinary(nil)
		if err != nil {
			f.Fatal(err)
		}
		if err := new(wire.Message).UnmarshalBinary(b); err != nil {
			f.Fatalf("seed %q does not decode: %v", b, err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0xb1})
	f.Add([]byte{0xb1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f}) // 2^62 meta entries
	f.Add([]byte{0xb1, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}) // a huge list
	f.Add([]byte{0xb1, 0x00, 0x08, 0x01, 0x08, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00})
	f.Add([]byte{0xb1, 0x01, 0x02, 'i', 'd', 0x03, 0x01, 0x00, 0x00, 0x00}) // id as an int
	f.Fuzz(func(t *testing.T, in []byte) {
		var m wire.Message
		err := m.UnmarshalBinary(in)
		checkHead(t, in)
		if err != nil {
			checkDecodeError(t, err, in)
			return
		}
		roundTrip(t, &m, (*wire.Message).AppendBinary, (*wire.Message).UnmarshalBinary)
	})
}

func FuzzWireJSON(f *testing.F) {
	for _, m := range wireSeeds() {
		b, err := m.AppendJSON(nil)
		if err != nil {
			f.Fatal(err)
		}
		if err := new(wire.Message).UnmarshalJSON(b); err != nil {
			f.Fatalf("seed %q does not decode: %v", b, err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `{}`, `{"meta": null}`, `{"data": "ping"}`,
		`{"meta":{"path":"comm.call","id":"x6"},"data":"ping","args":[],"kwargs":{}}`,
		`{"meta": {"id": "x"}, "args": {"a": 7, "b": [6]}}`,
		`{"meta": {"id": "a", "id": 5}, "data": 1, "data": [1, 2]}`,
		" \t\r\n{ \"meta\" :\n{ } , \"data\"\t: [ 1 , { } ] }\n ",
		`{"meta": {}, "data": "\ud83d\ude00 \ud800 \u00e9 \"\\\/\b\f\n\r\t"}`,
		`{"meta": {}, "args": [9223372036854775808, -9223372036854775809, 18446744073709551616, 1e400, -0, -0.0, 1E-2]}`,
		`{"meta": {}, "args": [NaN, Infinity, -Infinity, true, false, null]}`,
		`{"meta": {}, "data": [[[[[[[[[[[]]]]]]]]]]]}`,
		`{"meta": {}, "data": "ab` + "\xff" + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var m wire.Message
		err := m.UnmarshalJSON(in)
		checkHead(t, in)
		if err != nil {
			checkDecodeError(t, err, in)
			return
		}
		roundTrip(t, &m, (*wire.Message).AppendJSON, (*wire.Message).UnmarshalJSON)
		// Whatever JSON gives, the binary encoding holds too.
		roundTrip(t, &m, (*wire.Message).AppendBinary, (*wire.Message).UnmarshalBinary)
	})
}

// checkHead checks that DecodeHead takes in if and only if Decode does,
// and that Fill then gives what Decode gives; and that the data decoded
// by a wire.Type into an any agrees, and into a struct decodes or fails
// with a *wire.TypeError.
func checkHead(t *testing.T, in []byte) {
	t.Helper()
	m := new(wire.Message)
	err := wire.Decode(in, m)
	var head wire.Message
	var body wire.Body
	headErr := (wire.Limits{}).DecodeHead(in, &head, &body)
	if (err == nil) != (headErr == nil) {
		t.Fatalf("%q: Decode: %v, DecodeHead: %v", in, err, headErr)
	}
	if err != nil {
		checkDecodeError(t, headErr, in)
		return
	}
	if err := body.Fill(&head, wire.Limits{}); err != nil {
		t.Fatalf("%q: Fill: %v", in, err)
	}
	a, _ := m.AppendBinary(nil)
	b, _ := head.AppendBinary(nil)
	if !bytes.Equal(a, b) {
		t.Fatalf("%q: DecodeHead and Fill give %#v, Decode %#v", in, head, *m)
	}
	var v any
	if err := wire.Unmarshal(body.Data, &v); err != nil {
		t.Fatalf("%q: data into an any: %v", in, err)
	}
	a, _ = (&wire.Message{Data: v}).AppendBinary(nil)
	b, _ = (&wire.Message{Data: m.Data}).AppendBinary(nil)
	if !bytes.Equal(a, b) {
		t.Fatalf("%q: data into an any: %#v, Decode gives %#v", in, v, m.Data)
	}
	var s struct {
		A int
		B []string
		C map[string]*float64
		D any
		E string
		F *string
		G bool
		H []struct{ X, Y string }
	}
	var te *wire.TypeError
	if err := wire.Unmarshal(body.Data, &s); err != nil && !errors.As(err, &te) {
		t.Fatalf("%q: data into a struct: %v, want success or a *wire.TypeError", in, err)
	}
}

// checkDecodeError checks that err, why in did not decode, is a
// *wire.DecodeError that points into in.
func checkDecodeError(t *testing.T, err error, in []byte) {
	t.Helper()
	var de *wire.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("decoding %q: error %v (%T), want a *wire.DecodeError", in, err, err)
	}
	if de.Offset < 0 || de.Offset > len(in) {
		t.Fatalf("decoding %q: error at offset %d, outside the input", in, de.Offset)
	}
}

// roundTrip checks that m, a decoded message, encodes, that the encoding
// decodes to the same message, and that this encodes to the same bytes.
func roundTrip(t *testing.T, m *wire.Message, encode func(*wire.Message, []byte) ([]byte, error), decode func(*wire.Message, []byte) error) {
	t.Helper()
	b, err := encode(m, nil)
	if err != nil {
		t.Fatalf("decoded message %#v does not encode: %v", *m, err)
	}
	var m2 wire.Message
	if err := decode(&m2, b); err != nil {
		t.Fatalf("re-encoding %q does not decode: %v", b, err)
	}
	if !sameMessage(m, &m2) {
		t.Fatalf("decode(encode(m)) = %#v, want %#v", m2, *m)
	}
	b2, err := encode(&m2, nil)
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("equal messages encode differently:\n%q\n%q (%v)", b, b2, err)
	}
}

// sameValue reports whether a and b are the same value of the same type;
// floats are equal if their bits are, or if both are NaN.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b))
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && sameMap(a, b)
	}
	return a == b
}

func sameMap(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !sameValue(v, w) {
			return false
		}
	}
	return true
}

// sameMessage reports whether a and b hold the same message; nil and empty
// Meta, Args and Kwargs are the same.
func sameMessage(a, b *wire.Message) bool {
	return a.ID == b.ID && a.Path == b.Path && a.ResponseID == b.ResponseID && a.Error == b.Error &&
		sameMap(a.Meta, b.Meta) && sameValue(a.Data, b.Data) && sameValue(a.Args, b.Args) && sameMap(a.Kwargs, b.Kwargs)
}
