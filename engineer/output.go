package engineer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/xbahn-go/xbahn/rpc"
)

// With --json, everything the command line prints is one JSON document on
// standard output: a result as it is, help as {"usage": ...} or the
// description of what it is about, and an error as {"error": {"message",
// "kind", "code" when the server sent one}}, its kind one of "usage",
// "unreachable", "timeout", "cancelled" and "failure". The exit statuses
// do not change.

// report prints err and returns its exit status: ExitUsage for a usage
// error, ExitFailure for the others.
func (c *cli) report(err error) int {
	code, kind := ExitFailure, errorKind(err)
	if kind == "usage" {
		code = ExitUsage
	}
	if c.json {
		c.printJSON(map[string]any{"error": errorJSON(err)})
		return code
	}
	fmt.Fprintln(c.io.Stderr, "engineer:", err)
	switch {
	case code != ExitUsage:
	case c.inShell:
		fmt.Fprintln(c.io.Stderr, "Type 'help' for the commands, 'help COMMAND' for one's usage.")
	default:
		fmt.Fprintln(c.io.Stderr, "Run 'engineer --help' for usage.")
	}
	return code
}

// errorJSON is the JSON form of err: {"message", "kind", "code" when the
// server sent one}.
func errorJSON(err error) map[string]any {
	e := map[string]any{"message": err.Error(), "kind": errorKind(err)}
	var re *rpc.Error
	if errors.As(err, &re) && re.Code != "" {
		e["code"] = string(re.Code)
	}
	return e
}

// errorKind is what kind of failure err is, for --json.
func errorKind(err error) string {
	var (
		ue *unreachableError
		te *timeoutError
	)
	switch {
	case isUsage(err):
		return "usage"
	case errors.As(err, &ue):
		return "unreachable"
	case errors.As(err, &te):
		return "timeout"
	case errors.Is(err, errCancelled):
		return "cancelled"
	}
	return "failure"
}

// printJSON writes v as one line of JSON.
func (c *cli) printJSON(v any) int {
	b, err := marshal(v)
	if err != nil {
		b, _ = marshal(map[string]any{"error": map[string]any{"message": "the result is not JSON: " + err.Error(), "kind": "failure"}})
		fmt.Fprintf(c.io.Stdout, "%s\n", b)
		return ExitFailure
	}
	fmt.Fprintf(c.io.Stdout, "%s\n", b)
	return ExitOK
}

// printText writes help or a version: as {"usage": text} in JSON.
func (c *cli) printText(text string) int {
	if c.json {
		return c.printJSON(map[string]any{"usage": text})
	}
	fmt.Fprint(c.io.Stdout, text)
	return ExitOK
}

// printResult writes the result of a command as "HOST: COMMAND> result",
// as the original does, or as JSON.
func (c *cli) printResult(host, name string, result any) int {
	if c.json {
		return c.printJSON(result)
	}
	fmt.Fprintf(c.io.Stdout, "%s: %s> %s\n", host, name, format(result))
	return ExitOK
}

// format renders a result readably: text as it is, lists and maps as JSON.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case []any, map[string]any:
		if b, err := marshal(x); err == nil {
			return spaced(b)
		}
	}
	return fmt.Sprint(v)
}

// marshal is v as compact JSON that keeps <, > and & as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// spaced is compact JSON with a space after each comma and colon between
// values, as Python's json.dumps writes it.
func spaced(compact []byte) string {
	out := make([]byte, 0, len(compact)+len(compact)/4)
	in, escaped := false, false
	for _, ch := range compact {
		out = append(out, ch)
		switch {
		case escaped:
			escaped = false
		case in && ch == '\\':
			escaped = true
		case ch == '"':
			in = !in
		case !in && (ch == ',' || ch == ':'):
			out = append(out, ' ')
		}
	}
	return string(out)
}

// writeHostHelp prints the usage with the host's commands.
func (c *cli) writeHostHelp(ctx context.Context, s *session) int {
	cmds, err := s.list(ctx)
	if err != nil {
		return c.report(err)
	}
	if c.json {
		list := make([]any, len(cmds))
		for i, cmd := range cmds {
			list[i] = map[string]any{"name": cmd.Name, "description": summary(cmd.Description)}
		}
		return c.printJSON(map[string]any{"commands": list})
	}
	fmt.Fprint(c.io.Stdout, c.mainUsage(cmds))
	return ExitOK
}

// writeCommandHelp prints the usage of a command of the host.
func (c *cli) writeCommandHelp(s *session, cmd *Command) int {
	if c.json {
		return c.printJSON(cmd.describe())
	}
	cmd.WriteHelp(c.io.Stdout, s.host)
	return ExitOK
}
