package engineer

import (
	"context"
	"os"
	"testing"
)

// TestMain runs the command line itself when a test starts this binary
// as a child: on a pseudo-terminal, or from a shell's completion.
func TestMain(m *testing.M) {
	if os.Getenv("ENGINEER_TEST_CHILD") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}
