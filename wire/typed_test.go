package wire

import (
	"encoding/base64"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Order and Item are the struct types of the typed decoding tests and
// benchmarks: a call's argument as a service would declare it.
type Order struct {
	ID       string
	Customer string `xbahn:"customer"`
	Items    []Item
	Paid     bool
	Total    float64
	Note     *string
	Tags     map[string]string
}

type Item struct {
	SKU   string
	Qty   int
	Price float64
}

// orderValue is an Order as a wire value, the way a Python peer or
// package rpc's conversion of a result sends it.
func orderValue() map[string]any {
	return map[string]any{
		"ID":       "A-1001",
		"customer": "Ada Lovelace",
		"Items": []any{
			map[string]any{"SKU": "nb-13", "Qty": int64(2), "Price": 12.5},
			map[string]any{"sku": "pen", "qty": int64(10), "price": 1.25},
		},
		"Paid":  true,
		"Total": 37.5,
		"Note":  "leave at the door",
		"Tags":  map[string]any{"channel": "web"},
	}
}

func wantOrder() Order {
	note := "leave at the door"
	return Order{
		ID: "A-1001", Customer: "Ada Lovelace",
		Items: []Item{{"nb-13", 2, 12.5}, {"pen", 10, 1.25}},
		Paid:  true, Total: 37.5, Note: &note, Tags: map[string]string{"channel": "web"},
	}
}

// rawData encodes v as the data of a message in encoding e and returns it
// as DecodeHead leaves it.
func rawData(t testing.TB, e Encoding, v any) Raw {
	t.Helper()
	m := &Message{ID: "x", Data: v}
	var b []byte
	var err error
	if e == Binary {
		b, err = m.AppendBinary(nil)
	} else {
		b, err = m.AppendJSON(nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	var body Body
	if err := (Limits{}).DecodeHead(b, new(Message), &body); err != nil {
		t.Fatalf("DecodeHead(%q): %v", b, err)
	}
	return body.Data
}

var encodings = []Encoding{Binary, JSON}

func TestDecodeHeadFillsLikeDecode(t *testing.T) {
	msgs := map[string]*Message{"call": call(), "reply": reply()}
	for name, v := range values {
		msgs["data "+name] = &Message{ID: "d", Data: v}
		msgs["arg "+name] = &Message{ID: "a", Args: []any{int64(1), v}}
		msgs["kwarg "+name] = &Message{ID: "k", Kwargs: map[string]any{"v": v, "w": int64(2)}}
	}
	for name, m := range msgs {
		for _, e := range encodings {
			var b []byte
			var err error
			if e == Binary {
				b, err = m.AppendBinary(nil)
			} else {
				b, err = m.AppendJSON(nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			var want, got Message
			if err := Decode(b, &want); err != nil {
				t.Fatalf("%s, %v: Decode: %v", name, e, err)
			}
			var body Body
			if err := (Limits{}).DecodeHead(b, &got, &body); err != nil {
				t.Fatalf("%s, %v: DecodeHead: %v", name, e, err)
			}
			if got.Data != nil || len(got.Args) != 0 || len(got.Kwargs) != 0 {
				t.Errorf("%s, %v: DecodeHead decoded the body: %#v", name, e, got)
			}
			if err := body.Fill(&got, Limits{}); err != nil {
				t.Fatalf("%s, %v: Fill: %v", name, e, err)
			}
			if !sameMessage(&got, &want) {
				t.Errorf("%s, %v: DecodeHead and Fill give\n%#v\nDecode gives\n%#v", name, e, got, want)
			}
		}
	}
}

func TestDecodeHeadRefusesWhatDecodeRefuses(t *testing.T) {
	for _, in := range []string{
		``, `{}`, `[]`, `{"meta": 1}`, `{"meta": {}, "data": [1,]}`, `{"meta": {}, "data": "\x01"}`,
		`{"meta": {}, "args": 1}`, `{"meta": {}, "kwargs": []}`, `{"meta": {}, "data": tru}`,
		`{"meta": {}, "data": "\ud83d` + "\xff" + `"}`, `{"meta": {}} x`, `{"meta": {}, "data": 01}`,
		`{"meta": {}, "data": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		"\xb1", "\xb1\x00\x09\x01", "\xb1\x00\x08\x05\x00", "\xb1\x00\x00\x00\x00\x00", "\xb1\x00\x0a\x00\x00",
	} {
		decodeErr := Decode([]byte(in), new(Message))
		var body Body
		headErr := (Limits{}).DecodeHead([]byte(in), new(Message), &body)
		if decodeErr == nil || headErr == nil {
			t.Errorf("%q: Decode: %v, DecodeHead: %v; want both to fail", in, decodeErr, headErr)
			continue
		}
		var de *DecodeError
		if !errors.As(headErr, &de) || !errors.Is(headErr, errors.Unwrap(decodeErr)) {
			t.Errorf("%q: DecodeHead: %v, Decode: %v; want the same sentinel", in, headErr, decodeErr)
		}
	}
}

func TestTypeDecode(t *testing.T) {
	type named string
	type small struct {
		A int8
		B []uint16 `xbahn:"bee"`
		S int      `xbahn:"ſize"` // folds to SIZE, with fewer bytes
	}
	tests := []struct {
		name string
		in   any      // the wire value
		into any      // a pointer to the zero value of the target type
		want any      // what it points to after, if no error
		err  string   // the error text, if one
		only Encoding // the one encoding a test holds for, if not both
	}{
		{name: "order", in: orderValue(), into: new(Order), want: wantOrder()},
		{name: "int", in: int64(-5), into: new(int), want: -5},
		{name: "int8 range", in: int64(300), into: new(int8), err: "300 overflows int8"},
		{name: "uint negative", in: int64(-1), into: new(uint), err: "-1 overflows uint"},
		{name: "max uint64", in: uint64(math.MaxUint64), into: new(uint64), want: uint64(math.MaxUint64)},
		{name: "max uint64 into int", in: uint64(math.MaxUint64), into: new(int64), err: "cannot use the integer 18446744073709551615 as int64"},
		{name: "integral float", in: 3.0, into: new(int), want: 3, only: Binary}, // JSON writes 3.0, which reads back as a float too
		{name: "fraction", in: 3.5, into: new(int), err: "cannot use the float 3.5 as int"},
		{name: "int to float", in: int64(7), into: new(float32), want: float32(7)},
		{name: "string", in: "héllo", into: new(string), want: "héllo"},
		{name: "named string", in: "x", into: new(named), want: named("x")},
		{name: "string as bytes", in: "ab", into: new([]byte), want: []byte("ab")},
		{name: "bytes", in: []byte{0, 0xff}, into: new([]byte), want: []byte{0, 0xff}, only: Binary},
		{name: "list as bytes", in: []any{int64(1), int64(2)}, into: new([]byte), want: []byte{1, 2}},
		{name: "long string in an error", in: strings.Repeat("x", 30), into: new(int), err: `cannot use the string "xxxxxxxxxxxxxxxxxxxx…" as int`},
		{name: "bool", in: true, into: new(bool), want: true},
		{name: "nil", in: nil, into: new(int), want: 0},
		{name: "nil pointer", in: nil, into: new(*int), want: (*int)(nil)},
		{name: "pointer", in: int64(4), into: new(*int), want: ptr(4)},
		{name: "list into int", in: []any{}, into: new(int), err: "cannot use a list as int"},
		{name: "map into slice", in: map[string]any{}, into: new([]int), err: "cannot use a map as []int"},
		{name: "slice", in: []any{int64(1), int64(2), int64(3)}, into: new([]int), want: []int{1, 2, 3}},
		{name: "empty slice", in: []any{}, into: new([]string), want: []string{}},
		{name: "element error", in: []any{int64(1), "two"}, into: new([]int), err: `element 1: cannot use the string "two" as int`},
		{name: "array", in: []any{int64(1), int64(2)}, into: new([2]int), want: [2]int{1, 2}},
		{name: "array length", in: []any{int64(1), int64(2), int64(3)}, into: new([2]int), err: "list of 3 for an array of 2"},
		{name: "short array", in: []any{int64(1)}, into: new([2]int), err: "list of 1 for an array of 2"},
		{name: "map", in: map[string]any{"a": int64(1), "b": int64(2)}, into: new(map[string]int), want: map[string]int{"a": 1, "b": 2}},
		{name: "map value error", in: map[string]any{"a": true}, into: new(map[string]int), err: `key "a": cannot use a bool as int`},
		{name: "any", in: []any{int64(1), "x"}, into: new(any), want: []any{int64(1), "x"}},
		{name: "struct by tag, any case", in: map[string]any{"a": int64(1), "BEE": []any{int64(7)}}, into: new(small), want: small{A: 1, B: []uint16{7}}},
		{name: "a key that folds to a longer name", in: map[string]any{"SIZE": int64(3)}, into: new(small), want: small{S: 3}},
		{name: "a name that folds to a shorter key", in: map[string]any{"ſIZE": int64(4)}, into: new(small), want: small{S: 4}},
		{name: "unknown field", in: map[string]any{"c": int64(1)}, into: new(small), err: `no field for key "c" in wire.small`},
		{name: "field error", in: map[string]any{"bee": []any{int64(-7)}}, into: new(small), err: "field B: element 0: -7 overflows uint16"},
		{name: "nested field error", in: map[string]any{"Items": []any{map[string]any{"Qty": "two"}}}, into: new(Order), err: `field Items: element 0: field Qty: cannot use the string "two" as int`},
		{name: "struct from a list", in: []any{}, into: new(small), err: "cannot use a list as wire.small"},
		{name: "struct from a string", in: "s", into: new(small), err: `cannot use the string "s" as wire.small`},
	}
	for _, tt := range tests {
		for _, e := range encodings {
			if tt.only != Unknown && tt.only != e {
				continue
			}
			r := rawData(t, e, tt.in)
			dst := reflect.ValueOf(tt.into).Elem()
			typ, err := TypeFor(dst.Type())
			if err != nil {
				t.Fatalf("%s: TypeFor(%v): %v", tt.name, dst.Type(), err)
			}
			err = typ.Decode(r, dst, Limits{})
			if tt.err != "" {
				var te *TypeError
				if !errors.As(err, &te) || err.Error() != tt.err {
					t.Errorf("%s, %v: got error %v (%T), want the *TypeError %q", tt.name, e, err, err, tt.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s, %v: %v", tt.name, e, err)
				continue
			}
			if got := dst.Interface(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s, %v: got %#v, want %#v", tt.name, e, got, tt.want)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestTypeFor(t *testing.T) {
	type node struct {
		Name string
		Kids []node
	}
	for _, tt := range []struct {
		t  reflect.Type
		ok bool
	}{
		{reflect.TypeFor[node](), true},
		{reflect.TypeFor[map[string][]*node](), true},
		{reflect.TypeFor[chan int](), false},
		{reflect.TypeFor[func()](), false},
		{reflect.TypeFor[map[int]string](), false},
		{reflect.TypeFor[struct{ C complex128 }](), false},
	} {
		_, err := TypeFor(tt.t)
		var ue *UnsupportedTypeError
		if got := err == nil; got != tt.ok || err != nil && !errors.As(err, &ue) {
			t.Errorf("TypeFor(%v): got error %v, want ok %v or an *UnsupportedTypeError", tt.t, err, tt.ok)
		}
	}
	// A recursive type decodes.
	type tree = node
	in := map[string]any{"name": "root", "kids": []any{map[string]any{"name": "leaf", "kids": []any{}}}}
	for _, e := range encodings {
		var got tree
		if err := Unmarshal(rawData(t, e, in), &got); err != nil {
			t.Fatal(err)
		}
		want := tree{Name: "root", Kids: []node{{Name: "leaf", Kids: []node{}}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %#v, want %#v", e, got, want)
		}
	}
}

func TestTypeLimits(t *testing.T) {
	typ, err := TypeFor(reflect.TypeFor[any]())
	if err != nil {
		t.Fatal(err)
	}
	deep, err := TypeFor(reflect.TypeFor[[][][][]int]())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encodings {
		r := rawData(t, e, nested(4, int64(1)))
		var v any
		lim := Limits{MaxDepth: 3}
		if err := typ.Decode(r, reflect.ValueOf(&v).Elem(), lim); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%v: any from 4 nested lists with MaxDepth 3: got %v, want ErrTooDeep", e, err)
		}
		var l [][][][]int
		if err := deep.Decode(r, reflect.ValueOf(&l).Elem(), lim); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%v: [][][][]int from 4 nested lists with MaxDepth 3: got %v, want ErrTooDeep", e, err)
		}
		r = rawData(t, e, []any{int64(1), int64(2), int64(3)})
		var s []int
		if err := TypeMust(t, s).Decode(r, reflect.ValueOf(&s).Elem(), Limits{MaxElements: 2}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v: 3 elements with MaxElements 2: got %v, want ErrTooLarge", e, err)
		}
	}
	// Input after the value, and a value cut short.
	for _, tt := range []struct {
		r    Raw
		into any
	}{
		{Raw{Enc: Binary, B: []byte{0x81, 0x81}}, new(int)},
		{Raw{Enc: JSON, B: []byte("1 2")}, new(int)},
		{Raw{Enc: Binary, B: []byte{0x08, 0x02, 0x81}}, new([]int)},
		{Raw{Enc: JSON, B: []byte("[1, ")}, new([]int)},
		{Raw{Enc: JSON, B: []byte(`{"a": `)}, new(map[string]int)},
		{Raw{Enc: JSON, B: []byte(`"abc`)}, new(string)},
		{Raw{Enc: Binary, B: []byte{0x06, 0x05, 'a'}}, new(string)},
	} {
		var de *DecodeError
		if err := Unmarshal(tt.r, tt.into); !errors.As(err, &de) {
			t.Errorf("%q into %T: got %v, want a *DecodeError", tt.r.B, tt.into, err)
		}
	}
}

// TypeMust returns the Type of v's type.
func TypeMust(t testing.TB, v any) *Type {
	t.Helper()
	typ, err := TypeFor(reflect.TypeOf(v))
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

func TestTypeDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	typ := TypeMust(t, Order{})
	for _, e := range encodings {
		r := rawData(t, e, orderValue())
		var o Order
		dst := reflect.ValueOf(&o).Elem()
		got := testing.AllocsPerRun(100, func() {
			o = Order{}
			if err := typ.Decode(r, dst, Limits{}); err != nil {
				t.Fatal(err)
			}
		})
		// What an Order holds: its strings, cut from one copy of the
		// input, the note's pointer, the Items slice, and the Tags map.
		if want := 5.0; got > want {
			t.Errorf("%v: decoding an Order: %v allocations, want at most %v", e, got, want)
		}
	}
}

// BenchmarkTypedDecode decodes an Order straight from each encoding, and
// with encoding/json from the standard JSON of the same value (as a
// reference, see BenchmarkJSONStdlibOrder).
func BenchmarkTypedDecode(b *testing.B) {
	typ := TypeMust(b, Order{})
	for _, e := range encodings {
		b.Run(e.String(), func(b *testing.B) {
			r := rawData(b, e, orderValue())
			var o Order
			dst := reflect.ValueOf(&o).Elem()
			b.SetBytes(int64(len(r.B)))
			b.ReportAllocs()
			for b.Loop() {
				o = Order{}
				if err := typ.Decode(r, dst, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestShortDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []string{"0.0", "-0.0", "12.5", "1.25", "0.1", "0.3", "9007199254740991.0", "123456.7890123", "0.0000000000000000000001"}
	for range 10000 {
		digits := strconv.FormatUint(r.Uint64N(1<<53), 10)
		at := r.IntN(len(digits) + 1)
		cases = append(cases, digits[:at]+"."+digits[at:]+"0")
	}
	for _, c := range cases {
		if c[0] == '.' {
			c = "0" + c
		}
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := shortDecimal([]byte(c))
		if ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("shortDecimal(%s) = %v, want %v", c, got, want)
		}
	}
	for _, c := range []string{"1e5", "12", "9007199254740993.0", "0.00000000000000000000001"} {
		if _, ok := shortDecimal([]byte(c)); ok {
			t.Errorf("shortDecimal(%s) took a number it cannot parse exactly", c)
		}
	}
}

func TestRawText(t *testing.T) {
	for _, e := range encodings {
		for _, tt := range []struct {
			v    any
			want string
			ok   bool
		}{
			{"multiply", "multiply", true}, {"", "", true}, {"é\"\n", "é\"\n", true},
			{int64(1), "", false}, {nil, "", false}, {[]any{"x"}, "", false}, {[]byte("b"), "", false},
		} {
			if b, isBytes := tt.v.([]byte); isBytes && e == JSON {
				// JSON has no bytes: they travel as base64 text.
				tt.want, tt.ok = base64.StdEncoding.EncodeToString(b), true
			}
			got, ok := rawData(t, e, tt.v).Text()
			if got != tt.want || ok != tt.ok {
				t.Errorf("%v: Text of %#v: got %q, %v, want %q, %v", e, tt.v, got, ok, tt.want, tt.ok)
			}
		}
		r := rawData(t, e, "multiply")
		if n := testing.AllocsPerRun(100, func() { r.Text() }); n != 0 && !raceEnabled {
			t.Errorf("%v: Text allocates %v times, want 0", e, n)
		}
	}
}

// TestShortNumber checks the one-pass number reader against strconv on
// random numbers of every shape, in the JSON around them: what it reads
// it reads exactly and whole; what it leaves, it leaves untouched.
func TestShortNumber(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = '0' + byte(r.IntN(10))
		}
		return string(b)
	}
	cases := []string{"0", "-0", "0.0", "-0.0", "01", "1.", "-", "-.5", ".5", "1e5", "1E5", "1.5e3",
		"999999999999999999", "1000000000000000000", "-999999999999999999", "9007199254740991.0",
		"9007199254740992.0", "12.5", "1.25", "37.5", "0.1", "123456789.123456789"}
	for range 20000 {
		c := digits(1 + r.IntN(20))
		if r.IntN(2) == 0 {
			c += "." + digits(r.IntN(20))
		}
		if r.IntN(8) == 0 {
			c += "e" + digits(1+r.IntN(2))
		}
		if r.IntN(3) == 0 {
			c = "-" + c
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		for _, after := range []string{"", ", ", "]", "}", "x"} {
			d := jsonDecoder{in: []byte(c + after)}
			var x scalar
			if !d.shortNumber(&x) {
				if d.off != 0 {
					t.Errorf("%q: refused, but read to %d", c+after, d.off)
				}
				continue
			}
			if d.off != len(c) {
				t.Errorf("%q: read to %d, want %d", c+after, d.off, len(c))
			}
			switch x.kind {
			case kInt:
				want, err := strconv.ParseInt(c, 10, 64)
				if err != nil || x.int() != want || strings.ContainsAny(c, ".eE") {
					t.Errorf("%q: got int %d, want %d (%v)", c, x.int(), want, err)
				}
			case kFloat:
				want, err := strconv.ParseFloat(c, 64)
				if err != nil || math.Float64bits(x.f) != math.Float64bits(want) || !strings.Contains(c, ".") {
					t.Errorf("%q: got float %v, want %v (%v)", c, x.f, want, err)
				}
			default:
				t.Errorf("%q: got kind %d", c, x.kind)
			}
			if c[0] == '.' || strings.HasPrefix(strings.TrimPrefix(c, "-"), "0") && len(strings.TrimPrefix(c, "-")) > 1 && strings.TrimPrefix(c, "-")[1] != '.' {
				t.Errorf("%q: took a number JSON does not allow", c)
			}
		}
	}
}

// TestDecodeSlices checks lists into slices of every length around the
// growth of a JSON list's backing array, whose length comes at its end,
// and that an empty list gives an empty slice, not nil.
func TestDecodeSlices(t *testing.T) {
	for _, e := range encodings {
		for n := range 20 {
			list := make([]any, n)
			want := make([]Item, n)
			for i := range n {
				list[i] = map[string]any{"SKU": strconv.Itoa(i), "Qty": int64(i)}
				want[i] = Item{SKU: strconv.Itoa(i), Qty: i}
			}
			var got []Item
			if err := Unmarshal(rawData(t, e, list), &got); err != nil {
				t.Fatalf("%v: %d items: %v", e, n, err)
			}
			if got == nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%v: %d items: got %#v, want %#v", e, n, got, want)
			}
		}
	}
}

// TestDecodeFieldsInPlace covers the values a struct's fields take in
// place, in both encodings, beside those that go the general way: escaped
// strings, pointers to strings and to named strings, null, booleans,
// numbers of each kind, and keys that match only ignoring case.
func TestDecodeFieldsInPlace(t *testing.T) {
	type Name string
	type fields struct {
		S   string
		P   *string
		N   *Name
		B   bool
		F   float64
		F32 float32
		I   int
		I8  int8
		U   uint
	}
	str := func(s string) *string { return &s }
	name := func(s Name) *Name { return &s }
	for _, e := range encodings {
		for _, tt := range []struct {
			in   map[string]any
			want fields
		}{
			{map[string]any{"S": "plain", "P": "p", "N": "n", "B": true, "F": 1.5, "F32": 2.5, "I": int64(-3), "I8": int64(7), "U": int64(9)},
				fields{S: "plain", P: str("p"), N: name("n"), B: true, F: 1.5, F32: 2.5, I: -3, I8: 7, U: 9}},
			{map[string]any{"S": "é \"q\"\n", "P": "\t", "N": "", "B": false, "F": int64(2), "I": 1e3},
				fields{S: "é \"q\"\n", P: str("\t"), N: name(""), F: 2, I: 1000}},
			{map[string]any{"s": "folded", "p": nil, "n": nil, "b": true, "f": -0.25, "i": int64(1 << 40)},
				fields{S: "folded", B: true, F: -0.25, I: 1 << 40}},
		} {
			var got fields
			if err := Unmarshal(rawData(t, e, tt.in), &got); err != nil {
				t.Fatalf("%v: %v: %v", e, tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%v: %v: got %+v, want %+v", e, tt.in, got, tt.want)
			}
		}
		var f fields
		for _, tt := range []map[string]any{{"I8": int64(300)}, {"U": int64(-1)}, {"B": "yes"}, {"P": int64(1)}, {"I": 1.5}} {
			var te *TypeError
			if err := Unmarshal(rawData(t, e, tt), &f); !errors.As(err, &te) {
				t.Errorf("%v: %v: got %v, want a *TypeError", e, tt, err)
			}
		}
	}
}
