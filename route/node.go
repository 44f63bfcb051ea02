package route

import (
	"slices"
	"strings"
)

// A node is one vertex of a radix tree over the bytes of paths. The path of
// a node is the concatenation of the prefixes from the root down to it; the
// root's prefix is empty and the root never holds a value, since no valid
// path is empty.
//
// Nodes are split at any byte, not only at dots, so "a.b" and "a.bc" share
// the node "a.b". Segment boundaries are honoured by lookups instead: a node
// counts as an ancestor of a path only where the path ends or continues
// with a dot.
//
// Published nodes are immutable. Writers copy every node they change, along
// with its children slice, and leave the old version intact for readers.
//
// Every node other than the root has a non-empty prefix and holds a value
// or has at least two children; indices[i] is the first byte of
// children[i].prefix, and no two children share a first byte.
type node[H any] struct {
	prefix   string
	indices  string
	children []*node[H]
	value    H
	set      bool
}

// clone returns a copy of n that may be modified, children slice included.
func (n *node[H]) clone() *node[H] {
	c := *n
	c.children = append([]*node[H](nil), n.children...)
	return &c
}

// step returns the child of n whose prefix begins rest, the part of a
// path below n, or nil if there is none. It is small enough for the
// compiler to inline into the lookup loops, which roughly halves their
// cost; keep it that way.
func (n *node[H]) step(rest string) *node[H] {
	if rest != "" {
		for k := range len(n.indices) {
			if n.indices[k] == rest[0] {
				if c := n.children[k]; hasPrefix(rest, c.prefix) {
					return c
				}
				break
			}
		}
	}
	return nil
}

// hasPrefix is strings.HasPrefix for a prefix whose first byte is known to
// match; on the short prefixes of a radix tree a loop beats a call to
// compare memory.
func hasPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for k := 1; k < len(prefix); k++ {
		if s[k] != prefix[k] {
			return false
		}
	}
	return true
}

// The lookups below descend from the root n with step, i counting the
// bytes of path matched so far. A node is an ancestor of path, segment-wise,
// where path ends or continues with a dot.

// get returns the value stored at exactly path.
func (n *node[H]) get(path string) (h H, ok bool) {
	for i := 0; n != nil; n = n.step(path[i:]) {
		i += len(n.prefix)
		if i == len(path) {
			return n.value, n.set
		}
	}
	return h, false
}

// match appends to dst the value of every node whose path is path itself
// or one of its ancestors, shortest first.
func (n *node[H]) match(path string, dst []H) []H {
	for i := 0; n != nil; n = n.step(path[i:]) {
		i += len(n.prefix)
		if n.set && (i == len(path) || path[i] == '.') {
			dst = append(dst, n.value)
		}
	}
	return dst
}

// walk is match with a callback: it calls yield with each value and the
// prefix of path it is stored at, until yield returns false.
func (n *node[H]) walk(path string, yield func(prefix string, h H) bool) {
	for i := 0; n != nil; n = n.step(path[i:]) {
		i += len(n.prefix)
		if n.set && (i == len(path) || path[i] == '.') && !yield(path[:i], n.value) {
			return
		}
	}
}

// insert returns a new version of the tree rooted at n, which may be nil,
// with h stored at path, a non-empty string.
func (n *node[H]) insert(path string, h H) *node[H] {
	root := &node[H]{}
	if n != nil {
		root = n.clone()
	}
	cur := root
	for path != "" {
		i := strings.IndexByte(cur.indices, path[0])
		if i < 0 {
			cur.indices += path[:1]
			cur.children = append(cur.children, &node[H]{prefix: path, value: h, set: true})
			return root
		}
		c := cur.children[i]
		k := commonPrefix(c.prefix, path)
		if k < len(c.prefix) {
			// Split c: a new node for the shared part takes c's place and
			// keeps the remainder of c as its only child. The remainder is
			// not modified again in this write: what is left of path is
			// either empty or starts with another byte.
			rest := *c
			rest.prefix = c.prefix[k:]
			c = &node[H]{prefix: c.prefix[:k], indices: rest.prefix[:1], children: []*node[H]{&rest}}
		} else {
			c = c.clone()
		}
		cur.children[i] = c
		cur = c
		path = path[k:]
	}
	cur.value, cur.set = h, true
	return root
}

// remove returns a new version of the tree rooted at n without the value at
// path, which must be set. It returns nil when nothing is left.
func (n *node[H]) remove(path string) *node[H] {
	root := n.clone()
	var parent *node[H]
	var at int // index of cur in parent.children
	cur := root
	for path != "" {
		at = strings.IndexByte(cur.indices, path[0])
		c := cur.children[at].clone()
		cur.children[at] = c
		parent, cur = cur, c
		path = path[len(c.prefix):]
	}
	var zero H
	cur.value, cur.set = zero, false
	switch len(cur.children) {
	case 0:
		parent.indices = parent.indices[:at] + parent.indices[at+1:]
		parent.children = slices.Delete(parent.children, at, at+1)
		if parent != root && !parent.set && len(parent.children) == 1 {
			parent.absorb()
		}
	case 1:
		cur.absorb()
	}
	if len(root.children) == 0 {
		return nil
	}
	return root
}

// absorb merges the only child of n, which must be a copy owned by the
// caller, into n. n then shares the children slice of the published child,
// so it must not be modified further.
func (n *node[H]) absorb() {
	c := n.children[0]
	n.prefix += c.prefix
	n.indices = c.indices
	n.children = c.children
	n.value, n.set = c.value, c.set
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
