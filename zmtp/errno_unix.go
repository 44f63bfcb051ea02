//go:build unix

package zmtp

import "syscall"

var errAddrInUse error = syscall.EADDRINUSE
