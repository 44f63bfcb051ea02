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
	// Through SyscallConn rather than Fd, which would make control
	// blocking and deaf to deadlines.
	raw, err := control.SyscallConn()
	if err != nil {
		control.Close()
		return nil, nil, fmt.Errorf("term: %w", err)
	}
	var n uint32
	var errno syscall.Errno
	err = raw.Control(func(fd uintptr) {
		var unlock int32
		if _, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
			return
		}
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n)))
	})
	if err == nil && errno != 0 {
		err = errno
	}
	if err != nil {
		control.Close()
		return nil, nil, fmt.Errorf("term: opening a pseudo-terminal: %w", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		control.Close()
		return nil, nil, fmt.Errorf("term: %w", err)
	}
	return control, tty, nil
}
