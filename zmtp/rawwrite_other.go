//go:build !unix

package zmtp

// rawWrite is unused where non-blocking writes are not wired up: every
// write goes through the pipe's writer goroutine.
func (w *writer) rawWrite(fd uintptr) bool { return true }
