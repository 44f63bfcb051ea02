package route

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestTreeConcurrent runs readers against writers; run it with -race.
// Routes under "stable" are never removed, so every reader must find them,
// in order, whatever the writers do to their neighbours.
func TestTreeConcurrent(t *testing.T) {
	var tr Tree[string]
	stable := []string{"stable", "stable.x", "stable.x.y.z"}
	for _, p := range stable {
		if err := tr.Add(p, p); err != nil {
			t.Fatal(err)
		}
	}
	const writers, readers, rounds = 2, 2, 2000
	var wg, writing sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		writing.Go(func() {
			for i := range rounds {
				// Paths that split and merge the nodes of the stable routes.
				p := fmt.Sprintf("stable.x%d.y%d", w, i%7)
				q := fmt.Sprintf("stable.x.y.z%d", i%5)
				if err := tr.Set(p, p); err != nil {
					t.Error(err)
				}
				tr.Add(q, q) // may exist already
				tr.Add("stable.x.y", "stable.x.y")
				tr.Remove(p)
				tr.Remove(q)
				tr.Remove("stable.x.y")
			}
		})
	}
	for range readers {
		wg.Go(func() {
			dst := make([]string, 0, 8)
			for {
				select {
				case <-done:
					return
				default:
				}
				dst = tr.Match("stable.x.y.z.w", dst[:0])
				got := slices.DeleteFunc(slices.Clone(dst), func(s string) bool { return s == "stable.x.y" })
				if !slices.Equal(got, stable) {
					t.Errorf("Match(%q) = %q, want %q with or without %q", "stable.x.y.z.w", dst, stable, "stable.x.y")
					return
				}
				for _, p := range stable {
					if h, ok := tr.Get(p); !ok || h != p {
						t.Errorf("Get(%q) = %q, %v, want %q, true", p, h, ok, p)
						return
					}
				}
				for p, h := range tr.Ancestors("stable.x1.y3") {
					if p != h || !Match(p, "stable.x1.y3") {
						t.Errorf("Ancestors(%q) yielded %q, %q", "stable.x1.y3", p, h)
						return
					}
				}
			}
		})
	}
	writing.Wait()
	close(done)
	wg.Wait()
	if got, want := tr.Len(), len(stable); got != want {
		t.Errorf("Len() = %d after the writers are done, want %d", got, want)
	}
	checkNodes(t, tr.root.Load())
}
