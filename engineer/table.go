package engineer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// Table is the commands of one server, as the command line knows them.
type Table struct {
	Commands []Command // by name
	w        *widget.Widget
}

// Discover asks the server behind c for its commands.
func Discover(ctx context.Context, c *rpc.Client) (*Table, error) {
	w, err := widget.Attach(ctx, c, WidgetName, WidgetName, nil)
	if err != nil {
		return nil, err
	}
	list, err := w.Call(ctx, methodList)
	if err != nil {
		return nil, err
	}
	entries, _ := list.([]any)
	t := &Table{w: w}
	for _, e := range entries {
		pair, _ := e.([]any)
		if len(pair) != 2 {
			return nil, errors.New("engineer: malformed command list")
		}
		name, _ := pair[0].(string)
		info, err := w.Call(ctx, methodInfo, name)
		if err != nil {
			return nil, err
		}
		cmd, err := undescribe(info)
		if err != nil {
			return nil, err
		}
		t.Commands = append(t.Commands, cmd)
	}
	return t, nil
}

// Lookup returns the command called name, or nil.
func (t *Table) Lookup(name string) *Command {
	for i := range t.Commands {
		if t.Commands[i].Name == name {
			return &t.Commands[i]
		}
	}
	return nil
}

// Call runs the command called name on the server with v: arguments in
// their order, options by name.
func (t *Table) Call(ctx context.Context, name string, v Values) (any, error) {
	c := t.Lookup(name)
	if c == nil {
		return nil, &UsageError{Msg: "no command " + strconv.Quote(name)}
	}
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		args[i] = v[a.Name]
	}
	kwargs := map[string]any{}
	for _, o := range c.Options {
		if x, ok := v[o.Name]; ok {
			kwargs[o.Name] = x
		}
	}
	return t.w.CallKw(ctx, name, args, kwargs)
}

// UsageError is a command line that does not fit a command: a missing or
// extra argument, a value of the wrong type, an unknown option. Main exits
// with status 2 for it.
type UsageError struct {
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// Parse turns command-line words into the command's Values: options
// (--name value, --name=value, and --name or --no-name for Bool options)
// anywhere, the arguments in order, and "--" to end the options. A word
// that is a number, such as -3, is an argument.
func (c *Command) Parse(words []string) (Values, error) {
	v := Values{}
	var rest []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			rest = append(rest, words[i+1:]...)
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" || isNumber(w) {
			rest = append(rest, w)
			continue
		}
		name, text, hasText := strings.Cut(strings.TrimLeft(w, "-"), "=")
		o, on := c.option(name)
		if o == nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: %s is not an option", c.Name, w)}
		}
		if typeOf(o.Type) == Bool && !hasText {
			v[o.Name] = on
			continue
		}
		if !hasText {
			if i+1 == len(words) {
				return nil, &UsageError{Msg: fmt.Sprintf("%s: option --%s needs a value", c.Name, o.Name)}
			}
			i++
			text = words[i]
		}
		x, err := parse(o.Type, text)
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: option --%s: %q is not a %s", c.Name, o.Name, text, typeOf(o.Type))}
		}
		v[o.Name] = x
	}
	if len(rest) < len(c.Args) {
		return nil, &UsageError{Msg: fmt.Sprintf("%s: missing argument %s", c.Name, strings.ToUpper(c.Args[len(rest)].Name))}
	}
	if len(rest) > len(c.Args) {
		return nil, &UsageError{Msg: fmt.Sprintf("%s: unexpected argument %q", c.Name, rest[len(c.Args)])}
	}
	for i, a := range c.Args {
		x, err := parse(a.Type, rest[i])
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: argument %s: %q is not a %s", c.Name, strings.ToUpper(a.Name), rest[i], typeOf(a.Type))}
		}
		v[a.Name] = x
	}
	return v, nil
}

// option returns the option called name, or for "no-x" the Bool option x
// turned off.
func (c *Command) option(name string) (o *Option, on bool) {
	for i := range c.Options {
		if c.Options[i].Name == name {
			return &c.Options[i], true
		}
	}
	if base, ok := strings.CutPrefix(name, "no-"); ok {
		for i := range c.Options {
			if c.Options[i].Name == base && typeOf(c.Options[i].Type) == Bool {
				return &c.Options[i], false
			}
		}
	}
	return nil, false
}

func isNumber(w string) bool {
	_, err := strconv.ParseFloat(w, 64)
	return err == nil
}

// WriteHelp writes the usage of the command.
func (c *Command) WriteHelp(w io.Writer, host string) {
	fmt.Fprintf(w, "Usage: %s\n", c.Usage(host))
	if c.Description != "" {
		fmt.Fprintf(w, "\n  %s\n", c.Description)
	}
	if len(c.Args) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		for _, a := range c.Args {
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-22s %s", strings.ToUpper(a.Name)+" "+string(typeOf(a.Type)), a.Help), " "))
		}
	}
	fmt.Fprintln(w, "\nOptions:")
	for _, o := range c.Options {
		name := "--" + o.Name + " " + strings.ToUpper(string(typeOf(o.Type)))
		if typeOf(o.Type) == Bool {
			name = "--" + o.Name + " / --no-" + o.Name
		}
		help := o.Help
		if o.Default != nil {
			help += fmt.Sprintf(" (default %v)", o.Default)
		}
		fmt.Fprintf(w, "  %-22s %s\n", name, strings.TrimSpace(help))
	}
	fmt.Fprintf(w, "  %-22s %s\n", "--help", "Show this message and exit.")
}
