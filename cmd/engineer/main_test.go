package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xbahn-go/xbahn/engineer"
)

// TestBinary builds the command and runs it against a server on loopback.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "engineer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Built from the standard library alone: no dependency lines.
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "dep" {
			t.Errorf("the binary depends on %s", line)
		}
	}

	conn, err := engineer.StartDemo("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	host := strings.TrimPrefix(conn.Remote(), "connect->")
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{host, "do_something", "say hello"}, 0, host + ": do_something> did say hello\n"},
		{[]string{host, "multiply", "7", "oops"}, 2, ""},
		{[]string{"--timeout", "200ms", "zmq://127.0.0.1:1/req", "status"}, 1, ""},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		out, _ := cmd.Output()
		if code := cmd.ProcessState.ExitCode(); code != tt.code || !strings.Contains(string(out), tt.out) {
			t.Errorf("engineer %q = %d %q; want %d %q", tt.args, code, out, tt.code, tt.out)
		}
	}
	cmd := exec.Command(bin, host, "shell")
	cmd.Stdin = strings.NewReader("multiply 6 7\nquit\n")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "multiply> 42") {
		t.Errorf("shell from a pipe = %q, %v", out, err)
	}

	// demo --serve prints the command that reaches it, and that command
	// works; SIGTERM stops the server.
	serve := exec.Command(bin, "demo", "--serve", "zmq://127.0.0.1:0/rep")
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	lines := bufio.NewScanner(stdout)
	var suggested []string
	for lines.Scan() {
		if f := strings.Fields(lines.Text()); len(f) > 0 && f[0] == "engineer" {
			suggested = f[1:]
			break
		}
	}
	if len(suggested) == 0 {
		t.Fatal("demo --serve suggested no command")
	}
	out, err = exec.Command(bin, suggested...).Output()
	if err != nil || !strings.Contains(string(out), "Commands:") || !strings.Contains(string(out), "do_something") {
		t.Errorf("the suggested engineer %q = %q, %v", suggested, out, err)
	}
	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Errorf("demo --serve after SIGTERM: %v", err)
	}
}
