package engineer

import (
	"context"
	"fmt"
	"slices"
	"strconv"

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

// Serve offers cmds on the rpc server behind host, as the widget
// "engineer".
func Serve(host *widget.Host, cmds []Command) error {
	byName := map[string]*Command{}
	for i := range cmds {
		c := &cmds[i]
		if c.Name == "" || c.Run == nil {
			return fmt.Errorf("engineer: command %s needs a name and a Run function", strconv.Quote(c.Name))
		}
		if c.Name == methodList || c.Name == methodInfo || c.Name == "shell" {
			return fmt.Errorf("engineer: %s is a reserved name", strconv.Quote(c.Name))
		}
		if _, dup := byName[c.Name]; dup {
			return fmt.Errorf("engineer: command %s declared twice", strconv.Quote(c.Name))
		}
		byName[c.Name] = c
	}
	return host.Register(WidgetName, func(*widget.Instance) any { return &serverSide{byName} })
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
