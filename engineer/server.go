package engineer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/widget"
)

// WidgetName is the name of the widget through which the command line
// reaches a server's commands.
const WidgetName = "engineer"

// Discovery calls, named as in the original.
const (
	methodList = "engineer_list_commands"
	methodInfo = "engineer_info"
)

// textNoCommand starts the original's answer to engineer_info of a name
// that is no command; the name follows.
const textNoCommand = "Engineer action not exposed: "

// reserved are the names a command cannot have: the discovery calls and
// the command line's own commands.
var reserved = []string{methodList, methodInfo, "shell", "help", "methods", "describe", "call", "quit", "exit"}

// Serve offers cmds on the rpc server behind host, as the widget
// "engineer", once per host. It checks the declarations first: names,
// types, defaults of the declared type. An option may be named as click
// declares it, "--extra/--no-extra" for a Bool or "--count".
func Serve(host *widget.Host, cmds []Command) error {
	byName := map[string]*Command{}
	for i := range cmds {
		c, err := checked(cmds[i])
		if err != nil {
			return err
		}
		if _, dup := byName[c.Name]; dup {
			return fmt.Errorf("engineer: command %s declared twice", quote(c.Name))
		}
		byName[c.Name] = c
	}
	err := host.Register(WidgetName, func(*widget.Instance) any { return &serverSide{byName} })
	if err != nil {
		return fmt.Errorf("engineer: this host serves commands already: %w", err)
	}
	return nil
}

// checked returns a copy of c with its options' names in the plain form,
// or what is wrong with its declaration.
func checked(c Command) (*Command, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("engineer: command %s: %s", quote(c.Name), fmt.Sprintf(format, a...))
	}
	if !validName(c.Name) {
		return nil, fmt.Errorf("engineer: command name %s is not letters, digits, '_' and '-'", quote(c.Name))
	}
	if slices.Contains(reserved, c.Name) {
		return nil, fmt.Errorf("engineer: %s is a reserved name", quote(c.Name))
	}
	if c.Run == nil {
		return nil, bad("no Run function")
	}
	seen := map[string]bool{}
	name := func(kind, n string) error {
		if !validName(n) {
			return bad("%s name %s is not letters, digits, '_' and '-'", kind, quote(n))
		}
		if kind == "option" && (n == "help" || n == "h") {
			return bad("option %s would hide the command line's own", quote(n))
		}
		k := strings.ReplaceAll(n, "_", "-") // a_b and a-b are the same --a-b
		if seen[k] {
			return bad("%s declared twice", quote(n))
		}
		seen[k] = true
		return nil
	}
	for _, a := range c.Args {
		if err := name("argument", a.Name); err != nil {
			return nil, err
		}
		if !knownType(a.Type) {
			return nil, bad("argument %s: type %s is not string, int, float or bool", quote(a.Name), quote(string(a.Type)))
		}
	}
	opts := make([]Option, len(c.Options))
	for i, o := range c.Options {
		if n, isPair := clickName(o.Name); n != o.Name {
			if isPair {
				if o.Type != "" && o.Type != Bool {
					return nil, bad("option %s is an on/off pair, not %s", o.Name, article(o.Type))
				}
				o.Type = Bool
			}
			o.Name = n
		}
		if err := name("option", o.Name); err != nil {
			return nil, err
		}
		if !knownType(o.Type) {
			return nil, bad("option %s: type %s is not string, int, float or bool", o.flag(), quote(string(o.Type)))
		}
		if o.Default != nil {
			if _, err := coerce(o.Type, o.Default); err != nil {
				return nil, bad("option %s: default %v is not %s", o.flag(), o.Default, article(typeOf(o.Type)))
			}
		}
		opts[i] = o
	}
	c.Options = opts
	c.Args = slices.Clone(c.Args)
	return &c, nil
}

// clickName turns an option name as click declares it, "--x" or
// "--x/--no-x", into the plain name x, and reports the pair form. Other
// names come back as they are.
func clickName(decl string) (name string, pair bool) {
	long, off, isPair := strings.Cut(decl, "/")
	if !strings.HasPrefix(long, "--") {
		return decl, false
	}
	n := strings.ReplaceAll(long[2:], "-", "_")
	if isPair && off != "--no-"+long[2:] {
		return decl, false
	}
	return n, isPair
}

func knownType(t Type) bool {
	switch t {
	case "", String, Int, Float, Bool:
		return true
	}
	return false
}

// validName reports whether s is a name the command line can type and a
// path segment can carry: no option's dash first.
func validName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// serverSide is the engineer widget on a server.
type serverSide struct {
	cmds map[string]*Command
}

// CallMethod answers the discovery calls and runs commands.
func (s *serverSide) CallMethod(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error) {
	switch method {
	case methodList:
		names := make([]string, 0, len(s.cmds))
		for n := range s.cmds {
			names = append(names, n)
		}
		slices.Sort(names)
		list := make([]any, len(names))
		for i, n := range names {
			list[i] = n
		}
		return list, nil
	case methodInfo:
		var name any
		switch {
		case len(args) == 1 && len(kwargs) == 0:
			name = args[0]
		case len(args) == 0 && len(kwargs) == 1 && kwargs["action"] != nil:
			name = kwargs["action"] // the original's parameter name
		default:
			return nil, fmt.Errorf("%s takes the command's name", methodInfo)
		}
		c := s.cmds[fmt.Sprint(name)]
		if c == nil {
			return nil, fmt.Errorf("%s%v", textNoCommand, name)
		}
		return c.describe(), nil
	}
	c := s.cmds[method]
	if c == nil {
		return nil, &rpc.NotExposedError{Method: method}
	}
	v, err := c.values(args, kwargs)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx, v)
}

// values checks what a caller sent against the declaration: arguments
// by position or name, options by name, defaults for missing options.
func (c *Command) values(args []any, kwargs map[string]any) (Values, error) {
	if len(args) > len(c.Args) {
		return nil, fmt.Errorf("%s takes %d arguments, %d given", c.Name, len(c.Args), len(args))
	}
	v := Values{}
	for i, a := range c.Args {
		raw, ok := kwargs[a.Name]
		if i < len(args) {
			raw, ok = args[i], true
		}
		if !ok {
			return nil, fmt.Errorf("%s is missing argument %s", c.Name, quote(a.Name))
		}
		x, err := coerce(a.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: argument %s: %w", c.Name, quote(a.Name), err)
		}
		v[a.Name] = x
	}
	for _, o := range c.Options {
		raw, ok := kwargs[o.Name]
		if !ok {
			raw = o.Default
		}
		if raw == nil {
			continue
		}
		x, err := coerce(o.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: option %s: %w", c.Name, o.flag(), err)
		}
		v[o.Name] = x
	}
	for k := range kwargs {
		if !c.declares(k) {
			return nil, fmt.Errorf("%s has no argument or option %s", c.Name, quote(k))
		}
	}
	return v, nil
}

func (c *Command) declares(name string) bool {
	for _, a := range c.Args {
		if a.Name == name {
			return true
		}
	}
	for _, o := range c.Options {
		if o.Name == name {
			return true
		}
	}
	return false
}

func quote(s string) string { return strconv.Quote(s) }
