//go:build unix

package zmtp

import (
	"io"
	"syscall"
)

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

// nonBlocking reads a connection without waiting: when no byte is there,
// Read returns errWouldBlock.
type nonBlocking struct {
	raw syscall.RawConn
	buf []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func (nb *nonBlocking) Read(b []byte) (int, error) {
	if nb.fn == nil {
		nb.fn = nb.read
	}
	nb.buf, nb.n, nb.err = b, 0, nil
	if err := nb.raw.Read(nb.fn); err != nil {
		return 0, err
	}
	n, err := nb.n, nb.err
	nb.buf = nil
	return n, err
}

func (nb *nonBlocking) read(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), nb.buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			nb.err = errWouldBlock
		case err != nil:
			nb.err = err
		case n == 0 && len(nb.buf) > 0:
			nb.err = io.EOF
		default:
			nb.n = n
		}
		return true
	}
}
