package wire

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// findSlowly is the index of the field plan.field must return: the field of the exact
// name, else the first whose name equals the key ignoring case.
func findSlowly(key []byte, fields []fieldPlan) int {
	for i, f := range fields {
		if string(key) == f.name {
			return i
		}
	}
	for i, f := range fields {
		if bytes.EqualFold(key, f.bname) {
			return i
		}
	}
	return -1
}

// structPlan is the plan of a struct whose fields have names.
func structPlan(names ...string) *plan {
	p := &plan{op: opStruct, fields: make([]fieldPlan, len(names))}
	for i, n := range names {
		p.fields[i] = fieldPlan{name: n, bname: []byte(n)}
	}
	p.names.index(p.fields)
	return p
}

// fieldIndex is the index of the field p.field finds for key, or -1.
func fieldIndex(p *plan, key []byte) int {
	f := p.field(key)
	for i := range p.fields {
		if f == &p.fields[i] {
			return i
		}
	}
	return -1
}

func TestFieldNames(t *testing.T) {
	for _, tt := range []struct {
		names []string
		key   string
		want  int
	}{
		{[]string{"ID", "Items"}, "ID", 0},
		{[]string{"ID", "Items"}, "items", 1},
		{[]string{"ID", "Items"}, "ITEMS", 1},
		{[]string{"ID", "Items"}, "Item", -1},
		{[]string{"Id", "ID"}, "ID", 1},   // exact beats an earlier fold
		{[]string{"Id", "ID"}, "id", 0},   // else the first fold
		{[]string{"a@", "a`"}, "A`", 1},   // '@' and '`' are not letters
		{[]string{"[", "{"}, "{", 1},      // nor '[' and '{'
		{[]string{"\u212a"}, "k", 0},      // the Kelvin sign
		{[]string{"x", "\u212a"}, "K", 1}, // an ASCII key, a name that is not
		{[]string{"k", "\u212a"}, "K", 0}, // the first that folds
		{[]string{"ſtate"}, "STATE", 0},   // long s
		{[]string{"customer_id"}, "Customer_ID", 0},
		{[]string{"customer_id"}, "customer_i", -1},
		{[]string{"a"}, "a\x00", -1},
		{[]string{"a\x00"}, "a", -1},
		{[]string{""}, "", 0},
		{[]string{"café"}, "CAFÉ", 0},
		{[]string{"exactly8"}, "EXACTLY8", 0},
		{[]string{"exactly8", "exactly9"}, "exactly9", 1},
	} {
		p := structPlan(tt.names...)
		if got := fieldIndex(p, []byte(tt.key)); got != tt.want {
			t.Errorf("names %q, key %q: got field %d, want %d", tt.names, tt.key, got, tt.want)
		}
	}
}

// TestFieldNamesRandom compares plan.field with findSlowly on random names and
// keys of letters that fold in special ways.
func TestFieldNamesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "k", "K", "s", "S", "z", "Z", "@", "[", "`", "{", "0", "\x00", "\u212a", "ſ", "é", "É", "_"}
	name := func() string {
		var b []byte
		for range r.IntN(11) {
			b = append(b, alphabet[r.IntN(len(alphabet))]...)
		}
		return string(b)
	}
	for range 20000 {
		names := make([]string, 1+r.IntN(6))
		for i := range names {
			names[i] = name()
		}
		p := structPlan(names...)
		for range 4 {
			key := []byte(name())
			if r.IntN(2) == 0 {
				key = bytes.ToUpper([]byte(names[r.IntN(len(names))]))
			}
			if got, want := fieldIndex(p, key), findSlowly(key, p.fields); got != want {
				t.Fatalf("names %q, key %q: got field %d, want %d", names, key, got, want)
			}
		}
	}
}
