package xbahn_test

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// release is the version the nested modules require of this one, and the
// version the test publishes both modules at.
const release = "v0.1.0"

// publish writes the module of dir, at path and version, into the file
// module proxy at proxy, as a proxy serves it: list, .info, .mod and the
// zip, whose files are the module's without nested modules.
func publish(t *testing.T, proxy, path, dir, version string) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if p != dir {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil || strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir // a nested module, or .git
				}
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".test") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(path + "@" + version + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	info := `{"Version":"` + version + `","Time":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	for name, b := range map[string][]byte{
		"list": []byte(version + "\n"), version + ".info": []byte(info),
		version + ".mod": mod, version + ".zip": buf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestModulesInstallFromProxy publishes both modules of the working tree
// to a file module proxy and uses them as a user would, with no network
// and no workspace: go get of both, a program built on them, and go
// install of both command lines, which then report the version.
func TestModulesInstallFromProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two modules and two commands with the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("these tests run the go command: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	publish(t, proxy, "github.com/xbahn-go/xbahn", root, release)
	publish(t, proxy, "github.com/xbahn-go/xbahn/zmtp/curve", filepath.Join(root, "zmtp", "curve"), release)

	// Dependencies beyond ours come from the module cache's downloads,
	// which is laid out as a proxy; what this test fetches goes to a
	// cache of its own.
	out, err := exec.Command(goCmd, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	downloads := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	cache := t.TempDir()
	t.Cleanup(func() {
		c := exec.Command(goCmd, "clean", "-modcache")
		c.Env = append(os.Environ(), "GOMODCACHE="+cache)
		c.Run() // the cache is read-only until cleaned
	})
	env := append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(downloads),
		"GOMODCACHE="+cache, "GOSUMDB=off", "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
	)
	run := func(dir string, extra []string, args ...string) string {
		t.Helper()
		c := exec.Command(args[0], args[1:]...)
		c.Dir, c.Env = dir, append(env, extra...)
		b, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}

	user := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/user\n\ngo 1.26\n",
		"main.go": `package main

import (
	"fmt"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

func main() {
	u, _ := xbahn.ParseURL("zmq://127.0.0.1:7050/req")
	pub, _, _ := curve.NewKeyPair()
	fmt.Println(u, len(pub.String()))
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(user, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(user, nil, goCmd, "get", "github.com/xbahn-go/xbahn@"+release, "github.com/xbahn-go/xbahn/zmtp/curve@"+release)
	if got := run(user, nil, goCmd, "run", "."); got != "zmq://127.0.0.1:7050/req?transport=tcp 40\n" {
		t.Errorf("the user's program printed %q", got)
	}
	for _, cmd := range []string{"github.com/xbahn-go/xbahn/cmd/engineer", "github.com/xbahn-go/xbahn/zmtp/curve/cmd/engineer"} {
		bin := t.TempDir()
		run(user, []string{"GOBIN=" + bin, "GOFLAGS="}, goCmd, "install", cmd+"@"+release)
		if got := run(user, nil, filepath.Join(bin, "engineer"), "--version"); got != "engineer, version "+release+"\n" {
			t.Errorf("%s --version = %q, want %s", cmd, got, release)
		}
	}
}
