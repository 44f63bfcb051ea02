package fuzz

import (
	"slices"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn/route"
)

// FuzzRouteTree reads its input as a program of operations on a
// route.Tree and on a map that serves as the model, and checks after every
// operation that both agree. Each operation is one byte: the top two bits
// pick add, set, remove or a lookup alone, the low two bits the number of
// segments less one; the segments follow, one byte each, drawn from a small
// alphabet that includes the empty segment, so that paths nest, share
// bytes and are sometimes invalid.
func FuzzRouteTree(f *testing.F) {
	f.Add([]byte{})
	// add a, add a.b, remove b, look up a.b
	f.Add([]byte{0x00, 0, 0x01, 0, 1, 0x80, 1, 0xc1, 0, 1})
	// add a.b and a.ab, splitting "a.", remove a.b, merging again
	f.Add([]byte{0x01, 0, 1, 0x01, 0, 2, 0x81, 0, 1, 0xc2, 0, 2, 3})
	// add "" and "a." (invalid), add a twice
	f.Add([]byte{0x00, 6, 0x01, 0, 6, 0x00, 0, 0x00, 0})
	// add aa.aa.aa.aa, replace it, add aa, remove aa.aa.aa.aa
	f.Add([]byte{0x03, 5, 5, 5, 5, 0x43, 5, 5, 5, 5, 0x00, 5, 0x83, 5, 5, 5, 5})
	f.Fuzz(func(t *testing.T, prog []byte) {
		segs := []string{"a", "b", "ab", "ba", "abc", "aa", "", "日本"}
		var tr route.Tree[int]
		m := map[string]int{}
		removed := map[string]bool{}
		for pc := 0; pc < len(prog); {
			op := prog[pc]
			pc++
			n := 1 + int(op&3)
			var parts []string
			for ; n > 0 && pc < len(prog); n-- {
				parts = append(parts, segs[prog[pc]%byte(len(segs))])
				pc++
			}
			path := strings.Join(parts, ".")
			valid := route.Check(path) == nil
			_, exists := m[path]
			switch op >> 6 {
			case 0:
				err := tr.Add(path, pc)
				if (err == nil) != (valid && !exists) {
					t.Fatalf("Add(%q) = %v; valid: %v, registered: %v", path, err, valid, exists)
				}
				if err == nil {
					m[path] = pc
					delete(removed, path)
				}
			case 1:
				if err := tr.Set(path, pc); (err == nil) != valid {
					t.Fatalf("Set(%q) = %v; valid: %v", path, err, valid)
				}
				if valid {
					m[path] = pc
					delete(removed, path)
				}
			case 2:
				if got := tr.Remove(path); got != exists {
					t.Fatalf("Remove(%q) = %v, want %v", path, got, exists)
				}
				if exists {
					delete(m, path)
					removed[path] = true
				}
			}
			var want []int
			for p := range route.Prefixes(path) {
				if h, ok := m[p]; ok {
					want = append(want, h)
				}
			}
			if got := tr.Match(path, nil); !slices.Equal(got, want) {
				t.Fatalf("Match(%q) = %v, want %v", path, got, want)
			}
			if tr.Len() != len(m) {
				t.Fatalf("Len() = %d, want %d", tr.Len(), len(m))
			}
		}
		for p, want := range m {
			if got, ok := tr.Get(p); !ok || got != want {
				t.Fatalf("Get(%q) = %d, %v, want %d, true", p, got, ok, want)
			}
			if got := tr.Match(p, nil); len(got) == 0 || got[len(got)-1] != want {
				t.Fatalf("Match(%q) = %v, want it to end with %d", p, got, want)
			}
		}
		for p := range removed {
			if _, ok := tr.Get(p); ok {
				t.Fatalf("Get(%q) found a removed path", p)
			}
		}
	})
}

// FuzzRouteMatch registers each line of routes that passes route.Check and
// looks up path, which may be any string. What comes back must be exactly
// the registered routes that route.Match path, shortest first.
func FuzzRouteMatch(f *testing.F) {
	f.Add("person\naddress\naddress.usa\naddressbook", "address.usa.ny")
	f.Add("address", "addressbook")
	f.Add("a.b\na.bc\na.bc.d", "a.bc.d.e")
	f.Add("a\na.b", "a..b")
	f.Add("a\n.a\na.\n\na..b", ".a.")
	f.Add("日本\n日本.東京", "日本.東京.渋谷")
	f.Add("a", "\xff.a")
	f.Fuzz(func(t *testing.T, routes, path string) {
		var tr route.Tree[string]
		var added []string
		seen := map[string]bool{}
		for r := range strings.SplitSeq(routes, "\n") {
			err := tr.Add(r, r)
			if valid := route.Check(r) == nil; valid && !seen[r] {
				if err != nil {
					t.Fatalf("Add(%q) = %v, want nil", r, err)
				}
				added = append(added, r)
				seen[r] = true
			} else if err == nil {
				t.Fatalf("Add(%q) = nil, want an error", r)
			}
		}
		var want []string
		for _, r := range added {
			if route.Match(r, path) {
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(a, b string) int { return len(a) - len(b) })

		var got []string
		for p, h := range tr.Ancestors(path) {
			if p != h {
				t.Fatalf("Ancestors(%q) yielded prefix %q with the value of %q", path, p, h)
			}
			rest, ok := route.Tail(p, path)
			if !ok || p != path && p+"."+rest != path {
				t.Fatalf("Tail(%q, %q) = %q, %v for a yielded prefix", p, path, rest, ok)
			}
			got = append(got, p)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Ancestors(%q) = %q, want %q", path, got, want)
		}
		if m := tr.Match(path, nil); !slices.Equal(m, want) {
			t.Fatalf("Match(%q) = %q, want %q", path, m, want)
		}
		if h, ok := tr.Get(path); ok != seen[path] || ok && h != path {
			t.Fatalf("Get(%q) = %q, %v", path, h, ok)
		}
	})
}

// FuzzRouteJoin checks that Join keeps exactly the non-empty segments of its
// parts, in order, so that the result is empty or valid and joining again
// changes nothing; and that Check accepts exactly what Join leaves alone.
func FuzzRouteJoin(f *testing.F) {
	f.Add("a", "b", "c")
	f.Add(".a.", ".b", "c.")
	f.Add("", "", "")
	f.Add("a..b", "...", ".")
	f.Add("日本", ".東京.", "\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		j := route.Join(a, b, c)
		if j != "" && route.Check(j) != nil {
			t.Fatalf("Join(%q, %q, %q) = %q: %v", a, b, c, j, route.Check(j))
		}
		if got := route.Join(j); got != j {
			t.Fatalf("Join(%q) = %q, want it unchanged", j, got)
		}
		if got := route.Join(route.Join(a, b), c); got != j {
			t.Fatalf("Join(Join(%q, %q), %q) = %q, want %q", a, b, c, got, j)
		}
		var segs []string
		for _, p := range []string{a, b, c} {
			for s := range strings.SplitSeq(p, ".") {
				if s != "" {
					segs = append(segs, s)
				}
			}
		}
		if want := strings.Join(segs, "."); j != want {
			t.Fatalf("Join(%q, %q, %q) = %q, want %q", a, b, c, j, want)
		}
		if valid := route.Check(a) == nil; valid != (a != "" && route.Join(a) == a) {
			t.Fatalf("Check(%q) valid: %v, but Join(%q) = %q", a, valid, a, route.Join(a))
		}
	})
}
