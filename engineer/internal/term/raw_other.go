//go:build !linux && !darwin

package term

import "errors"

// IsTerminal reports whether fd is a terminal. On this system it always
// reports false: the shell reads plain lines.
func IsTerminal(fd uintptr) bool { return false }

// MakeRaw fails on this system.
func MakeRaw(fd uintptr) (restore func() error, err error) {
	return nil, errors.New("term: raw mode is not supported on this system")
}

// Width is 0 on this system: it does not say.
func Width(fd uintptr) int { return 0 }
