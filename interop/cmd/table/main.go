//go:build libzmq

package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"
)

func main() {
	if asked, status := serveChild(); asked {
		os.Exit(status)
	}
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	d := fs.Duration("time", time.Second, "how long each cell measures")
	match := fs.String("match", "", "measure only what this regular expression finds in the progress names")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	re, err := regexp.Compile(*match)
	if fs.NArg() > 0 || *d <= 0 || err != nil {
		fmt.Fprintln(os.Stderr, "usage: table [-time d] [-match regexp]")
		os.Exit(2)
	}
	if failed := table(os.Stdout, os.Stderr, *d, re); failed > 0 {
		fmt.Fprintf(os.Stderr, "table: %d cells failed\n", failed)
		os.Exit(1)
	}
}
