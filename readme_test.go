package xbahn_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goBlocks returns the Go code blocks of a Markdown text.
func goBlocks(md string) []string {
	var blocks []string
	for {
		_, rest, ok := strings.Cut(md, "\n```go\n")
		if !ok {
			return blocks
		}
		block, after, ok := strings.Cut(rest, "\n```\n")
		if !ok {
			return blocks
		}
		blocks = append(blocks, block+"\n")
		md = after
	}
}

// TestReadmeCompiles builds every Go block of README.md as a program of
// its own, against the modules of the working tree, and vets it.
func TestReadmeCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the README's programs with the go command")
	}
	md, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(md))
	if len(blocks) < 4 {
		t.Fatalf("README.md has %d Go blocks, want the server, the client and the security ones", len(blocks))
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := fmt.Sprintf(`module example.com/readme

go 1.26

require (
	github.com/xbahn-go/xbahn %[1]s
	github.com/xbahn-go/xbahn/zmtp/curve %[1]s
)

replace (
	github.com/xbahn-go/xbahn => %[2]s
	github.com/xbahn-go/xbahn/zmtp/curve => %[3]s
)
`, release, root, filepath.Join(root, "zmtp", "curve"))
	files := map[string]string{"go.mod": gomod}
	for i, b := range blocks {
		if !strings.HasPrefix(b, "package main\n") {
			t.Errorf("Go block %d of README.md is not a program:\n%s", i+1, b)
			continue
		}
		files[fmt.Sprintf("block%d/main.go", i+1)] = b
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("these tests run the go command: %v", err)
	}
	out, err := exec.Command(goCmd, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	downloads := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "./..."}} {
		c := exec.Command(goCmd, args...)
		c.Dir = dir
		// golang.org/x/crypto, which CURVE needs, comes from the module
		// cache, with no network.
		c.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOTOOLCHAIN=local",
			"GOPROXY=file://"+filepath.ToSlash(downloads))
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("go %s of the README's programs: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}
