package wire

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBinaryRoundTrip(t *testing.T) {
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			want := &Message{ID: "i", Path: "a.b", Meta: map[string]any{"user": v}, Data: v, Args: []any{v, v}, Kwargs: map[string]any{"k": v}}
			b, err := want.AppendBinary(nil)
			if err != nil {
				t.Fatalf("AppendBinary: %v", err)
			}
			var got Message
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			if !sameMessage(&got, want) {
				t.Errorf("round trip = %#v, want %#v", got, want)
			}
		})
	}
}

func TestBinaryMessages(t *testing.T) {
	tests := []struct {
		name string
		in   *Message
		want *Message // nil: the same as in
	}{
		{name: "empty", in: &Message{}},
		{name: "call", in: call(), want: &Message{
			ID: call().ID, Path: "comm.call", Meta: map[string]any{"client": "$"},
			Data: "multiply", Args: []any{int64(7), int64(6)},
		}},
		{name: "reply", in: reply(), want: &Message{
			ID: reply().ID, Path: reply().Path, ResponseID: reply().ResponseID, Data: int64(42),
		}},
		{name: "error reply", in: &Message{ID: "x", ResponseID: "y", Error: "boom"}},
		{name: "null client", in: &Message{ID: "x", Meta: map[string]any{"client": nil}}},
		{name: "reserved keys without fields", in: &Message{Meta: map[string]any{"id": int64(5), "path": "", "error": nil}}},
		{name: "field wins over meta", in: &Message{ID: "x", Meta: map[string]any{"id": "y", "path": int64(1)}},
			want: &Message{ID: "x", Meta: map[string]any{"path": int64(1)}}},
		{name: "other int kinds", in: &Message{Args: []any{int8(-8), int16(-16), int32(-32), uint(1), uint8(8), uint16(16), uint32(32), float32(1.5)}},
			want: &Message{Args: []any{int64(-8), int64(-16), int64(-32), uint64(1), uint64(8), uint64(16), uint64(32), 1.5}}},
		{name: "reflection fallback", in: &Message{Data: []string{"a"}, Kwargs: map[string]any{"m": map[string]int{"x": 1}, "b": [2]byte{1, 2}}},
			want: &Message{Data: []any{"a"}, Kwargs: map[string]any{"m": map[string]any{"x": int64(1)}, "b": []byte{1, 2}}}},
		{name: "nil containers in values", in: &Message{Data: []any{[]any(nil), map[string]any(nil), []byte(nil)}},
			want: &Message{Data: []any{[]any{}, map[string]any{}, []byte{}}}},
		{name: "many keys", in: &Message{Kwargs: manyKeys(100)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = tt.in
			}
			b, err := tt.in.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			var got Message
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			if !sameMessage(&got, want) {
				t.Errorf("round trip = %#v, want %#v", got, *want)
			}
		})
	}
}

func manyKeys(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[string(rune('a'+i%26))+string(rune('0'+i/26))] = int64(i)
	}
	return m
}

func TestBinaryBytes(t *testing.T) {
	b, err := reply().AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{magic, 3}
	want = append(want, "\x02id\x06\x24"+reply().ID...)
	want = append(want, "\x04path\x06\x33"+reply().Path...)
	want = append(want, "\x0bresponse_id\x06\x24"+reply().ResponseID...)
	want = append(want, tagSmallInt|42, 0, 0)
	if !bytes.Equal(b, want) {
		t.Errorf("AppendBinary(reply) =\n%q, want\n%q", b, want)
	}
}

func TestBinaryDeterministic(t *testing.T) {
	m := &Message{Meta: manyKeys(30), Data: map[string]any{"z": int64(1), "a": int64(2), "m": manyKeys(40)}, Kwargs: manyKeys(10)}
	first, err := m.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		got, _ := m.Clone().AppendBinary(nil)
		if !bytes.Equal(got, first) {
			t.Fatalf("AppendBinary gave different bytes for equal messages:\n%x\n%x", got, first)
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	prefix := []byte("news ")
	b, err := call().AppendBinary(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:5]) != "news " {
		t.Errorf("AppendBinary changed the prefix: %q", b[:5])
	}
	var m Message
	if err := m.UnmarshalBinary(b[5:]); err != nil {
		t.Errorf("UnmarshalBinary after a prefix: %v", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	self := []any{nil}
	self[0] = self
	tests := []struct {
		name string
		m    *Message
		want error
	}{
		{"chan", &Message{Data: make(chan int)}, &UnsupportedTypeError{}},
		{"struct in args", &Message{Args: []any{struct{}{}}}, &UnsupportedTypeError{}},
		{"func in meta", &Message{Meta: map[string]any{"f": func() {}}}, &UnsupportedTypeError{}},
		{"pointer in kwargs", &Message{Kwargs: map[string]any{"p": new(int)}}, &UnsupportedTypeError{}},
		{"int keys", &Message{Data: map[int]any{1: 1}}, &UnsupportedTypeError{}},
		{"too deep", &Message{Data: nested(defaultMaxDepth+1, nil)}, ErrTooDeep},
		{"too deep in args", &Message{Args: []any{nested(defaultMaxDepth, nil)}}, ErrTooDeep},
		{"cycle", &Message{Data: self}, ErrTooDeep},
	}
	for _, tt := range tests {
		for _, enc := range []struct {
			name string
			f    func(*Message, []byte) ([]byte, error)
		}{{"AppendBinary", (*Message).AppendBinary}, {"AppendJSON", (*Message).AppendJSON}} {
			t.Run(tt.name+"/"+enc.name, func(t *testing.T) {
				b, err := enc.f(tt.m, []byte("x"))
				if string(b) != "x" {
					t.Errorf("%s returned %q on error, want the buffer unchanged", enc.name, b)
				}
				var ute *UnsupportedTypeError
				if _, ok := tt.want.(*UnsupportedTypeError); ok {
					if !errors.As(err, &ute) || ute.Type == nil {
						t.Errorf("%s: error %v, want *UnsupportedTypeError", enc.name, err)
					}
				} else if !errors.Is(err, tt.want) {
					t.Errorf("%s: error %v, want %v", enc.name, err, tt.want)
				}
			})
		}
	}
	_, err := (&Message{Data: make(chan int)}).AppendBinary(nil)
	if got, want := err.Error(), "wire: unsupported type chan int"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
	if _, err := (&Message{Data: nested(defaultMaxDepth, nil)}).AppendBinary(nil); err != nil {
		t.Errorf("AppendBinary at the depth limit: %v", err)
	}
}

func TestBinaryTruncated(t *testing.T) {
	for name, v := range values {
		m := &Message{ID: "id", Meta: map[string]any{"v": v}, Data: v, Args: []any{v}, Kwargs: map[string]any{"v": v}}
		b, err := m.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 4096 {
			continue
		}
		for i := range len(b) {
			var got Message
			err := got.UnmarshalBinary(b[:i])
			if err == nil {
				t.Fatalf("%s: UnmarshalBinary(first %d of %d bytes) succeeded", name, i, len(b))
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Offset > i {
				t.Fatalf("%s: UnmarshalBinary(first %d bytes) = %v, want a *DecodeError within the input", name, i, err)
			}
			if !sameMessage(&got, &Message{}) {
				t.Fatalf("%s: message not reset after error: %#v", name, got)
			}
		}
	}
}

func TestBinaryErrors(t *testing.T) {
	huge := appendVarint(nil, 1<<62)
	tests := []struct {
		name   string
		in     []byte
		limits Limits
		err    error
		field  string
		offset int
	}{
		{"empty", nil, Limits{}, ErrTruncated, "", 0},
		{"json", []byte(`{"meta": {}}`), Limits{}, ErrUnknownEncoding, "", 0},
		{"magic only", []byte{magic}, Limits{}, ErrTruncated, "meta", 1},
		{"huge meta count", append([]byte{magic}, huge...), Limits{}, ErrTruncated, "meta", 1},
		{"huge list", append(append([]byte{magic, 0, tagList}, huge...), 0, 0), Limits{}, ErrTruncated, "data", 3},
		{"huge map", append(append([]byte{magic, 0, tagMap}, huge...), 0, 0), Limits{}, ErrTruncated, "data", 3},
		{"huge string", append(append([]byte{magic, 0, tagString}, huge...), 0, 0), Limits{}, ErrTruncated, "data", 3},
		{"huge args", append([]byte{magic, 0, tagNil}, huge...), Limits{}, ErrTruncated, "args", 3},
		{"overlong varint", []byte{magic, 0, tagUint, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0}, Limits{}, ErrSyntax, "data", 3},
		{"unknown tag", []byte{magic, 0, 0x7f, 0, 0}, Limits{}, ErrSyntax, "data", 2},
		{"trailing byte", []byte{magic, 0, tagNil, 0, 0, 0}, Limits{}, ErrSyntax, "", 5},
		{"too many elements", []byte{magic, 0, tagList, 3, 1, 1, 1, 0, 0}, Limits{MaxElements: 2}, ErrTooLarge, "data", 3},
		{"elements add up", []byte{magic, 0, tagList, 2, 1, 1, 2, 1, 1, 0}, Limits{MaxElements: 3}, ErrTooLarge, "args", 6},
		{"too deep", []byte{magic, 0, tagList, 1, tagList, 1, tagNil, 0, 0}, Limits{MaxDepth: 1}, ErrTooDeep, "data", 4},
		{"too deep in args", []byte{magic, 0, tagNil, 1, tagList, 0, 0}, Limits{MaxDepth: 1}, ErrTooDeep, "args", 4},
		{"too large", []byte{magic, 0, tagNil, 0, 0}, Limits{MaxBytes: 4}, ErrTooLarge, "", 4},
		{"truncated float", []byte{magic, 0, tagFloat, 1, 2, 3}, Limits{}, ErrTruncated, "data", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			var err error
			if tt.name == "json" {
				err = m.UnmarshalBinary(tt.in)
			} else {
				err = tt.limits.Decode(tt.in, &m)
			}
			var de *DecodeError
			if !errors.Is(err, tt.err) || !errors.As(err, &de) {
				t.Fatalf("Decode(%x) = %v, want %v", tt.in, err, tt.err)
			}
			if de.Field != tt.field || de.Offset != tt.offset {
				t.Errorf("Decode(%x) = %v, want field %q offset %d", tt.in, err, tt.field, tt.offset)
			}
		})
	}
}

func TestBinaryReuse(t *testing.T) {
	var m Message
	first, _ := (&Message{Meta: map[string]any{"a": int64(1)}, Args: []any{1, 2, 3}, Kwargs: map[string]any{"k": 1}}).AppendBinary(nil)
	second, _ := (&Message{Meta: map[string]any{"b": int64(2)}, Args: []any{4}, Kwargs: map[string]any{"j": 2}}).AppendBinary(nil)
	if err := m.UnmarshalBinary(first); err != nil {
		t.Fatal(err)
	}
	args, meta := m.Args, m.Meta
	if err := m.UnmarshalBinary(second); err != nil {
		t.Fatal(err)
	}
	want := &Message{Meta: map[string]any{"b": int64(2)}, Args: []any{int64(4)}, Kwargs: map[string]any{"j": int64(2)}}
	if !sameMessage(&m, want) {
		t.Errorf("second decode = %#v, want %#v", m, *want)
	}
	if &args[0] != &m.Args[0] {
		t.Error("decode did not reuse the Args backing array")
	}
	if _, ok := meta["b"]; !ok {
		t.Error("decode did not reuse the Meta map")
	}
}

func TestDecodeCopiesInput(t *testing.T) {
	// Small inputs share one copy for their strings, large ones do not.
	for _, pad := range []string{"", strings.Repeat("p", shareMax)} {
		in := &Message{ID: "id", Data: []byte("data"), Args: []any{"arg", pad}, Kwargs: map[string]any{"key": "value"}}
		bin, _ := in.AppendBinary(nil)
		js, _ := in.AppendJSON(nil)
		for _, b := range [][]byte{bin, js} {
			want := &Message{ID: "id", Data: []byte("data"), Args: []any{"arg", pad}, Kwargs: map[string]any{"key": "value"}}
			if Sniff(b) == JSON {
				want.Data = "ZGF0YQ=="
			}
			var m Message
			if err := Decode(b, &m); err != nil {
				t.Fatal(err)
			}
			for i := range b {
				b[i] = 'X'
			}
			if !sameMessage(&m, want) {
				t.Errorf("decoded message changed with its input: %.100v", m)
			}
		}
	}
}

func TestVarint(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<32 - 1, 1 << 56, math.MaxUint64} {
		b := appendVarint(nil, v)
		got, n := consumeVarint(b)
		if got != v || n != len(b) {
			t.Errorf("consumeVarint(appendVarint(%d)) = %d, %d; want %d, %d", v, got, n, v, len(b))
		}
		if _, n := consumeVarint(b[:len(b)-1]); n != errCodeTruncated {
			t.Errorf("consumeVarint(truncated %d) n = %d, want %d", v, n, errCodeTruncated)
		}
	}
	for _, v := range []int64{0, -1, 1, -64, 64, math.MaxInt64, math.MinInt64} {
		if got := unzigzag(zigzag(v)); got != v {
			t.Errorf("unzigzag(zigzag(%d)) = %d", v, got)
		}
	}
	if got := zigzag(-1); got != 1 {
		t.Errorf("zigzag(-1) = %d, want 1", got)
	}
}
