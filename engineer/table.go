package engineer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// Table is the commands of one server, as the command line knows them. It
// asks the server only for what it needs, the way the original's command
// line does: the list of names for help, one command's description to
// run it, and keeps what it learned.
type Table struct {
	w *widget.Widget

	mu    sync.Mutex
	names []string            // nil until listed
	cmds  map[string]*Command // described so far
}

// ErrNoCommand is a command name the server does not offer.
var ErrNoCommand = errors.New("engineer: no such command")

// Discover attaches to the engineer widget of the server behind c, as the
// original's command line does, and returns a Table that describes its
// commands on demand.
func Discover(ctx context.Context, c *rpc.Client) (*Table, error) {
	w, err := widget.Attach(ctx, c, WidgetName, WidgetName, nil)
	if err != nil {
		return nil, err
	}
	return &Table{w: w, cmds: map[string]*Command{}}, nil
}

// Names returns the names of the server's commands, sorted
// (engineer_list_commands).
func (t *Table) Names(ctx context.Context) ([]string, error) {
	t.mu.Lock()
	names := t.names
	t.mu.Unlock()
	if names != nil {
		return names, nil
	}
	v, err := t.w.Call(ctx, methodList)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("engineer: the command list is %s", describeValue(v))
	}
	names = make([]string, 0, len(list))
	for _, e := range list {
		name, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("engineer: the command list holds %s, not a name", describeValue(e))
		}
		names = append(names, name)
	}
	slices.Sort(names)
	t.mu.Lock()
	t.names = names
	t.mu.Unlock()
	return names, nil
}

// Lookup returns the command called name (engineer_info), or an error
// matching ErrNoCommand if the server has none.
func (t *Table) Lookup(ctx context.Context, name string) (*Command, error) {
	t.mu.Lock()
	c := t.cmds[name]
	t.mu.Unlock()
	if c != nil {
		return c, nil
	}
	v, err := t.w.Call(ctx, methodInfo, name)
	var re *rpc.Error
	if errors.As(err, &re) && strings.HasPrefix(re.Message, textNoCommand) {
		return nil, fmt.Errorf("%w: %s", ErrNoCommand, strconv.Quote(name))
	}
	if err != nil {
		return nil, err
	}
	cmd, err := undescribe(name, v)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.cmds[name] = &cmd
	t.mu.Unlock()
	return &cmd, nil
}

// Commands returns every command of the server, sorted by name, asking
// for the descriptions it does not know yet one by one, as the original
// does.
func (t *Table) Commands(ctx context.Context) ([]*Command, error) {
	names, err := t.Names(ctx)
	if err != nil {
		return nil, err
	}
	cmds := make([]*Command, 0, len(names))
	for _, n := range names {
		c, err := t.Lookup(ctx, n)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// Call runs the command called name on the server with v, as the
// original's command line calls: every value in kwargs by name, options
// with their defaults included, and no positional arguments.
func (t *Table) Call(ctx context.Context, name string, v Values) (any, error) {
	c, err := t.Lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	kwargs := map[string]any{}
	for _, a := range c.Args {
		if x, ok := v[a.Name]; ok {
			kwargs[a.Name] = x
		}
	}
	for _, o := range c.Options {
		if x, ok := v[o.Name]; ok {
			kwargs[o.Name] = x
		} else if o.Default != nil {
			kwargs[o.Name] = o.Default
		}
	}
	return t.w.CallKw(ctx, name, nil, kwargs)
}

// describeValue names the kind of a wire value for an error message.
func describeValue(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// Parse turns command-line words into the command's Values: options
// (--name value, --name=value, and --name or --no-name for Bool options)
// anywhere, the arguments in order, and "--" to end the options. A word
// that is a number, such as -3, is an argument.
func (c *Command) Parse(words []string) (Values, error) { return c.parse(words, nil) }

// otherOption applies an option word that is not the command's, given
// its name without dashes and any "=" text; it reports false for a word
// it does not know either. value takes the next word as the option's.
type otherOption func(name, text string, hasText bool, value func(flag string) (string, error)) (bool, error)

// parse is Parse, handing the options that are not the command's to other.
func (c *Command) parse(words []string, other otherOption) (Values, error) {
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
		if o == nil && other != nil {
			next := func(flag string) (string, error) {
				if i+1 == len(words) {
					return "", &UsageError{Msg: "option " + flag + " needs a value"}
				}
				i++
				return words[i], nil
			}
			took, err := other(name, text, hasText, next)
			if err != nil {
				return nil, err
			}
			if took {
				continue
			}
		}
		if o == nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: --%s is not an option", c.Name, name)}
		}
		if typeOf(o.Type) == Bool {
			if hasText {
				b, err := strconv.ParseBool(text)
				if err != nil || !on {
					return nil, &UsageError{Msg: fmt.Sprintf("%s: option %s: %q is not true or false", c.Name, o.flag(), text)}
				}
				on = b
			}
			v[o.Name] = on
			continue
		}
		if !hasText {
			if i+1 == len(words) {
				return nil, &UsageError{Msg: fmt.Sprintf("%s: option %s needs a value", c.Name, o.flag())}
			}
			i++
			text = words[i]
		}
		x, err := parse(o.Type, text)
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("%s: option %s: %q is not %s", c.Name, o.flag(), text, article(typeOf(o.Type)))}
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
			return nil, &UsageError{Msg: fmt.Sprintf("%s: argument %s: %q is not %s", c.Name, strings.ToUpper(a.Name), rest[i], article(typeOf(a.Type)))}
		}
		v[a.Name] = x
	}
	return v, nil
}

// option returns the option whose flag is --name, or for "no-x" the Bool
// option x turned off.
func (c *Command) option(name string) (o *Option, on bool) {
	for i := range c.Options {
		if c.Options[i].flag() == "--"+name {
			return &c.Options[i], true
		}
	}
	if base, ok := strings.CutPrefix(name, "no-"); ok {
		for i := range c.Options {
			if c.Options[i].flag() == "--"+base && typeOf(c.Options[i].Type) == Bool {
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
	if desc := dedent(c.Description); desc != "" {
		fmt.Fprintf(w, "\n  %s\n", strings.ReplaceAll(desc, "\n", "\n  "))
	}
	if len(c.Args) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		for _, a := range c.Args {
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-22s %s", strings.ToUpper(a.Name)+" "+string(typeOf(a.Type)), a.Help), " "))
		}
	}
	fmt.Fprintln(w, "\nOptions:")
	for _, o := range c.Options {
		name := o.flag() + " " + strings.ToUpper(string(typeOf(o.Type)))
		if typeOf(o.Type) == Bool {
			name = o.flag() + " / --no-" + o.flag()[2:]
		}
		help := o.Help
		if o.Default != nil {
			help += fmt.Sprintf(" (default %v)", o.Default)
		}
		fmt.Fprintf(w, "  %-22s %s\n", name, strings.TrimSpace(help))
	}
	fmt.Fprintf(w, "  %-22s %s\n", "--help", "Show this message and exit.")
}
