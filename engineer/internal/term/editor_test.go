package term

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lines feeds keys to an editor and returns the lines it read, up to the
// end of the keys.
func lines(t *testing.T, e *Editor, keys string) []string {
	t.Helper()
	e.in.Reset(strings.NewReader(keys))
	var got []string
	for {
		line, err := e.ReadLine("> ")
		switch {
		case errors.Is(err, io.EOF):
			return got
		case errors.Is(err, ErrInterrupted):
			got = append(got, "<interrupted>")
		case err != nil:
			t.Fatalf("ReadLine: %v", err)
		default:
			got = append(got, line)
		}
	}
}

func TestEditing(t *testing.T) {
	const (
		left  = "\x1b[D"
		right = "\x1b[C"
		home  = "\x1b[H"
		end   = "\x1b[F"
		del   = "\x1b[3~"
		up    = "\x1b[A"
		down  = "\x1b[B"
	)
	tests := []struct {
		name, keys string
		want       []string
	}{
		{"plain", "status\r", []string{"status"}},
		{"newline ends too", "status\n", []string{"status"}},
		{"insert in the middle", "sttus" + left + left + left + "a\r", []string{"status"}},
		{"backspace", "statuss\x7f\r", []string{"status"}},
		{"ctrl-h", "statuss\x08\r", []string{"status"}},
		{"delete under the cursor", "sstatus" + home + del + "\r", []string{"status"}},
		{"ctrl-d deletes inside a line", "sstatus\x01\x04\r", []string{"status"}},
		{"home and end", "tatu" + home + "s" + end + "s\r", []string{"status"}},
		{"ctrl-a and ctrl-e", "tatu\x01s\x05s\r", []string{"status"}},
		{"other home and end", "tatu\x1b[1~s\x1b[4~s\r", []string{"status"}},
		{"ctrl-b and ctrl-f", "sttus\x02\x02\x02\x06a\x05\r", []string{"sttaus"}},
		{"right stops at the end", "ab" + right + right + "c\r", []string{"abc"}},
		{"left stops at the start", "bc" + left + left + left + "a\r", []string{"abc"}},
		{"ctrl-k", "status now" + left + left + left + left + "\x0b\r", []string{"status"}},
		{"ctrl-u", "junk status" + left + left + left + left + left + left + "\x15\r", []string{"status"}},
		{"ctrl-w", "add 1 2\x17\x17\r", []string{"add "}},
		{"ctrl-w skips spaces", "add 1   \x17\r", []string{"add "}},
		{"alt-b and alt-f", "add 2\x1bb1 \x1bf 3\r", []string{"add 1 2 3"}},
		{"ctrl-left", "add 2\x1b[1;5D1 \r", []string{"add 1 2"}},
		{"ctrl-c abandons the line", "junk\x03status\r", []string{"<interrupted>", "status"}},
		{"ctrl-d on an empty line ends", "a\r\x04b\r", []string{"a"}},
		{"the input ending ends", "a\rb", []string{"a"}},
		{"unknown keys are ignored", "sta\x1b[5~\x1b[Ztus\x00\x07\r", []string{"status"}},
		{"ctrl-l", "status\x0c\r", []string{"status"}},
		{"an unfinished sequence keeps Enter", "ab\x1b[\rcd\r", []string{"ab", "cd"}},
		{"an unfinished sequence keeps Ctrl-C", "ab\x1b[1\x03cd\r", []string{"<interrupted>", "cd"}},
		{"a lone escape keeps the next key", "a\x1bxb\r", []string{"axb"}},
		{"alt and a non-ASCII key", "a\x1bé\r", []string{"aé"}},
		{"unicode", "grüß" + left + "x\r", []string{"grüxß"}},
		{"up recalls", "one\rtwo\r" + up + "\r" + up + up + "\r", []string{"one", "two", "two", "one"}},
		{"up stops at the oldest", "one\r" + up + up + up + "\r", []string{"one", "one"}},
		{"down returns to the line typed", "one\rtw" + up + down + "o\r", []string{"one", "two"}},
		{"ctrl-p and ctrl-n", "one\rtwo\r\x10\x10\x0e\r", []string{"one", "two", "two"}},
		{"edit a recalled line", "add 1\r" + up + " 2\r", []string{"add 1", "add 1 2"}},
		{"blank lines are kept out", "one\r \r   two\r" + up + "\r", []string{"one", " ", "   two", "one"}},
		{"a repeated line once", "one\rone\rtwo\r" + up + up + "\r", []string{"one", "one", "two", "one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditor(nil, Config{Out: io.Discard})
			got := lines(t, e, tt.keys)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	words := []string{"status", "stop", "shell", "add", "--json", "--timeout="}
	complete := func(line string, pos int) (int, []string) {
		start := strings.LastIndexByte(line[:pos], ' ') + 1
		var out []string
		for _, w := range words {
			if strings.HasPrefix(w, line[start:pos]) {
				out = append(out, w)
			}
		}
		return start, out
	}
	tests := []struct {
		name, keys, want, shown string
	}{
		{"one candidate", "ad\t1\r", "add 1", ""},
		{"common prefix", "st\ta\t\r", "status ", ""},
		{"listed", "s\t\r", "s", "status  stop  shell"},
		{"an option", "add 1 --j\t\r", "add 1 --json ", ""},
		{"no space after =", "add --ti\t5s\r", "add --timeout=5s", ""},
		{"none", "x\t\r", "x", "\a"},
		{"in the middle", "ad 1\x1b[D\x1b[D\t\r", "add  1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			e := newEditor(nil, Config{Out: &out, Complete: complete})
			got := lines(t, e, tt.keys)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !strings.Contains(out.String(), tt.shown) {
				t.Errorf("drew %q, want it to show %q", out.String(), tt.shown)
			}
		})
	}
}

func TestDrawing(t *testing.T) {
	var out strings.Builder
	e := newEditor(nil, Config{Out: &out})
	lines(t, e, "ab\x1b[D\r")
	for _, want := range []string{"\r> \x1b[Kab", "\r> ab\x1b[K\x1b[1D", "\r> ab\x1b[K\r\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("drew %q, want it to contain %q", out.String(), want)
		}
	}
}

func TestScrolling(t *testing.T) {
	var out strings.Builder
	e := newEditor(nil, Config{Out: &out})
	e.width = 20 // 17 columns for the line after "> "
	e.in.Reset(strings.NewReader("0123456789abcdefghijklmnop\x01\r"))
	line, err := e.ReadLine("> ")
	if err != nil || line != "0123456789abcdefghijklmnop" {
		t.Fatalf("got %q, %v", line, err)
	}
	drawn := out.String()
	if !strings.Contains(drawn, "\r> 0123456789abcdefg\x1b[K\x1b[17D") {
		t.Errorf("Ctrl-A did not scroll back to the start: %q", drawn)
	}
	if !strings.Contains(drawn, "\r> abcdefghijklmnop\x1b[K") {
		t.Errorf("the end of a long line was not shown: %q", drawn)
	}
	for _, l := range strings.Split(drawn, "\r") {
		if n := len(strings.TrimSuffix(strings.Split(l, "\x1b")[0], "\n")); n >= 20 {
			t.Errorf("drew %d columns on a 20-column screen: %q", n, l)
		}
	}
}

func TestHistoryFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app", "history")
	e := newEditor(nil, Config{Out: io.Discard, HistoryFile: file})
	lines(t, e, "one\r secret\rtwo\rtwo\r")
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("history file mode %v, want 0600", got)
	}
	if fi, _ := os.Stat(filepath.Dir(file)); fi.Mode().Perm() != 0o700 {
		t.Errorf("history directory mode %v, want 0700", fi.Mode().Perm())
	}
	again := newEditor(nil, Config{Out: io.Discard, HistoryFile: file})
	got := lines(t, again, "\x1b[A\r\x1b[A\x1b[A\x1b[A\r")
	if want := []string{"two", "one"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("second run recalled %q, want %q", got, want)
	}
}

func TestHistoryLongLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "history")
	long := strings.Repeat("é", maxLine)
	e := newEditor(nil, Config{Out: io.Discard, HistoryFile: file})
	lines(t, e, "first\r"+long+"\rlast\r")
	h := newEditor(nil, Config{Out: io.Discard, HistoryFile: file}).History()
	if len(h) != 3 || h[1] != long || h[2] != "last" {
		t.Errorf("reloaded %d lines, want first, the long one and last", len(h))
	}
}

func TestHistorySize(t *testing.T) {
	file := filepath.Join(t.TempDir(), "history")
	var b strings.Builder
	for i := range 50 {
		b.WriteString(strings.Repeat("x", i+1) + "\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEditor(nil, Config{Out: io.Discard, HistoryFile: file, HistorySize: 10})
	h := e.History()
	if len(h) != 10 || h[9] != strings.Repeat("x", 50) || h[0] != strings.Repeat("x", 41) {
		t.Errorf("kept %d lines %q, want the newest 10", len(h), h)
	}
	data, _ := os.ReadFile(file)
	if n := strings.Count(string(data), "\n"); n != 10 {
		t.Errorf("the file has %d lines after loading, want it cut to 10", n)
	}
}

func TestDefaultHistoryFile(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if got, want := DefaultHistoryFile("app"), filepath.Join("/state", "app", "history"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	t.Setenv("HOME", "/home/u")
	if got := DefaultHistoryFile("app"); got == "" || !strings.HasSuffix(got, filepath.Join("app", "history")) || strings.HasPrefix(got, "relative") {
		t.Errorf("got %q for a relative XDG_STATE_HOME", got)
	}
}

func TestLongLine(t *testing.T) {
	e := newEditor(nil, Config{Out: io.Discard})
	got := lines(t, e, strings.Repeat("x", maxLine+100)+"\r")
	if len(got) != 1 || len(got[0]) != maxLine {
		t.Errorf("got a line of %d characters, want %d", len(got[0]), maxLine)
	}
}

func FuzzEditor(f *testing.F) {
	f.Add("status\r\x1b[A\x1b[D\x7f\r")
	f.Add("\x1b[1;5D\x1b[3~\x1b[999999999~\x1bOH\x17\x15\x0b\t\t\r")
	f.Add("gr\xc3\xbc\xc3\t\xff\x03\x04")
	f.Fuzz(func(t *testing.T, keys string) {
		complete := func(line string, pos int) (int, []string) {
			if pos > len(line) {
				t.Fatalf("completion asked at %d of a %d-byte line", pos, len(line))
			}
			return pos / 2, []string{"x", "xy", line[pos/2:]}
		}
		e := newEditor(nil, Config{Out: io.Discard, Complete: complete})
		e.width = 12
		for _, l := range lines(t, e, keys) {
			if len(l) > 4*maxLine {
				t.Fatalf("a line of %d bytes", len(l))
			}
		}
	})
}
