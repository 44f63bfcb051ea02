// Package route indexes xbahn's dotted message paths.
//
// A path is a sequence of segments separated by '.', such as "address.usa".
// A route registered for "address" matches "address" and every descendant,
// "address.usa" and "address.usa.ny", but not "addressbook": paths are
// compared segment by segment, never by bytes alone. No wildcards exist.
//
// The root package xbahn keeps its "receive_<path>" handlers in a [Tree],
// and rpc routes calls ("<path>.call", "<path>.call.widgets...") with one.
// The helpers [Join], [Check], [Match], [Tail] and [Prefixes] carry the same
// path rules for code that holds single paths rather than a tree.
//
// # Paths
//
// A path that can be registered is non-empty and has no empty segment: no
// leading or trailing dot and no "..". [Check] reports why a path is not
// acceptable; [Join] builds acceptable paths from parts.
//
// Lookups accept any string and never panic. Segments are compared
// literally, so an empty segment matches no registered route: "a..b" and
// "a." match "a" and nothing below it, and ".a" matches nothing.
//
// # Order
//
// [Tree.Match] and [Tree.Ancestors] report every registered route that is
// the path itself or one of its ancestors, shortest first, so the exact
// match, if any, comes last. For "address.usa.ny" that is "address", then
// "address.usa", then "address.usa.ny".
//
// # Concurrency
//
// A Tree is safe for concurrent use. Lookups ([Tree.Match],
// [Tree.Ancestors], [Tree.Get]) take no lock and never wait: each loads the
// current version of the tree once and walks it. Writes ([Tree.Add],
// [Tree.Set], [Tree.Update], [Tree.Remove]) take a mutex, copy the nodes on
// the way to the changed path and publish a new version atomically; nodes
// once published are never modified. A read that overlaps a write sees the
// tree as it was before or after that write, never in between.
//
// Lookups walk a radix tree on bytes with a loop and allocate nothing.
package route
