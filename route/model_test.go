package route

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// model is the reference a Tree is checked against: a map, looked up once
// per prefix of the path.
type model map[string]int

func (m model) match(path string) []int {
	var hs []int
	for p := range Prefixes(path) {
		if h, ok := m[p]; ok {
			hs = append(hs, h)
		}
	}
	return hs
}

// dump renders the tree below n, to compare versions of it.
func dump(n *node[int]) string {
	var b strings.Builder
	var walk func(n *node[int])
	walk = func(n *node[int]) {
		b.WriteString(n.prefix)
		b.WriteByte(0)
		b.WriteString(n.indices)
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(n.value))
		b.WriteString(strconv.FormatBool(n.set))
		b.WriteByte('{')
		for _, c := range n.children {
			walk(c)
		}
		b.WriteByte('}')
	}
	if n != nil {
		walk(n)
	}
	return b.String()
}

// randomPath returns a path of one to five segments from a small alphabet,
// so that paths collide, nest and share byte prefixes often. With odd set,
// segments may be empty.
func randomPath(r *rand.Rand, odd bool) string {
	segs := []string{"a", "b", "ab", "abc", "ba", "b.a", "日", "日本"}
	if odd {
		segs = append(segs, "", "")
	}
	var b strings.Builder
	for i := range 1 + r.IntN(5) {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(segs[r.IntN(len(segs))])
	}
	return b.String()
}

func TestTreeModel(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 1))
		var tr Tree[int]
		m := model{}
		for i := range 1000 {
			path := randomPath(r, r.IntN(4) == 0)
			valid := Check(path) == nil
			_, exists := m[path]
			old := tr.root.Load()
			oldDump := dump(old)
			switch op := r.IntN(8); op {
			case 0, 1:
				err := tr.Add(path, i)
				switch {
				case !valid:
					if !errors.Is(err, ErrInvalid) {
						t.Fatalf("seed %d: Add(%q) = %v, want %v", seed, path, err, ErrInvalid)
					}
				case exists:
					if !errors.Is(err, ErrExists) {
						t.Fatalf("seed %d: Add(%q) = %v, want %v", seed, path, err, ErrExists)
					}
				case err != nil:
					t.Fatalf("seed %d: Add(%q) = %v, want nil", seed, path, err)
				default:
					m[path] = i
				}
			case 2:
				if err := tr.Set(path, i); (err == nil) != valid {
					t.Fatalf("seed %d: Set(%q) = %v, want error: %v", seed, path, err, !valid)
				}
				if valid {
					m[path] = i
				}
			case 3, 4:
				if got := tr.Remove(path); got != exists {
					t.Fatalf("seed %d: Remove(%q) = %v, want %v", seed, path, got, exists)
				}
				delete(m, path)
			default:
				// Lookups only.
			}
			if got := dump(old); got != oldDump {
				t.Fatalf("seed %d, op %d: a write changed the published tree\n%s\nbecame\n%s", seed, i, oldDump, got)
			}
			if got, want := tr.Match(path, nil), m.match(path); !slices.Equal(got, want) {
				t.Fatalf("seed %d, op %d: Match(%q) = %v, want %v", seed, i, path, got, want)
			}
			got, ok := tr.Get(path)
			if want, wantOK := m[path]; got != want || ok != wantOK {
				t.Fatalf("seed %d, op %d: Get(%q) = %d, %v, want %d, %v", seed, i, path, got, ok, want, wantOK)
			}
			if tr.Len() != len(m) {
				t.Fatalf("seed %d, op %d: Len() = %d, want %d", seed, i, tr.Len(), len(m))
			}
			if n := checkNodes(t, tr.root.Load()); n != len(m) || t.Failed() {
				t.Fatalf("seed %d, op %d: %d values in the tree, want %d", seed, i, n, len(m))
			}
		}
		for p, want := range m {
			if got := tr.Match(p, nil); len(got) == 0 || got[len(got)-1] != want {
				t.Fatalf("seed %d: Match(%q) = %v, want it to end with %d", seed, p, got, want)
			}
		}
	}
}
