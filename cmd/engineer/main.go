// Command engineer discovers the commands of an xbahn server and runs
// them, one at a time or in an interactive shell. "engineer demo" starts a
// demo server in process and shows the command line at work:
//
//	go run ./cmd/engineer demo
//
// See package engineer for the details.
package main

import (
	"context"
	"os"

	"github.com/xbahn-go/xbahn/engineer"
)

func main() {
	os.Exit(engineer.Main(context.Background(), os.Args[1:], engineer.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}))
}
