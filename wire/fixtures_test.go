package wire

import (
	"math"
	"strings"
)

// sameValue reports whether a and b are the same value of the same type,
// with float64s compared by their bits (so NaN equals NaN and 0 differs
// from -0) and nil containers distinct from empty ones.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []byte:
		b, ok := b.([]byte)
		return ok && (a == nil) == (b == nil) && string(a) == string(b)
	case []any:
		b, ok := b.([]any)
		return ok && (a == nil) == (b == nil) && sameList(a, b)
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && (a == nil) == (b == nil) && sameMap(a, b)
	}
	return a == b
}

func sameList(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
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

// sameMessage reports whether a and b hold the same message; at this level
// nil and empty Meta, Args and Kwargs are the same.
func sameMessage(a, b *Message) bool {
	return a.ID == b.ID && a.Path == b.Path && a.ResponseID == b.ResponseID && a.Error == b.Error &&
		sameMap(a.Meta, b.Meta) && sameValue(a.Data, b.Data) && sameList(a.Args, b.Args) && sameMap(a.Kwargs, b.Kwargs)
}

// call and reply are the request multiply(7, 6) and its reply, as captured
// from the original xbahn.
func call() *Message {
	return &Message{
		ID:     "51e532df-c59c-4087-a6bb-9c37944f8298",
		Path:   "comm.call",
		Meta:   map[string]any{"client": "$"},
		Data:   "multiply",
		Args:   []any{7, 6},
		Kwargs: map[string]any{},
	}
}

func reply() *Message {
	return &Message{
		ID:         "56970f44-285e-4c9d-96ec-fbd2b6bec209",
		Path:       "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298",
		ResponseID: "51e532df-c59c-4087-a6bb-9c37944f8298",
		Data:       42,
	}
}

// nested returns lists nested n deep around v.
func nested(n int, v any) any {
	for range n {
		v = []any{v}
	}
	return v
}

// values are values of every kind with their edge cases; each is in the
// canonical form that a binary round trip keeps exactly.
var values = map[string]any{
	"nil":         nil,
	"false":       false,
	"true":        true,
	"zero":        int64(0),
	"small":       int64(127),
	"128":         int64(128),
	"minus one":   int64(-1),
	"max int64":   int64(math.MaxInt64),
	"min int64":   int64(math.MinInt64),
	"uint zero":   uint64(0),
	"uint small":  uint64(7),
	"max uint64":  uint64(math.MaxUint64),
	"uint 2^63":   uint64(1 << 63),
	"float zero":  0.0,
	"minus zero":  math.Copysign(0, -1),
	"float":       3.25,
	"float tiny":  5e-324,
	"float max":   math.MaxFloat64,
	"nan":         math.NaN(),
	"+inf":        math.Inf(1),
	"-inf":        math.Inf(-1),
	"empty":       "",
	"string":      "John Smith",
	"unicode":     "é€😀\x00\n\"\\",
	"big string":  strings.Repeat("xbahn ", 50000),
	"bytes":       []byte{0, 1, 0xff},
	"empty bytes": []byte{},
	"empty list":  []any{},
	"empty map":   map[string]any{},
	"list":        []any{nil, int64(1), "two", []byte("3"), 4.5, []any{}, map[string]any{}},
	"map":         map[string]any{"": int64(1), "a": nil, "b": []any{true}, "é": map[string]any{"x": uint64(1)}},
	"nested 10":   nested(10, map[string]any{"deep": int64(-10)}),
}
