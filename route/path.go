package route

import (
	"iter"
	"strings"
)

// Join joins the segments of parts with '.', leaving out empty segments, so
// dots at either end of a part and empty parts vanish:
// Join(".a.", "", "b", "c.") is "a.b.c". The result is "" or a path that
// passes [Check]. Unlike path.append of the Python xbahn, which keeps
// them, Join also drops empty segments inside a part: "a..b" becomes "a.b".
func Join(parts ...string) string {
	if len(parts) == 1 && Check(parts[0]) == nil {
		return parts[0]
	}
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		for s := range strings.SplitSeq(p, ".") {
			if s == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// Check reports whether path can be registered in a [Tree]: it must be
// non-empty, and no segment may be empty, so it has no leading or trailing
// dot and no "..". The error is a [*PathError] wrapping [ErrInvalid].
func Check(path string) error {
	var reason string
	switch {
	case path == "":
		reason = "empty"
	case path[0] == '.':
		reason = "leading dot"
	case path[len(path)-1] == '.':
		reason = "trailing dot"
	case strings.Contains(path, ".."):
		reason = "empty segment"
	default:
		return nil
	}
	return &PathError{Path: path, Err: ErrInvalid, Reason: reason}
}

// Match reports whether the segments of prefix begin the segments of path:
// "a.b" matches "a.b" and "a.b.c" but not "a.bc". Segments are compared
// literally, empty ones included.
func Match(prefix, path string) bool {
	return strings.HasPrefix(path, prefix) &&
		(len(path) == len(prefix) || path[len(prefix)] == '.')
}

// Tail returns the segments of path that follow prefix, and whether prefix
// matches path at all: Tail("a.b", "a.b.c.d") is "c.d", true;
// Tail("a.b", "a.b") is "", true; Tail("a.c", "a.b.c") is "", false.
// The result is a substring of path.
func Tail(prefix, path string) (string, bool) {
	if !Match(prefix, path) {
		return "", false
	}
	if len(path) == len(prefix) {
		return "", true
	}
	return path[len(prefix)+1:], true
}

// Prefixes yields every prefix of path that [Match]es it, shortest first:
// "a", "a.b", "a.b.c" for "a.b.c". Each is a substring of path, so the
// iteration allocates nothing. To visit single segments use
// strings.SplitSeq(path, ".").
func Prefixes(path string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(path); i++ {
			if path[i] == '.' && !yield(path[:i]) {
				return
			}
		}
		yield(path)
	}
}
