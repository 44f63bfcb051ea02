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
	return nil, fmt.Errorf("%v is not a %s", v, typeOf(t))
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

// describe returns the command's description as a wire value.
func (c *Command) describe() map[string]any {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		args[i] = map[string]any{"name": a.Name, "type": string(typeOf(a.Type)), "help": a.Help}
	}
	opts := make([]any, len(c.Options))
	for i, o := range c.Options {
		opts[i] = map[string]any{"name": o.Name, "type": string(typeOf(o.Type)), "default": o.Default, "help": o.Help}
	}
	return map[string]any{"name": c.Name, "description": c.Description, "arguments": args, "options": opts}
}

// undescribe makes a Command from a description received over the wire.
func undescribe(v any) (Command, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Command{}, fmt.Errorf("command description is %T, not a map", v)
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	c := Command{Name: str(m, "name"), Description: str(m, "description")}
	if c.Name == "" {
		return Command{}, fmt.Errorf("command description without a name")
	}
	args, _ := m["arguments"].([]any)
	for _, a := range args {
		am, _ := a.(map[string]any)
		c.Args = append(c.Args, Arg{Name: str(am, "name"), Type: Type(str(am, "type")), Help: str(am, "help")})
	}
	opts, _ := m["options"].([]any)
	for _, o := range opts {
		om, _ := o.(map[string]any)
		c.Options = append(c.Options, Option{Name: str(om, "name"), Type: Type(str(om, "type")), Default: om["default"], Help: str(om, "help")})
	}
	return c, nil
}
