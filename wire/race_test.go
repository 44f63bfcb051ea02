//go:build race

package wire

// raceEnabled reports whether the race detector is on; it makes the
// compiler keep some closures on the heap, so allocation counts differ.
const raceEnabled = true
