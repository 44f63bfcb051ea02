package engineer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// shell reads command lines from standard input and runs them until quit,
// exit or the end of the input. A prompt is shown only on a terminal.
func (c *cli) shell(ctx context.Context, host string, t *Table) int {
	prompt := isTerminal(c.io.Stdin)
	in := bufio.NewScanner(c.io.Stdin)
	for {
		if prompt {
			fmt.Fprintf(c.io.Stdout, "%s> ", host)
		}
		if !in.Scan() {
			if prompt {
				fmt.Fprintln(c.io.Stdout)
			}
			return ExitOK
		}
		words, err := Split(in.Text())
		if err != nil {
			fmt.Fprintln(c.io.Stderr, "engineer:", err)
			continue
		}
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "quit", "exit":
			return ExitOK
		case "help", "?":
			if len(words) > 1 {
				cmd, err := c.lookup(ctx, t, words[1])
				switch {
				case errors.Is(err, ErrNoCommand):
					fmt.Fprintf(c.io.Stderr, "engineer: no command %q\n", words[1])
				case err != nil:
					fmt.Fprintln(c.io.Stderr, "engineer:", err)
				default:
					cmd.WriteHelp(c.io.Stdout, host)
				}
				continue
			}
			cmds, err := t.Commands(ctx)
			if err != nil {
				fmt.Fprintln(c.io.Stderr, "engineer:", err)
				continue
			}
			fmt.Fprintln(c.io.Stdout, "Commands:")
			for _, cmd := range cmds {
				writeEntry(c.io.Stdout, cmd.Name, summary(cmd.Description))
			}
			writeEntry(c.io.Stdout, "help [COMMAND]", "show this list, or a command's usage")
			writeEntry(c.io.Stdout, "quit", "leave the shell")
			continue
		}
		// Errors are reported and the shell goes on.
		c.run(ctx, host, t, words)
	}
}

func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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
