//go:build linux || darwin

package term

import (
	"fmt"
	"syscall"
	"unsafe"
)

// IsTerminal reports whether fd is a terminal.
func IsTerminal(fd uintptr) bool {
	_, err := getState(fd)
	return err == nil
}

// MakeRaw puts the terminal fd into raw mode: bytes arrive one by one,
// unechoed, and Ctrl-C is a byte rather than a signal. Output processing
// stays on, so "\n" still starts a new line. The returned function puts
// the terminal back as it was.
func MakeRaw(fd uintptr) (restore func() error, err error) {
	old, err := getState(fd)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP |
		syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	raw.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	raw.Cflag &^= syscall.CSIZE | syscall.PARENB
	raw.Cflag |= syscall.CS8
	raw.Cc[syscall.VMIN] = 1
	raw.Cc[syscall.VTIME] = 0
	if err := setState(fd, &raw); err != nil {
		return nil, err
	}
	return func() error { return setState(fd, old) }, nil
}

// Width is the terminal's width in columns, or 0 when fd does not say.
func Width(fd uintptr) int {
	var ws struct{ row, col, xpixel, ypixel uint16 }
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws))); errno != 0 {
		return 0
	}
	return int(ws.col)
}

func getState(fd uintptr) (*syscall.Termios, error) {
	t := new(syscall.Termios)
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(getTermios), uintptr(unsafe.Pointer(t))); errno != 0 {
		return nil, fmt.Errorf("term: reading terminal state: %w", errno)
	}
	return t, nil
}

func setState(fd uintptr, t *syscall.Termios) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(setTermios), uintptr(unsafe.Pointer(t))); errno != 0 {
		return fmt.Errorf("term: setting terminal state: %w", errno)
	}
	return nil
}
