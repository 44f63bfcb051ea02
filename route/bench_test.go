package route_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn/route"
)

// benchRoutes returns 10,000 distinct hierarchical routes, such as
// "orders.eu.call.n17", and three paths of 1, 4 and 8 segments whose every
// prefix is among the routes, so that Match reports one value per segment.
func benchRoutes() (routes []string, paths []string) {
	levels := [][]string{
		{"orders", "users", "billing", "inventory", "shipping", "auth", "search", "catalog",
			"payments", "notify", "metrics", "audit", "comm", "address", "person", "engineer"},
		{"eu", "us", "asia", "call", "event", "widgets", "profile", "invoice", "cart", "item", "response"},
		{"call", "create", "update", "delete", "list", "get", "status", "sync"},
	}
	r := rand.New(rand.NewPCG(1, 2))
	segment := func(level int) string {
		if level < len(levels) {
			return levels[level][r.IntN(len(levels[level]))]
		}
		return fmt.Sprintf("n%d", r.IntN(40))
	}
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			routes = append(routes, p)
		}
	}

	deep := "orders.eu.call.n1.n2.n3.n4.n5"
	for p := range route.Prefixes(deep) {
		add(p)
	}
	for len(routes) < 10000 {
		segs := make([]string, 1+r.IntN(8))
		for i := range segs {
			segs[i] = segment(i)
		}
		add(strings.Join(segs, "."))
	}
	return routes, []string{"orders", "orders.eu.call.n1", deep}
}

// matchMap is the baseline: one map lookup per prefix of path.
func matchMap(m map[string]int, path string, dst []int) []int {
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			if h, ok := m[path[:i]]; ok {
				dst = append(dst, h)
			}
		}
	}
	if h, ok := m[path]; ok {
		dst = append(dst, h)
	}
	return dst
}

func BenchmarkMatch(b *testing.B) {
	routes, paths := benchRoutes()
	var t route.Tree[int]
	m := make(map[string]int, len(routes))
	for i, p := range routes {
		if err := t.Add(p, i); err != nil {
			b.Fatal(err)
		}
		m[p] = i
	}
	for _, path := range paths {
		n := strings.Count(path, ".") + 1
		if got, want := t.Match(path, nil), matchMap(m, path, nil); !slices.Equal(got, want) || len(got) != n {
			b.Fatalf("Match(%q) = %v, map walk = %v, want %d values from both", path, got, want, n)
		}
		dst := make([]int, 0, 8)
		b.Run(fmt.Sprintf("segments=%d/tree", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = t.Match(path, dst[:0])
			}
		})
		b.Run(fmt.Sprintf("segments=%d/map", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = matchMap(m, path, dst[:0])
			}
		})
	}
}

// BenchmarkSet measures a copy-on-write replacement in the same tree.
func BenchmarkSet(b *testing.B) {
	routes, paths := benchRoutes()
	var t route.Tree[int]
	for i, p := range routes {
		t.Add(p, i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.Set(paths[2], i)
	}
}
