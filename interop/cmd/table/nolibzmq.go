//go:build !libzmq

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "table needs libzmq; build it with the libzmq tag: go run -tags libzmq ./cmd/table")
	os.Exit(2)
}
