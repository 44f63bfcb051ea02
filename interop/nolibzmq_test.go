//go:build !libzmq

package interop

import (
	"os"
	"testing"
)

// TestLibzmqInterop stands in for the interop tests when they are not
// built, so that a CI run cannot pass without them.
func TestLibzmqInterop(t *testing.T) {
	const msg = "the libzmq interop tests did not run: install libzmq3-dev and build with -tags libzmq (cd interop && go test -tags libzmq ./...)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
