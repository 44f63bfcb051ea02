package engineer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/xbahn-go/xbahn/engineer/internal/term"
)

// historyApp names the shell's history file: under the user's state
// directory, in "xbahn-engineer/history".
const historyApp = "xbahn-engineer"

// shellCommand is "HOST shell": it reads command lines and runs them
// until quit, exit, Ctrl-D or the end of the input.
//
// On a terminal it edits lines (history kept across runs, Tab completing
// commands and options from the host's table), and Ctrl-C cancels the
// command that runs, or clears the line. Reading a script, it prints no
// prompt and exits with status 1 if a command failed, or stops at the
// first failure with --exit-on-error.
func (c *cli) shellCommand(ctx context.Context, s *session, w *words) int {
	if extra, more, err := w.next(); err != nil || more {
		return c.report(firstErr(err, &UsageError{Msg: "shell takes no argument, not " + quote(extra)}))
	}
	f, _ := c.io.Stdin.(*os.File)
	tty := f != nil && term.IsTerminal(f.Fd())
	var (
		read       func(prompt string) (string, error)
		interrupts chan os.Signal
	)
	if tty {
		ed, err := term.New(term.Config{
			In:          f,
			Out:         c.io.Stdout,
			HistoryFile: term.DefaultHistoryFile(historyApp),
			Complete: func(line string, pos int) (int, []string) {
				// A Tab must not hang the shell for the whole timeout.
				ctx, cancel := context.WithTimeout(ctx, completeWait)
				defer cancel()
				return s.completeLine(ctx, line[:pos])
			},
		})
		if err != nil {
			return c.report(err)
		}
		read = ed.ReadLine
		// Ctrl-C is a byte while a line is edited, SIGINT while a command
		// runs: caught for the whole shell, it never kills it.
		interrupts = make(chan os.Signal, 1)
		signal.Notify(interrupts, os.Interrupt)
		defer signal.Stop(interrupts)
		defer restoreOnSignal(ed)()
	} else {
		in := bufio.NewReader(c.io.Stdin)
		read = func(string) (string, error) {
			line, err := in.ReadString('\n')
			if err == io.EOF && line != "" {
				err = nil
			}
			return strings.TrimRight(line, "\r\n"), err
		}
	}
	failed := false
	for {
		line, err := read(s.host + "> ")
		switch {
		case errors.Is(err, term.ErrInterrupted):
			continue
		case errors.Is(err, io.EOF):
			return shellStatus(tty, failed)
		case err != nil:
			return c.report(err)
		}
		code, quit := c.shellLine(ctx, s, line, interrupts)
		if quit {
			return shellStatus(tty, failed)
		}
		if code != ExitOK {
			failed = true
			if c.exitOnError && !tty {
				return code
			}
		}
	}
}

// restoreOnSignal has a SIGTERM or SIGHUP put the terminal back before it
// ends the program, as it would have; the returned function stops that.
func restoreOnSignal(ed *term.Editor) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case sig := <-sigs:
			ed.Restore()
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(sig) // now with its default effect
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
		<-stopped
	}
}

// shellStatus is the shell's exit status: a script whose commands failed
// fails.
func shellStatus(tty, failed bool) int {
	if failed && !tty {
		return ExitFailure
	}
	return ExitOK
}

// shellLine runs one line of the shell: a host's command, a builtin, help
// or quit; a line whose first word starts with "#" is a comment. The
// line's options hold for the line alone. On a terminal, an interrupt
// cancels what the line runs.
func (c *cli) shellLine(ctx context.Context, s *session, line string, interrupts <-chan os.Signal) (code int, quit bool) {
	lc := *c // the line's own options
	lc.inShell = true
	list, err := Split(line)
	if err != nil {
		return lc.report(&UsageError{Msg: err.Error()}), false
	}
	if len(list) == 0 || strings.HasPrefix(list[0], "#") { // blank, or a comment
		return ExitOK, false
	}
	switch list[0] {
	case "quit", "exit":
		return ExitOK, true
	case "?":
		list[0] = "help"
	case "shell":
		return lc.report(&UsageError{Msg: "this is the shell already"}), false
	}
	if interrupts != nil {
		select {
		case <-interrupts: // one that came between lines
		default:
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			select {
			case <-interrupts:
				cancel()
			case <-stop:
			}
		}()
		defer func() { close(stop); <-stopped; cancel() }()
	}
	lc.help, lc.version = helpOrVersion(list)
	s.c = &lc
	defer func() { s.c = c }()
	lw := &words{c: &lc, list: list}
	name, ok, err := lw.next()
	switch {
	case err != nil:
		return lc.report(err), false
	case !ok && lc.version:
		return lc.printText("engineer, version " + Version() + "\n"), false
	case !ok: // options alone
		return lc.writeHostHelp(ctx, s), false
	}
	return lc.dispatch(ctx, s, name, lw), false
}

// completeLine completes the last word of a shell line: it returns where
// that word starts and what can replace it.
func (s *session) completeLine(ctx context.Context, line string) (int, []string) {
	typed, err := Split(line)
	if err != nil {
		return len(line), nil
	}
	cur := ""
	if !strings.HasSuffix(line, " ") && len(typed) > 0 {
		cur, typed = typed[len(typed)-1], typed[:len(typed)-1]
		if !strings.HasSuffix(line, cur) {
			return len(line), nil // a quoted word: not completed
		}
	}
	lc := *s.c // options typed on the line are the line's
	lc.inShell = true
	pos, isValue := lc.positional(typed)
	if isValue {
		return len(line), nil
	}
	cands := s.candidates(ctx, pos, cur)
	if len(pos) == 0 && !strings.HasPrefix(cur, "-") {
		cands = append(cands, "quit")
	}
	if strings.HasPrefix(cur, "-") {
		cands = append(cands, s.c.optionWords()...)
	}
	var out []string
	for _, cand := range cands {
		if strings.HasPrefix(cand, cur) {
			out = append(out, cand)
		}
	}
	return len(line) - len(cur), out
}

// Split splits a command line into words as a POSIX shell does with
// quotes: 'single' quotes keep everything, "double" quotes and bare words
// take backslash escapes.
func Split(line string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // a word is open
		quote byte
	)
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote == '\'':
			if ch == '\'' {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '\\':
			if i+1 == len(line) {
				return nil, errors.New("line ends with a backslash")
			}
			i++
			cur.WriteByte(line[i])
			in = true
		case quote == '"':
			if ch == '"' {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			quote, in = ch, true
		case ch == ' ' || ch == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
