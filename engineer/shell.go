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
	list, err := Split(line)
	if err != nil {
		fmt.Fprintln(c.io.Stderr, "engineer:", err)
		return ExitUsage, false
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
		fmt.Fprintln(c.io.Stderr, "engineer: this is the shell already")
		return ExitUsage, false
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
	lc := *c // the line's own options
	lc.inShell = true
	s.c = &lc
	defer func() { s.c = c }()
	lw := &words{c: &lc, list: list}
	name, _, err := lw.next()
	if err != nil {
		return lc.report(err), false
	}
	if b := builtinNamed(name); b != nil {
		return b.run(&lc, ctx, s, lw), false
	}
	return lc.run(ctx, s, name, lw.rest()), false
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
	}
	var pos []string
	for _, w := range typed {
		if !isOptionWord(w) {
			pos = append(pos, w)
		}
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
