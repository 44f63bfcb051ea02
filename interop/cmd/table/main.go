//go:build libzmq

package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	if asked, status := serveChild(); asked {
		os.Exit(status)
	}
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	d := fs.Duration("time", time.Second, "how long each cell measures")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 || *d <= 0 {
		fmt.Fprintln(os.Stderr, "usage: table [-time d]")
		os.Exit(2)
	}
	if failed := table(os.Stdout, os.Stderr, *d); failed > 0 {
		fmt.Fprintf(os.Stderr, "table: %d cells failed\n", failed)
		os.Exit(1)
	}
}
