package wire

import (
	"errors"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		want Encoding
	}{
		{"", Unknown},
		{"\xb1", Binary},
		{"{", JSON},
		{" {", JSON},
		{"\t", JSON},
		{"\n", JSON},
		{"\r", JSON},
		{"[", Unknown},
		{"news {", Unknown},
		{"\xb2", Unknown},
		{"\xef\xbb\xbf{", Unknown},
	}
	for _, tt := range tests {
		if got := Sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("Sniff(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for e, want := range map[Encoding]string{Unknown: "unknown", Binary: "binary", JSON: "json", 9: "unknown"} {
		if got := e.String(); got != want {
			t.Errorf("Encoding(%d).String() = %q, want %q", e, got, want)
		}
	}
}

func TestDecodeBothEncodings(t *testing.T) {
	want := call()
	bin, err := want.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := want.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bin) >= len(js) {
		t.Errorf("binary takes %d bytes, JSON %d; want binary smaller", len(bin), len(js))
	}
	var fromBin, fromJSON Message
	if err := Decode(bin, &fromBin); err != nil {
		t.Fatal(err)
	}
	if err := Decode(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !sameMessage(&fromBin, &fromJSON) {
		t.Errorf("binary decodes to %#v, JSON to %#v", fromBin, fromJSON)
	}
}

func TestDecodeErrorText(t *testing.T) {
	var m Message
	err := Decode([]byte(`{"meta": {}, "kwargs": [1]}`), &m)
	if got, want := err.Error(), "wire: wrong value type in kwargs at offset 23"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
	err = Decode([]byte("x"), &m)
	if got, want := err.Error(), "wire: unknown encoding at offset 0"; got != want {
		t.Errorf("error text %q, want %q", got, want)
	}
	if !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("errors.Is(%v, ErrUnknownEncoding) = false", err)
	}
}

func TestDefaultLimits(t *testing.T) {
	want := DefaultLimits()
	if got := (Limits{}).orDefault(); got != want {
		t.Errorf("Limits{}.orDefault() = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxBytes: -1, MaxDepth: 3}).orDefault(); got.MaxBytes != want.MaxBytes || got.MaxDepth != 3 {
		t.Errorf("orDefault kept %+v", got)
	}
}

func TestReset(t *testing.T) {
	m := &Message{ID: "i", Path: "p", ResponseID: "r", Error: "e", Meta: map[string]any{"a": 1}, Data: 1, Args: []any{1, 2}, Kwargs: map[string]any{"k": 1}}
	args, meta, kwargs := m.Args, m.Meta, m.Kwargs
	m.Reset()
	if !sameMessage(m, &Message{}) || m.Data != nil {
		t.Errorf("after Reset: %#v", *m)
	}
	if cap(m.Args) != cap(args) || m.Meta == nil || m.Kwargs == nil || len(meta) != 0 || len(kwargs) != 0 {
		t.Errorf("Reset did not keep the emptied containers: %#v", *m)
	}
	if args[0] != nil {
		t.Error("Reset kept references in the Args backing array")
	}
}

func TestClone(t *testing.T) {
	m := &Message{ID: "i", Meta: map[string]any{"a": []any{1}}, Data: []byte("d"), Args: []any{map[string]any{"x": []byte("y")}}, Kwargs: map[string]any{"k": []any{}}}
	c := m.Clone()
	if !sameMessage(c, m) {
		t.Fatalf("Clone() = %#v, want %#v", *c, *m)
	}
	m.Meta["a"].([]any)[0] = 2
	m.Data.([]byte)[0] = 'X'
	m.Args[0].(map[string]any)["x"].([]byte)[0] = 'X'
	m.Kwargs["k"] = nil
	want := &Message{ID: "i", Meta: map[string]any{"a": []any{1}}, Data: []byte("d"), Args: []any{map[string]any{"x": []byte("y")}}, Kwargs: map[string]any{"k": []any{}}}
	if !sameMessage(c, want) {
		t.Errorf("clone changed with the original: %#v", *c)
	}
	if (&Message{}).Clone().Meta != nil {
		t.Error("Clone of an empty message made a Meta map")
	}
}

func TestIsResponse(t *testing.T) {
	if call().IsResponse() {
		t.Error("call().IsResponse() = true")
	}
	if !reply().IsResponse() {
		t.Error("reply().IsResponse() = false")
	}
}

// TestEncodeAllocs checks that encoding the call and its reply into a
// reused buffer does not allocate.
func TestEncodeAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	buf := make([]byte, 0, 1024)
	nestedMsg := &Message{Data: map[string]any{"a": []any{int64(1), 2.5, "x", map[string]any{"b": true}}}, Kwargs: manyKeys(16)}
	for _, m := range []*Message{call(), reply(), nestedMsg} {
		for _, enc := range []struct {
			name string
			f    func(*Message, []byte) ([]byte, error)
		}{{"AppendBinary", (*Message).AppendBinary}, {"AppendJSON", (*Message).AppendJSON}} {
			allocs := testing.AllocsPerRun(100, func() {
				var err error
				if buf, err = enc.f(m, buf[:0]); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s(%.40s...) allocates %v times, want 0", enc.name, buf, allocs)
			}
		}
	}
}

// TestEncodeLargeMapAllocs checks that a map of more than stackKeys keys
// costs one allocation, for its entries, however many keys it has.
func TestEncodeLargeMapAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("coverage instrumentation and the race detector allocate")
	}
	buf := make([]byte, 0, 64<<10)
	for _, n := range []int{stackKeys + 1, 100, 1000} {
		m := &Message{Data: manyKeys(n)}
		for _, enc := range []struct {
			name string
			f    func(*Message, []byte) ([]byte, error)
		}{{"AppendBinary", (*Message).AppendBinary}, {"AppendJSON", (*Message).AppendJSON}} {
			allocs := testing.AllocsPerRun(20, func() {
				var err error
				if buf, err = enc.f(m, buf[:0]); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 1 {
				t.Errorf("%s of a %d-key map allocates %v times, want 1", enc.name, n, allocs)
			}
		}
	}
}

// TestDecodeReuseAllocs checks that decoding the reply into a reused
// Message allocates once, for the copy of the input its strings share.
func TestDecodeReuseAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	bin, _ := reply().AppendBinary(nil)
	js, _ := reply().AppendJSON(nil)
	for _, in := range [][]byte{bin, js} {
		var m Message
		allocs := testing.AllocsPerRun(100, func() {
			if err := Decode(in, &m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 1 {
			t.Errorf("Decode(%.20q...) allocates %v times, want 1", in, allocs)
		}
	}
}

func TestMessageString(t *testing.T) {
	tests := []struct {
		m    *Message
		want string
	}{
		{&Message{}, `{"meta": {}, "data": null, "args": [], "kwargs": {}}`},
		{&Message{ID: "x", Path: "a.b", Data: "d", Args: []any{1, "two"}, Kwargs: map[string]any{"k": true}},
			`{"meta": {"id": "x", "path": "a.b"}, "data": "d", "args": [1, "two"], "kwargs": {"k": true}}`},
		{&Message{Data: make(chan int)}, "wire.Message{wire: unsupported type chan int}"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
