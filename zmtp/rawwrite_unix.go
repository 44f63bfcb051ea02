//go:build unix

package zmtp

import "syscall"

// rawWrite is the callback of a non-blocking write: it writes w.wb[w.wn:]
// until done or until the kernel would block.
func (w *writer) rawWrite(fd uintptr) bool {
	for w.wn < len(w.wb) {
		n, err := syscall.Write(int(fd), w.wb[w.wn:])
		if n > 0 {
			w.wn += n
		}
		switch err {
		case nil:
			if n == 0 {
				w.werr = syscall.EPIPE
				return true
			}
		case syscall.EINTR:
		case syscall.EAGAIN:
			return true
		default:
			w.werr = err
			return true
		}
	}
	return true
}
