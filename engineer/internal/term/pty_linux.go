package term

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// OpenPTY opens a new pseudo-terminal: what is written to control comes
// out of tty as typed input, and what is written to tty is read from
// control.
func OpenPTY() (control, tty *os.File, err error) {
	control, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("term: %w", err)
	}
	var unlock int32
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, control.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		control.Close()
		return nil, nil, fmt.Errorf("term: unlocking pseudo-terminal: %w", errno)
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, control.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		control.Close()
		return nil, nil, fmt.Errorf("term: naming pseudo-terminal: %w", errno)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		control.Close()
		return nil, nil, fmt.Errorf("term: %w", err)
	}
	return control, tty, nil
}
