//go:build race

package zmtp

// raceEnabled reports whether the race detector is on; it makes the
// tests that move hundreds of MiB move fewer.
const raceEnabled = true
