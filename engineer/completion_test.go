package engineer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	host := startServer(t).url
	tests := []struct {
		line string
		want string
	}{
		{"engineer ", "completion demo web"},
		{"engineer web --li", "--listen"},
		{"engineer comp", "completion"},
		{"engineer completion ", "bash fish zsh"},
		{"engineer " + host + " ", "call describe do_something explode help methods multiply shell show slow status"},
		{"engineer " + host + " s", "shell show slow status"},
		{"engineer --json " + host + " mu", "multiply"},
		{"engineer " + host + " show --ext", "--extra"},
		{"engineer " + host + " show --no-e", "--no-exit-on-error --no-extra"},
		{"engineer " + host + " --ti", "--timeout"},
		{"engineer --t", "--timeout"},
		{"engineer " + host + " describe a", "add attach_remote"},
		{"engineer " + host + " help mu", "multiply"},
		{"engineer zmq://127.0.0.1:1/req ", ""},
		{`engineer "unterminated`, ""},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", "__complete", tt.line)
		if got := strings.Join(strings.Fields(out), " "); code != ExitOK || got != tt.want || errOut != "" {
			t.Errorf("__complete %q = %d %q (stderr %q), want %q", tt.line, code, got, errOut, tt.want)
		}
	}
}

// TestCompletionScripts checks that each script is what its shell reads,
// and has bash complete through its script for real.
func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, _ := run(t, "", "completion", sh)
		if code != ExitOK || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s = %d %q", sh, code, out)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash is needed under CI")
		}
		t.Skip("no bash to run the completion script")
	}
	host := startServer(t).url
	_, script, _ := run(t, "", "completion", "bash")
	dir := t.TempDir()
	// "engineer" on PATH is this test binary running the command line.
	wrapper := "#!/bin/sh\nENGINEER_TEST_CHILD=1 exec " + shellQuote(os.Args[0]) + ` "$@"` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "engineer"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "completion.bash"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ line, want string }{
		{"engineer " + host + " mul", "multiply"},
		{"engineer " + host + " show --ext", "--extra"},
		{"engineer completion z", "zsh"},
	}
	for _, tt := range tests {
		words := strings.Fields(tt.line)
		prog := `source completion.bash
COMP_LINE=` + shellQuote(tt.line) + `
COMP_POINT=${#COMP_LINE}
COMP_WORDS=(` + strings.Join(quoteAll(words), " ") + `)
COMP_CWORD=` + strconv.Itoa(len(words)-1) + `
_engineer engineer
printf '%s\n' "${COMPREPLY[@]}"
`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
			t.Errorf("bash completing %q: %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = shellQuote(w)
	}
	return out
}
