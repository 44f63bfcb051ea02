//go:build !unix

package zmtp

import "errors"

var errAddrInUse = errors.New("address in use")
