package term

import (
	"bufio"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func openPTY(t *testing.T) (control, tty *os.File) {
	t.Helper()
	control, tty, err := OpenPTY()
	if err != nil {
		t.Fatalf("OpenPTY: %v", err)
	}
	t.Cleanup(func() { control.Close(); tty.Close() })
	return control, tty
}

func TestTerminal(t *testing.T) {
	_, tty := openPTY(t)
	if !IsTerminal(tty.Fd()) {
		t.Error("a pseudo-terminal is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "plain")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f.Fd()) {
		t.Error("a plain file is a terminal")
	}
	if _, err := New(Config{In: f, Out: f}); err == nil {
		t.Error("New accepted a plain file")
	}
}

func TestRawAndRestore(t *testing.T) {
	_, tty := openPTY(t)
	before, err := getState(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	restore, err := MakeRaw(tty.Fd())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := getState(tty.Fd())
	if raw.Lflag&(syscall.ECHO|syscall.ICANON|syscall.ISIG) != 0 {
		t.Errorf("raw mode keeps echo, lines or signals: lflag %#x", raw.Lflag)
	}
	if raw.Oflag&syscall.OPOST == 0 {
		t.Error("raw mode turned output processing off")
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	after, _ := getState(tty.Fd())
	if *after != *before {
		t.Errorf("restored state %+v, want %+v", after, before)
	}
}

func TestWidth(t *testing.T) {
	_, tty := openPTY(t)
	ws := struct{ row, col, x, y uint16 }{24, 91, 0, 0}
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, tty.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); errno != 0 {
		t.Fatal(errno)
	}
	if got := Width(tty.Fd()); got != 91 {
		t.Errorf("Width = %d, want 91", got)
	}
}

// TestEditorOnTerminal types through a pseudo-terminal: keys arrive one
// by one, unechoed, Ctrl-C as a byte, and the terminal goes back to its
// lines and echo between lines.
func TestEditorOnTerminal(t *testing.T) {
	control, tty := openPTY(t)
	e, err := New(Config{In: tty, Out: tty})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		line string
		err  error
	}
	results := make(chan result)
	go func() {
		for range 2 {
			line, err := e.ReadLine("> ")
			results <- result{line, err}
		}
	}()
	echo := bufio.NewReader(control)
	expect := func(want string) {
		t.Helper()
		control.SetReadDeadline(time.Now().Add(10 * time.Second))
		var seen strings.Builder
		for !strings.Contains(seen.String(), want) {
			b, err := echo.ReadByte()
			if err != nil {
				t.Fatalf("waiting for %q, saw %q: %v", want, seen.String(), err)
			}
			seen.WriteByte(b)
		}
	}
	expect("> ")
	control.WriteString("junk\x03")
	expect("^C")
	if r := <-results; r.err != ErrInterrupted {
		t.Fatalf("Ctrl-C: got %q, %v; want ErrInterrupted", r.line, r.err)
	}
	expect("> ")
	control.WriteString("statx\x1b[Dus\x1b[3~\r")
	if r := <-results; r.err != nil || r.line != "status" {
		t.Fatalf("got %q, %v; want status", r.line, r.err)
	}
	st, _ := getState(tty.Fd())
	if st.Lflag&syscall.ICANON == 0 || st.Lflag&syscall.ECHO == 0 {
		t.Errorf("the terminal stayed raw after ReadLine: lflag %#x", st.Lflag)
	}
}
