//go:build linux

package engineer

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/xbahn-go/xbahn/engineer/internal/term"
)

// ttyRun is the command line running in a child process on a
// pseudo-terminal, as a user at a terminal runs it.
type ttyRun struct {
	t       *testing.T
	control *os.File
	tty     *os.File // the child's terminal, to look at its state
	out     *bufio.Reader
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the child ended
	code    int
}

func startTTY(t *testing.T, env []string, args ...string) *ttyRun {
	t.Helper()
	control, tty, err := term.OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "ENGINEER_TEST_CHILD=1"), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// Its own session, with the terminal as its controlling terminal:
	// Ctrl-C there sends it SIGINT.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &ttyRun{t: t, control: control, tty: tty, out: bufio.NewReader(control), cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		r.code = cmd.ProcessState.ExitCode()
		close(r.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-r.exited
		control.Close()
		tty.Close()
	})
	return r
}

// expect reads the terminal until it shows want.
func (r *ttyRun) expect(want string) {
	r.t.Helper()
	r.control.SetReadDeadline(time.Now().Add(10 * time.Second))
	var seen strings.Builder
	for !strings.Contains(seen.String(), want) {
		b, err := r.out.ReadByte()
		if err != nil {
			r.t.Fatalf("waiting for %q, the terminal showed %q: %v", want, seen.String(), err)
		}
		seen.WriteByte(b)
	}
}

// typeKeys types keys on the terminal.
func (r *ttyRun) typeKeys(keys string) {
	r.t.Helper()
	if _, err := r.control.WriteString(keys); err != nil {
		r.t.Fatal(err)
	}
}

// exit waits for the command line to end and returns its status.
func (r *ttyRun) exit() int {
	r.t.Helper()
	// Drain the terminal, so that the child never blocks writing to it.
	go func() {
		r.control.SetReadDeadline(time.Time{})
		for {
			if _, err := r.out.ReadByte(); err != nil {
				return
			}
		}
	}()
	select {
	case <-r.exited:
		return r.code
	case <-time.After(10 * time.Second):
		r.t.Fatal("the shell did not exit")
	}
	return -1
}

// TestShellOnTerminal drives the shell through a pseudo-terminal:
// editing keys, completion, history, Ctrl-C at the prompt and during a
// call, Ctrl-D; then a second run that recalls the first one's history.
func TestShellOnTerminal(t *testing.T) {
	ts := startServer(t)
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state}
	r := startTTY(t, env, ts.url, "shell")
	prompt := ts.url + "> "
	r.expect(prompt)

	steps := []struct{ keys, want string }{
		{"multiply 6 x\x7f7\r", "multiply> 42"},                        // backspace
		{"ltiply 4 5\x01mu\x05\x7f6\r", "multiply> 24"},                // Ctrl-A, Ctrl-E
		{"junk\x15multiply 3 3\r", "multiply> 9"},                      // Ctrl-U
		{"multiply 2 2 junk\x17\r", "multiply> 4"},                     // Ctrl-W
		{"multiply 7 8x\x1b[D\x1b[3~\r", "multiply> 56"},               // Left, Delete
		{"multiply 1 9\x1b[H\x1b[C\x1b[C\x1b[C\x1b[3~\x1b[F\r", "mul"}, // Home, Right: "mutiply 1 9"
		{"mult\t7 7\r", "multiply> 49"},                                // Tab: a command
		{"show --ext\t\r", `show> ["Basic", "Extra!!"]`},               // Tab: an option
		{"\x1b[A\x1b[A\x1b[B\r", `show> ["Basic", "Extra!!"]`},         // Up, Up, Down
		{"junk\x03", "^C"},                                             // Ctrl-C at the prompt
		{"status\r", "status> ok"},
	}
	for _, s := range steps {
		r.typeKeys(s.keys)
		r.expect(s.want)
		r.expect(prompt)
	}

	// Ctrl-C during a call cancels the call, and the shell goes on.
	r.typeKeys("slow\r")
	waitFor(t, ts.started, "the slow call to start")
	r.typeKeys("\x03")
	waitFor(t, ts.cancelled, "the server to see the call cancelled")
	r.expect("cancelled")
	r.expect(prompt)
	r.typeKeys("status\r")
	r.expect("status> ok")
	r.expect(prompt)
	r.typeKeys("\x04")
	if code := r.exit(); code != ExitOK {
		t.Errorf("Ctrl-D: exit %d, want 0", code)
	}

	file := filepath.Join(state, historyApp, "history")
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}

	// A second run recalls the first one's lines, newest first: status,
	// slow, status, "show --extra " (once), "multiply 7 7".
	r = startTTY(t, env, ts.url, "shell")
	r.expect(prompt)
	r.typeKeys("\x1b[A\r")
	r.expect("status> ok")
	r.expect(prompt)
	r.typeKeys("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\r")
	r.expect("multiply> 49")
	r.typeKeys("quit\r")
	if code := r.exit(); code != ExitOK {
		t.Errorf("quit: exit %d, want 0", code)
	}
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for %s", what)
	}
}

// TestShellSIGTERM checks that a SIGTERM while a line is edited puts the
// terminal back before the shell ends.
func TestShellSIGTERM(t *testing.T) {
	ts := startServer(t)
	r := startTTY(t, []string{"XDG_STATE_HOME=" + t.TempDir()}, ts.url, "shell")
	r.expect(ts.url + "> ")
	r.typeKeys("stat")
	r.expect("stat")
	if lflag(t, r.tty)&syscall.ICANON != 0 {
		t.Fatal("the terminal is not raw while a line is edited")
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.exit()
	if got := lflag(t, r.tty); got&(syscall.ICANON|syscall.ECHO) != syscall.ICANON|syscall.ECHO {
		t.Errorf("after SIGTERM the terminal stayed raw: lflag %#x", got)
	}
}

func lflag(t *testing.T, f *os.File) uint32 {
	t.Helper()
	var st syscall.Termios
	raw, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var errno syscall.Errno
	raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&st)))
	})
	if errno != 0 {
		t.Fatal(errno)
	}
	return st.Lflag
}
