package engineer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xbahn-go/xbahn/rpc"
)

// The builtins methods, describe and call reach the functions of any rpc
// server, not only the commands it declares: methods and describe through
// its description (rpc.MethodDescribe, which servers of ours answer), call
// through a plain call, which the original's servers take too.

// methods is "HOST methods".
func (c *cli) methods(ctx context.Context, s *session, w *words) int {
	if extra, more, err := w.next(); err != nil || more {
		return c.report(firstErr(err, &UsageError{Msg: "methods takes no argument, not " + quote(extra)}))
	}
	ctx, done := s.op(ctx)
	defer done()
	ms, err := s.client.Methods(ctx)
	if err != nil {
		return c.report(s.describeErr(ctx, err))
	}
	if c.json {
		list := make([]any, len(ms))
		for i, m := range ms {
			list[i] = methodJSON(m)
		}
		return c.printJSON(list)
	}
	for _, m := range ms {
		fmt.Fprintln(c.io.Stdout, signature(m))
		if d := summary(m.Doc); d != "" {
			fmt.Fprintln(c.io.Stdout, "    "+d)
		}
	}
	return ExitOK
}

// describe is "HOST describe METHOD".
func (c *cli) describe(ctx context.Context, s *session, w *words) int {
	name, ok, err := w.next()
	if err == nil && !ok {
		err = &UsageError{Msg: "describe: missing METHOD"}
	}
	if extra, more, _ := w.next(); err == nil && more {
		err = &UsageError{Msg: "describe takes one method, not " + quote(extra)}
	}
	if err != nil {
		return c.report(err)
	}
	ctx, done := s.op(ctx)
	defer done()
	m, err := s.client.Describe(ctx, name)
	if err != nil {
		return c.report(s.describeErr(ctx, err))
	}
	if c.json {
		return c.printJSON(methodJSON(m))
	}
	writeMethod(c.io.Stdout, m)
	return ExitOK
}

// describeErr explains a failed description: a server that does not
// answer rpc.MethodDescribe is one of the original's, or an old one.
func (s *session) describeErr(ctx context.Context, err error) error {
	if errors.Is(err, rpc.ErrNotExposed) && strings.Contains(err.Error(), "'"+rpc.MethodDescribe+"'") {
		return fmt.Errorf("%s does not describe its methods (it may be a Python xbahn server); call still calls them", s.host)
	}
	return s.explain(ctx, err)
}

// call is "HOST call METHOD [ARG]... [--kw NAME=VALUE]...".
func (c *cli) call(ctx context.Context, s *session, w *words) int {
	method, ok, err := w.next()
	if err == nil && !ok {
		err = &UsageError{Msg: "call: missing METHOD"}
	}
	if err != nil {
		return c.report(err)
	}
	args, kwargs, err := c.callArgs(w.rest())
	if err != nil {
		return c.report(err)
	}
	if c.debug {
		fmt.Fprintf(c.io.Stderr, "debug: request %s %v %v\n", method, args, kwargs)
	}
	ctx, done := s.op(ctx)
	defer done()
	result, err := s.client.CallKw(ctx, method, args, kwargs)
	if err != nil {
		return c.report(s.explain(ctx, err))
	}
	return c.printResult(s.host, method, result)
}

// callArgs reads the arguments of call: positional values, --kw
// NAME=VALUE pairs, and global options.
func (c *cli) callArgs(words []string) (args []any, kwargs map[string]any, err error) {
	err = c.eachWord(words, func(word string) error {
		args = append(args, jsonValue(word))
		return nil
	}, func(name, text string, hasText bool, next func(string) (string, error)) (bool, error) {
		if name != "kw" {
			return false, nil
		}
		pair, err := valueOf("--kw", text, hasText, next)
		if err != nil {
			return true, err
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return true, &UsageError{Msg: "option --kw: " + quote(pair) + " is not NAME=VALUE"}
		}
		if kwargs == nil {
			kwargs = map[string]any{}
		}
		kwargs[k] = jsonValue(v)
		return true, nil
	})
	return args, kwargs, err
}

// jsonValue reads s as a JSON value, with integral numbers as int64 and
// the others as float64; s itself when it is not JSON.
func jsonValue(s string) any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return s
	}
	if _, err := d.Token(); err != io.EOF {
		return s // more than one value: text
	}
	return numbers(v)
}

// numbers replaces the json.Numbers in v.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbers(x[k])
		}
	}
	return v
}

// signature writes a method as Go would declare it: name(a int, b int)
// int.
func signature(m rpc.Method) string {
	var b bytes.Buffer
	b.WriteString(m.Name + "(")
	for i, p := range m.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		if p.Name != "" {
			b.WriteString(p.Name + " ")
		}
		if p.Variadic {
			b.WriteString("...")
		}
		b.WriteString(p.Type)
	}
	if m.Kwargs {
		if len(m.Params) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("**kwargs")
	}
	b.WriteString(")")
	switch len(m.Results) {
	case 0:
	case 1:
		b.WriteString(" " + m.Results[0])
	default:
		b.WriteString(" (" + strings.Join(m.Results, ", ") + ")")
	}
	return b.String()
}

// writeMethod writes a method's signature and doc.
func writeMethod(w io.Writer, m rpc.Method) {
	fmt.Fprintln(w, signature(m))
	if d := dedent(m.Doc); d != "" {
		fmt.Fprintf(w, "\n  %s\n", strings.ReplaceAll(d, "\n", "\n  "))
	}
}

// methodJSON is the JSON form of a method.
func methodJSON(m rpc.Method) map[string]any {
	params := make([]any, len(m.Params))
	for i, p := range m.Params {
		params[i] = map[string]any{"name": p.Name, "type": p.Type, "variadic": p.Variadic}
	}
	return map[string]any{"name": m.Name, "params": params, "kwargs": m.Kwargs, "results": m.Results, "doc": m.Doc}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
