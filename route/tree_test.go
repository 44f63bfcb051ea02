package route

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// checkNodes verifies the invariants documented on node for the tree below
// root and returns the number of values in it.
func checkNodes[H any](t *testing.T, root *node[H]) int {
	t.Helper()
	if root == nil {
		return 0
	}
	if root.prefix != "" || root.set {
		t.Errorf("root = {prefix: %q, set: %v}, want empty prefix and no value", root.prefix, root.set)
	}
	var count func(n *node[H], path string) int
	count = func(n *node[H], path string) int {
		values := 0
		if n.set {
			values++
		}
		if len(n.indices) != len(n.children) {
			t.Errorf("node %q: %d indices, %d children", path, len(n.indices), len(n.children))
			return values
		}
		for i, c := range n.children {
			p := path + c.prefix
			switch {
			case c.prefix == "":
				t.Errorf("node %q: child %d has an empty prefix", path, i)
				continue
			case n.indices[i] != c.prefix[0]:
				t.Errorf("node %q: index %q for child %q", p, n.indices[i], c.prefix)
			case !c.set && len(c.children) < 2:
				t.Errorf("node %q: no value and %d children", p, len(c.children))
			}
			if j := strings.IndexByte(n.indices, n.indices[i]); j != i {
				t.Errorf("node %q: children %d and %d share first byte %q", path, j, i, n.indices[i])
			}
			values += count(c, p)
		}
		return values
	}
	return count(root, "")
}

var guide = []string{
	"person",
	"address",
	"address.usa",
	"address.usa.ny",
	"addressbook",
	"a.b",
	"a.bc",
	"a.bc.d",
	"deep",
	"deep.1.2",
	"deep.1.2.3.4.5.6.7",
	"日本",
	"日本.東京",
}

// newTree returns a tree that stores every path as its own value.
func newTree(t *testing.T, paths ...string) *Tree[string] {
	t.Helper()
	tr := new(Tree[string])
	for _, p := range paths {
		if err := tr.Add(p, p); err != nil {
			t.Fatalf("Add(%q) = %v, want nil", p, err)
		}
	}
	checkNodes(t, tr.root.Load())
	return tr
}

func TestTreeMatch(t *testing.T) {
	tr := newTree(t, guide...)
	tests := []struct {
		path string
		want []string
	}{
		{"person", []string{"person"}},
		{"address", []string{"address"}},
		{"address.usa", []string{"address", "address.usa"}},
		{"address.usa.ny", []string{"address", "address.usa", "address.usa.ny"}},
		{"address.usa.ny.nyc", []string{"address", "address.usa", "address.usa.ny"}},
		{"address.uk", []string{"address"}},
		{"address.usa.nj", []string{"address", "address.usa"}},
		{"addressbook", []string{"addressbook"}},
		{"addressbook.x", []string{"addressbook"}},
		{"addressbooks", nil},
		{"addres", nil},
		{"addr", nil},
		{"persona", nil},
		{"a", nil},
		{"a.b", []string{"a.b"}},
		{"a.b.c", []string{"a.b"}},
		{"a.bc", []string{"a.bc"}},
		{"a.bcd", nil},
		{"a.bc.d", []string{"a.bc", "a.bc.d"}},
		{"a.bc.de", []string{"a.bc"}},
		{"a.bc.d.e", []string{"a.bc", "a.bc.d"}},
		{"deep.1.2.3.4.5.6.7.8.9", []string{"deep", "deep.1.2", "deep.1.2.3.4.5.6.7"}},
		{"deep.1.2.3.4.5.6", []string{"deep", "deep.1.2"}},
		{"deep.1", []string{"deep"}},
		{"日本.東京.渋谷", []string{"日本", "日本.東京"}},
		{"日本.大阪", []string{"日本"}},
		{"日", nil},
		{"zzz", nil},
		// Odd paths: segments are compared literally.
		{"", nil},
		{".", nil},
		{".address", nil},
		{"address.", []string{"address"}},
		{"address..usa", []string{"address"}},
		{"address.usa.", []string{"address", "address.usa"}},
		{"a..b", nil},
		{"\xff", nil},
	}
	for _, tt := range tests {
		if got := tr.Match(tt.path, nil); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", tt.path, got, tt.want)
		}
		var prefixes, values []string
		for p, v := range tr.Ancestors(tt.path) {
			prefixes = append(prefixes, p)
			values = append(values, v)
		}
		if !slices.Equal(prefixes, tt.want) || !slices.Equal(values, tt.want) {
			t.Errorf("Ancestors(%q) = %q, %q, want %q for both", tt.path, prefixes, values, tt.want)
		}
		got, ok := tr.Get(tt.path)
		want := slices.Contains(guide, tt.path)
		if ok != want || ok && got != tt.path {
			t.Errorf("Get(%q) = %q, %v, want %v", tt.path, got, ok, want)
		}
	}
}

func TestTreeMatchAppends(t *testing.T) {
	tr := newTree(t, "a", "a.b")
	got := tr.Match("a.b.c", []string{"x"})
	if want := []string{"x", "a", "a.b"}; !slices.Equal(got, want) {
		t.Errorf("Match(%q, [x]) = %q, want %q", "a.b.c", got, want)
	}
}

func TestTreeAncestorsStop(t *testing.T) {
	tr := newTree(t, guide...)
	var got []string
	for p := range tr.Ancestors("address.usa.ny") {
		got = append(got, p)
		if len(got) == 2 {
			break
		}
	}
	if want := []string{"address", "address.usa"}; !slices.Equal(got, want) {
		t.Errorf("Ancestors(%q) with break = %q, want %q", "address.usa.ny", got, want)
	}
}

func TestTreeAddErrors(t *testing.T) {
	tr := newTree(t, guide...)
	tests := []struct {
		path string
		want error
	}{
		{"", ErrInvalid},
		{".", ErrInvalid},
		{".a", ErrInvalid},
		{"a.", ErrInvalid},
		{"a..b", ErrInvalid},
		{"address", ErrExists},
		{"address.usa", ErrExists},
		{"日本.東京", ErrExists},
	}
	for _, tt := range tests {
		err := tr.Add(tt.path, "new")
		var pe *PathError
		if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.Path != tt.path {
			t.Errorf("Add(%q) = %v, want a *PathError for %q wrapping %v", tt.path, err, tt.path, tt.want)
		}
		if tt.want != ErrInvalid {
			continue
		}
		if err := tr.Set(tt.path, "new"); !errors.Is(err, ErrInvalid) {
			t.Errorf("Set(%q) = %v, want %v", tt.path, err, ErrInvalid)
		}
	}
	if got, want := tr.Len(), len(guide); got != want {
		t.Errorf("Len() = %d after failed adds, want %d", got, want)
	}
	if got, _ := tr.Get("address"); got != "address" {
		t.Errorf("Get(%q) = %q after a duplicate Add, want %q", "address", got, "address")
	}
	// Internal nodes that hold no value are free to take one.
	for _, p := range []string{"a", "addr", "a.b.c"} {
		if err := tr.Add(p, p); err != nil {
			t.Errorf("Add(%q) = %v, want nil", p, err)
		}
	}
	checkNodes(t, tr.root.Load())
}

func TestTreeRemove(t *testing.T) {
	tr := newTree(t, guide...)
	steps := []struct {
		remove string
		ok     bool
		path   string
		want   []string
	}{
		{"address.usa", true, "address.usa.ny", []string{"address", "address.usa.ny"}},
		{"address.usa", false, "address.usa.ny", []string{"address", "address.usa.ny"}},
		{"address", true, "address.usa.ny", []string{"address.usa.ny"}},
		{"addr", false, "addressbook", []string{"addressbook"}},
		{"a", false, "a.bc.d", []string{"a.bc", "a.bc.d"}},
		{"", false, "a.b", []string{"a.b"}},
		{"a..b", false, "a.b", []string{"a.b"}},
		{"a.bc", true, "a.bc.d", []string{"a.bc.d"}},
		{"a.b", true, "a.b.c", nil},
		{"a.bc.d", true, "a.bc.d", nil},
		{"address.usa.ny", true, "address.usa.ny", nil},
		{"addressbook", true, "addressbook", nil},
		{"deep.1.2", true, "deep.1.2.3.4.5.6.7", []string{"deep", "deep.1.2.3.4.5.6.7"}},
		{"日本", true, "日本.東京", []string{"日本.東京"}},
	}
	n := tr.Len()
	for _, s := range steps {
		if ok := tr.Remove(s.remove); ok != s.ok {
			t.Errorf("Remove(%q) = %v, want %v", s.remove, ok, s.ok)
		}
		if s.ok {
			n--
		}
		if got := tr.Match(s.path, nil); !slices.Equal(got, s.want) {
			t.Errorf("after Remove(%q): Match(%q) = %q, want %q", s.remove, s.path, got, s.want)
		}
		if _, ok := tr.Get(s.remove); ok {
			t.Errorf("after Remove(%q): Get(%q) found it", s.remove, s.remove)
		}
		if got := tr.Len(); got != n {
			t.Errorf("after Remove(%q): Len() = %d, want %d", s.remove, got, n)
		}
		if got := checkNodes(t, tr.root.Load()); got != n {
			t.Errorf("after Remove(%q): %d values in the tree, want %d", s.remove, got, n)
		}
	}
	for _, p := range []string{"person", "deep", "deep.1.2.3.4.5.6.7", "日本.東京"} {
		tr.Remove(p)
	}
	if tr.Len() != 0 || tr.root.Load() != nil {
		t.Errorf("after removing everything: Len() = %d, root = %v, want 0 and nil", tr.Len(), tr.root.Load())
	}
}

func TestTreeZero(t *testing.T) {
	var tr Tree[int]
	if got := tr.Match("a", nil); got != nil {
		t.Errorf("Match on an empty tree = %v, want nil", got)
	}
	if _, ok := tr.Get("a"); ok {
		t.Errorf("Get on an empty tree found a value")
	}
	if tr.Remove("a") {
		t.Errorf("Remove on an empty tree = true, want false")
	}
	for range tr.Ancestors("a") {
		t.Errorf("Ancestors on an empty tree yielded a value")
	}
	if tr.Len() != 0 {
		t.Errorf("Len() = %d, want 0", tr.Len())
	}
}

func TestTreeSetUpdate(t *testing.T) {
	var tr Tree[[]string]
	on := func(path, h string) {
		t.Helper()
		err := tr.Update(path, func(hs []string, _ bool) ([]string, bool) {
			return append(hs[:len(hs):len(hs)], h), true
		})
		if err != nil {
			t.Fatalf("Update(%q) = %v", path, err)
		}
	}
	off := func(path, h string) {
		t.Helper()
		err := tr.Update(path, func(hs []string, _ bool) ([]string, bool) {
			hs = slices.DeleteFunc(slices.Clone(hs), func(s string) bool { return s == h })
			return hs, len(hs) > 0
		})
		if err != nil {
			t.Fatalf("Update(%q) = %v", path, err)
		}
	}
	on("a", "h1")
	on("a", "h2")
	on("a.b", "h3")
	before := tr.Match("a.b", nil)
	on("a", "h4")
	if want := [][]string{{"h1", "h2"}, {"h3"}}; !slices.EqualFunc(before, want, slices.Equal) {
		t.Errorf("Match(%q) = %q, changed by a later Update, want %q", "a.b", before, want)
	}
	off("a", "h2")
	if got, want := tr.Match("a.b", nil), [][]string{{"h1", "h4"}, {"h3"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Match(%q) = %q, want %q", "a.b", got, want)
	}
	off("a.b", "h3")
	if _, ok := tr.Get("a.b"); ok || tr.Len() != 1 {
		t.Errorf("Update dropping the last value: Get found it = %v, Len() = %d, want false, 1", ok, tr.Len())
	}
	off("x", "h1") // nothing there, nothing kept
	if err := tr.Set("a", nil); err != nil || tr.Len() != 1 {
		t.Errorf("Set(%q) = %v, Len() = %d, want nil, 1", "a", err, tr.Len())
	}
	if err := tr.Update("a..b", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Update(%q) = %v, want %v", "a..b", err, ErrInvalid)
	}
	checkNodes(t, tr.root.Load())
}

func TestTreeAllocs(t *testing.T) {
	tr := newTree(t, guide...)
	dst := make([]string, 0, 8)
	tests := []struct {
		name string
		f    func()
	}{
		{"Match", func() { dst = tr.Match("address.usa.ny.nyc", dst[:0]) }},
		{"Get", func() { tr.Get("address.usa.ny") }},
		{"Ancestors", func() {
			for p := range tr.Ancestors("deep.1.2.3.4.5.6.7") {
				_ = p
			}
		}},
		{"Prefixes", func() {
			for p := range Prefixes("a.b.c") {
				_ = p
			}
		}},
		{"Join", func() { Join("a.b.c") }},
		{"Check", func() { _ = Check("a.b.c") }},
	}
	for _, tt := range tests {
		if raceEnabled && tt.name == "Ancestors" {
			continue
		}
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, got)
		}
	}
}
