package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/engineer"
)

// FuzzCommandLine runs the engineer command line with the words of a line
// after a demo host served in process, on loopback: whatever the words, it ends within
// its timeout with a status of 0, 1 or 2, says something when it fails,
// and under --json prints one JSON document. The same line is completed
// too.
func FuzzCommandLine(f *testing.F) {
	conn, err := engineer.StartDemo("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		f.Fatal(err)
	}
	defer conn.Close()
	host := strings.TrimPrefix(conn.Remote(), "connect->")
	for _, s := range []string{
		"status", "--json status", "multiply 6 7 --timeout=1s", "show --extra --no-extra",
		"do_something -- --json", "--help", "help show", "methods", "describe attach_remote",
		"call request_widget x y --kw a=[1", "multiply x", "--timeout=abc status", `shell "x`,
		"--no-json --debug=false show --extra=maybe", "completion bash",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := engineer.Split(line)
		if err != nil {
			return
		}
		args := append([]string{host, "--timeout=1s"}, words...)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		code := engineer.Main(ctx, args, engineer.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
		if code < 0 || code > 2 {
			t.Fatalf("engineer %q = %d", args, code)
		}
		if code != 0 && out.Len()+errOut.Len() == 0 {
			t.Fatalf("engineer %q = %d and said nothing", args, code)
		}
		if jsonMode(words) && !strings.Contains(line, "shell") && out.Len() > 0 && !json.Valid(out.Bytes()) {
			t.Fatalf("engineer %q under --json printed %q", args, out.String())
		}
		out.Reset()
		engineer.Main(ctx, []string{"__complete", "engineer " + host + " " + line}, engineer.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut})
	})
}

// jsonMode reports whether the last of the --json options in words turns
// it on, before a "--".
func jsonMode(words []string) bool {
	on := false
	for _, w := range words {
		switch w {
		case "--":
			return on
		case "--json", "--json=true":
			on = true
		case "--no-json", "--json=false":
			on = false
		}
	}
	return on
}
