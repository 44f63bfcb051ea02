package engineer

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/rpc"
)

// Type is the type of an argument or option value.
type Type string

// Types of values.
const (
	String Type = "string"
	Int    Type = "int"
	Float  Type = "float"
	Bool   Type = "bool"
)

// Command is a command an engineer server offers.
type Command struct {
	Name        string
	Description string
	Args        []Arg    // positional arguments, in this order
	Options     []Option // --name options
	// Run runs the command on the server. It is nil in a Table made by
	// Discover.
	Run func(ctx context.Context, v Values) (any, error)
}

// Arg is a positional argument.
type Arg struct {
	Name string
	Type Type // String when empty
	Help string
}

// Option is a --name option. A Bool option is a --name/--no-name pair.
type Option struct {
	Name    string
	Type    Type // String when empty
	Default any
	Help    string
}

// Values are the arguments and options of one run of a command, by name,
// converted to their declared types.
type Values map[string]any

// String returns the value of a String argument or option.
func (v Values) String(name string) string { s, _ := v[name].(string); return s }

// Int returns the value of an Int argument or option.
func (v Values) Int(name string) int64 { n, _ := v[name].(int64); return n }

// Float returns the value of a Float argument or option.
func (v Values) Float(name string) float64 { f, _ := v[name].(float64); return f }

// Bool returns the value of a Bool argument or option.
func (v Values) Bool(name string) bool { b, _ := v[name].(bool); return b }

func typeOf(t Type) Type {
	if t == "" {
		return String
	}
	return t
}

// parse converts the text s to a value of type t.
func parse(t Type, s string) (any, error) {
	switch typeOf(t) {
	case Int:
		return strconv.ParseInt(s, 10, 64)
	case Float:
		return strconv.ParseFloat(s, 64)
	case Bool:
		return strconv.ParseBool(s)
	case String:
		return s, nil
	}
	return nil, fmt.Errorf("unknown type %s", t)
}

// coerce converts a wire value to type t, for values that came over the
// wire or as defaults: text is parsed, numbers and booleans convert as
// rpc.Convert converts them (an int64 makes a Float, an integral float64
// in range an Int).
func coerce(t Type, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return parse(t, x)
	case int:
		v = int64(x)
	}
	if v != nil {
		switch typeOf(t) {
		case Int:
			var n int64
			if rpc.Convert(v, &n) == nil {
				return n, nil
			}
		case Float:
			var f float64
			if rpc.Convert(v, &f) == nil {
				return f, nil
			}
		case Bool:
			var b bool
			if rpc.Convert(v, &b) == nil {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("%v is not %s", v, article(typeOf(t)))
}

// article returns the name of type t with its indefinite article: "an
// int", "a string".
func article(t Type) string {
	if strings.ContainsRune("aeiou", rune(t[0])) {
		return "an " + string(t)
	}
	return "a " + string(t)
}

// Usage returns the usage line of the command, for host.
func (c *Command) Usage(host string) string {
	var b strings.Builder
	b.WriteString("engineer " + host + " " + c.Name)
	if len(c.Options) > 0 {
		b.WriteString(" [OPTIONS]")
	}
	for _, a := range c.Args {
		b.WriteString(" " + strings.ToUpper(a.Name))
	}
	return b.String()
}

// flag returns the command-line flag of the option: --name with '_'
// written '-', as click derives a parameter's name from its flag the other
// way round.
func (o *Option) flag() string { return "--" + strings.ReplaceAll(o.Name, "_", "-") }

// describe returns the command's description as the original's
// engineer_info answers it: the description (null when empty) and
// click's declarations of its arguments and options, {"args": [...],
// "kwargs": {...}}, which the original's command line passes to
// click.argument and click.option. The types and the arguments' help,
// which click's declarations cannot carry, go beside them as "type" and
// "help"; the original ignores them.
func (c *Command) describe() map[string]any {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		entry := map[string]any{"args": []any{a.Name}, "kwargs": map[string]any{}, "type": string(typeOf(a.Type))}
		if a.Help != "" {
			entry["help"] = a.Help
		}
		args[i] = entry
	}
	opts := make([]any, len(c.Options))
	for i, o := range c.Options {
		decl := o.flag()
		kwargs := map[string]any{}
		if typeOf(o.Type) == Bool {
			decl += "/--no-" + decl[2:]
			if o.Default == nil {
				kwargs["default"] = false
			}
		}
		if o.Default != nil {
			kwargs["default"] = o.Default
		}
		if o.Help != "" {
			kwargs["help"] = o.Help
		}
		opts[i] = map[string]any{"args": []any{decl}, "kwargs": kwargs, "type": string(typeOf(o.Type))}
	}
	var desc any
	if c.Description != "" {
		desc = c.Description
	}
	return map[string]any{"description": desc, "arguments": args, "options": opts}
}

// undescribe makes the Command called name from what engineer_info
// answered, ours or the original's. Without a declared type, an argument
// is a String and an option takes the type of its default; a
// "--x/--no-x" option or one with is_flag is a Bool.
func undescribe(name string, v any) (Command, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Command{}, fmt.Errorf("engineer: the description of %s is %T, not a map", name, v)
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	c := Command{Name: name, Description: str(m, "description")}
	args, _ := m["arguments"].([]any)
	for _, a := range args {
		am, _ := a.(map[string]any)
		decls, _ := am["args"].([]any)
		if len(decls) == 0 {
			return Command{}, fmt.Errorf("engineer: %s declares an argument without a name", name)
		}
		an, _ := decls[0].(string)
		kw, _ := am["kwargs"].(map[string]any)
		c.Args = append(c.Args, Arg{Name: an, Type: Type(str(am, "type")), Help: firstOf(str(am, "help"), str(kw, "help"))})
	}
	opts, _ := m["options"].([]any)
	for _, o := range opts {
		om, _ := o.(map[string]any)
		decls, _ := om["args"].([]any)
		kw, _ := om["kwargs"].(map[string]any)
		opt := Option{Type: Type(str(om, "type")), Default: kw["default"], Help: str(kw, "help")}
		for _, d := range decls {
			d, _ := d.(string)
			long, _, isPair := strings.Cut(d, "/")
			switch {
			case !strings.HasPrefix(d, "-"):
				opt.Name = d // an explicit parameter name
			case strings.HasPrefix(long, "--") && opt.Name == "":
				opt.Name = strings.ReplaceAll(long[2:], "-", "_")
			}
			if isPair {
				opt.Type = Bool
			}
		}
		if flag, _ := kw["is_flag"].(bool); flag {
			opt.Type = Bool
		}
		if opt.Name == "" {
			return Command{}, fmt.Errorf("engineer: %s declares an option without a --name", name)
		}
		if opt.Type == "" {
			opt.Type = typeOfValue(opt.Default)
		}
		c.Options = append(c.Options, opt)
	}
	return c, nil
}

// typeOfValue is the Type of a wire value, String for none.
func typeOfValue(v any) Type {
	switch v.(type) {
	case bool:
		return Bool
	case int64, uint64:
		return Int
	case float64:
		return Float
	}
	return String
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// summary is the first line of a description, as a list of commands shows
// it; the original's descriptions are Python docstrings, indented.
func summary(desc string) string {
	for _, line := range strings.Split(desc, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// dedent returns a description without the indentation and blank edges of
// a docstring.
func dedent(desc string) string {
	lines := strings.Split(strings.TrimSpace(desc), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
