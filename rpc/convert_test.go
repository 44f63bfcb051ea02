package rpc

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestConvert(t *testing.T) {
	type point struct {
		X    int
		Name string `xbahn:"label"`
	}
	tests := []struct {
		in      any
		into    any // a pointer to the target type's zero value
		want    any
		errPart string
	}{
		{int64(42), new(int), 42, ""},
		{int64(-1), new(uint8), nil, "overflows uint8"},
		{int64(300), new(int8), nil, "overflows int8"},
		{uint64(math.MaxUint64), new(uint64), uint64(math.MaxUint64), ""},
		{uint64(math.MaxUint64), new(int64), nil, "cannot use the integer"},
		{float64(3), new(int), 3, ""},
		{float64(3.5), new(int), nil, "cannot use the float 3.5 as int"},
		{int64(2), new(float32), float32(2), ""},
		{"text", new(string), "text", ""},
		{"bytes", new([]byte), []byte("bytes"), ""},
		{[]byte("str"), new(string), "str", ""},
		{true, new(bool), true, ""},
		{"true", new(bool), nil, `cannot use the string "true" as bool`},
		{nil, new(int), 0, ""},
		{[]any{int64(1), int64(2)}, new([]int), []int{1, 2}, ""},
		{[]any{int64(1), "x"}, new([]int), nil, "element 1: cannot use the string"},
		{[]any{int64(1), int64(2)}, new([2]int), [2]int{1, 2}, ""},
		{[]any{int64(1)}, new([2]int), nil, "list of 1 for an array of 2"},
		{map[string]any{"a": int64(1)}, new(map[string]int), map[string]int{"a": 1}, ""},
		{map[string]any{"x": int64(1), "LABEL": "p"}, new(point), point{X: 1, Name: "p"}, ""},
		{map[string]any{"y": int64(1)}, new(point), nil, `no field for key "y"`},
		{int64(5), new(any), int64(5), ""},
		{int64(5), new(*int), func() any { n := 5; return &n }(), ""},
		{[]any{"a"}, new(map[string]any), nil, "cannot use a list"},
	}
	for _, tt := range tests {
		err := Convert(tt.in, tt.into)
		if tt.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("Convert(%v into %T) error = %v, want %q", tt.in, tt.into, err, tt.errPart)
			}
			continue
		}
		got := reflect.ValueOf(tt.into).Elem().Interface()
		if err != nil || fmt.Sprint(deref(got)) != fmt.Sprint(deref(tt.want)) {
			t.Errorf("Convert(%v into %T) = %v, %v; want %v", tt.in, tt.into, got, err, tt.want)
		}
	}
	if err := Convert(1, 0); err == nil {
		t.Error("Convert into a non-pointer succeeded")
	}
}

func deref(v any) any {
	if p, ok := v.(*int); ok && p != nil {
		return *p
	}
	return v
}

func TestToWire(t *testing.T) {
	type inner struct {
		A []string
		B map[string]uint8 `xbahn:"bee"`
		c int
	}
	got := toWire(reflect.ValueOf(inner{A: []string{"x"}, B: map[string]uint8{"k": 7}, c: 1}))
	want := map[string]any{"A": []any{"x"}, "bee": map[string]any{"k": uint64(7)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("toWire = %#v, want %#v", got, want)
	}
	var nilSlice []int
	for _, tt := range []struct {
		in   any
		want any
	}{
		{nilSlice, nil}, {[]byte("b"), []byte("b")}, {int8(-3), int64(-3)}, {float32(1.5), 1.5}, {(*int)(nil), nil},
	} {
		if got := toWire(reflect.ValueOf(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("toWire(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}
