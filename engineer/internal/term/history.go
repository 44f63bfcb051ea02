package term

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"
)

// DefaultHistorySize is how many lines a history keeps when the Config
// does not say.
const DefaultHistorySize = 1000

// maxHistoryLine bounds a line read back from a history file: the longest
// line the editor takes, in UTF-8, and its newline.
const maxHistoryLine = utf8.UTFMax*maxLine + 1

// DefaultHistoryFile is where app keeps its history: app/history under
// $XDG_STATE_HOME, ~/.local/state, or on macOS the user's configuration
// directory. It is "" when none of them is known.
func DefaultHistoryFile(app string) string {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, app, "history")
	}
	if runtime.GOOS == "darwin" {
		if dir, err := os.UserConfigDir(); err == nil {
			return filepath.Join(dir, app, "history")
		}
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", app, "history")
}

// history is the lines entered so far, oldest first, and the file that
// keeps them across runs.
type history struct {
	lines []string
	file  string
	size  int
}

// load reads the history file; a missing or unreadable file is an empty
// history. It rewrites a file that has grown past twice the size.
func (h *history) load() {
	if h.file == "" {
		return
	}
	f, err := os.Open(h.file)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxHistoryLine)
	n := 0
	for sc.Scan() {
		n++
		if line := sc.Text(); line != "" {
			h.lines = append(h.lines, line)
		}
	}
	f.Close()
	if sc.Err() != nil {
		n = 2*h.size + 1 // unreadable past here: keep what was read
	}
	if len(h.lines) > h.size {
		h.lines = append([]string(nil), h.lines[len(h.lines)-h.size:]...)
	}
	if n > 2*h.size {
		h.rewrite()
	}
}

// add records a line entered: not an empty one, one that starts with a
// space, or the one just before again.
func (h *history) add(line string) {
	if strings.TrimSpace(line) == "" || line[0] == ' ' || strings.ContainsAny(line, "\r\n") {
		return
	}
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.size {
		h.lines = h.lines[1:]
	}
	if h.file == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	f.WriteString(line + "\n")
	f.Close()
}

// rewrite replaces the history file with the lines kept.
func (h *history) rewrite() {
	tmp := h.file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	w := bufio.NewWriter(f)
	for _, l := range h.lines {
		w.WriteString(l + "\n")
	}
	if w.Flush() != nil || f.Close() != nil {
		os.Remove(tmp)
		return
	}
	os.Rename(tmp, h.file)
}
