//go:build !unix

package zmtp

import "syscall"

// rawWrite is unused where non-blocking writes are not wired up: every
// write goes through the pipe's writer goroutine.
func (w *writer) rawWrite(fd uintptr) bool { return true }

// nonBlocking is not available here: every Read says it would block, so
// nothing is drained.
type nonBlocking struct {
	raw syscall.RawConn
}

func (nb *nonBlocking) Read(b []byte) (int, error) { return 0, errWouldBlock }
