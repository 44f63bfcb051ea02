package route

import (
	"iter"
	"sync"
	"sync/atomic"
)

// Tree maps paths to values of type H and finds, for any path, the values
// of the path and its ancestors. The zero value is an empty tree ready to
// use. A Tree must not be copied after first use.
//
// Lookups never block and allocate nothing; writes copy the nodes they
// change and are serialized. See the package documentation for the rules.
type Tree[H any] struct {
	mu   sync.Mutex // held by writers
	root atomic.Pointer[node[H]]
	n    atomic.Int64
}

// Add stores h at path. It fails with a [*PathError] wrapping [ErrInvalid]
// if path does not pass [Check], or [ErrExists] if path already has a value.
func (t *Tree[H]) Add(path string, h H) error {
	if err := Check(path); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	root := t.root.Load()
	if _, ok := root.get(path); ok {
		return &PathError{Path: path, Err: ErrExists}
	}
	t.root.Store(root.insert(path, h))
	t.n.Add(1)
	return nil
}

// Set stores h at path, replacing any value there. It fails only if path
// does not pass [Check].
func (t *Tree[H]) Set(path string, h H) error {
	return t.Update(path, func(H, bool) (H, bool) { return h, true })
}

// Update replaces the value at path with the result of f, atomically with
// respect to other writes. f receives the current value and whether there
// is one, and returns the new value and whether to keep it; not keeping it
// removes path. This suits values that are themselves copied on write,
// such as a slice of handlers that f extends or filters.
//
// f runs with the write lock held: it may read the tree but must not write
// to it. Update fails only if path does not pass [Check].
func (t *Tree[H]) Update(path string, f func(h H, ok bool) (H, bool)) error {
	if err := Check(path); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	root := t.root.Load()
	old, ok := root.get(path)
	h, keep := f(old, ok)
	switch {
	case keep:
		t.root.Store(root.insert(path, h))
		if !ok {
			t.n.Add(1)
		}
	case ok:
		t.root.Store(root.remove(path))
		t.n.Add(-1)
	}
	return nil
}

// Remove deletes the value at path and reports whether there was one.
func (t *Tree[H]) Remove(path string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	root := t.root.Load()
	if _, ok := root.get(path); !ok {
		return false
	}
	t.root.Store(root.remove(path))
	t.n.Add(-1)
	return true
}

// Get returns the value stored at exactly path.
func (t *Tree[H]) Get(path string) (H, bool) {
	return t.root.Load().get(path)
}

// Match appends to dst the values of every route that is path or an
// ancestor of it, shortest first, and returns the extended slice. It
// allocates only to grow dst.
func (t *Tree[H]) Match(path string, dst []H) []H {
	return t.root.Load().match(path, dst)
}

// Ancestors yields the same routes as [Tree.Match], each with the prefix of
// path it is registered for. The prefixes are substrings of path. The
// sequence walks the version of the tree that was current when Ancestors
// was called.
func (t *Tree[H]) Ancestors(path string) iter.Seq2[string, H] {
	root := t.root.Load()
	return func(yield func(string, H) bool) { root.walk(path, yield) }
}

// Len returns the number of paths with a value. It takes no lock; while a
// write is under way it may report the count from before that write.
func (t *Tree[H]) Len() int {
	return int(t.n.Load())
}
