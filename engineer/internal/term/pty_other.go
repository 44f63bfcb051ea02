//go:build !linux

package term

import (
	"errors"
	"os"
)

// OpenPTY fails on this system: pseudo-terminals are opened on Linux only.
func OpenPTY() (control, tty *os.File, err error) {
	return nil, nil, errors.New("term: pseudo-terminals are opened on Linux only")
}
