package rpc

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
)

// MethodDescribe is the reserved call that describes a server's methods:
// without arguments it answers a list of every method's description,
// sorted by name; with a method's name, that method's. Python peers never
// make it; the engineer command line's methods and describe do.
const MethodDescribe = "xbahn_describe"

// Method describes a method of a server, as MethodDescribe answers it.
type Method struct {
	Name    string
	Params  []Param  // the parameters callers pass, after any context
	Kwargs  bool     // it takes keyword arguments beyond its named ones
	Results []string // the types of its results, an error left out
	Doc     string
}

// Param is a parameter of a Method: its name, if it was given one, and
// its type, as TypeName names it.
type Param struct {
	Name     string
	Type     string
	Variadic bool // it takes any number of values, last
}

// Document sets the doc text that describes the function registered as
// name.
func (s *Server) Document(name, doc string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.funcs[name]
	if f == nil {
		return fmt.Errorf("rpc: %s is not registered", strconv.Quote(name))
	}
	f.doc = doc
	return nil
}

// Methods returns the descriptions of the server's functions, sorted by
// name.
func (s *Server) Methods() []Method {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Method, 0, len(s.funcs))
	for _, f := range s.funcs {
		out = append(out, f.describe())
	}
	slices.SortFunc(out, func(a, b Method) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// describeCall answers MethodDescribe.
func (s *Server) describeCall(args []any) (any, error) {
	switch len(args) {
	case 0:
		ms := s.Methods()
		list := make([]any, len(ms))
		for i, m := range ms {
			list[i] = m.wire()
		}
		return list, nil
	case 1:
		name, _ := args[0].(string)
		s.mu.RLock()
		f := s.funcs[name]
		s.mu.RUnlock()
		if f == nil {
			return nil, &NotExposedError{Method: name}
		}
		return f.describe().wire(), nil
	}
	return nil, &argError{fmt.Errorf("%s takes a method's name or nothing", MethodDescribe)}
}

// describe returns the description of f.
func (f *function) describe() Method {
	m := Method{Name: f.name, Kwargs: f.kwargs, Doc: f.doc}
	t := f.fn.Type()
	params := f.params
	if f.kwargs {
		params = params[:len(params)-1]
	}
	for i, p := range params {
		pa := Param{Type: TypeName(p)}
		if i < len(f.names) {
			pa.Name = f.names[i]
		}
		if t.IsVariadic() && i == len(params)-1 {
			pa.Variadic, pa.Type = true, TypeName(p.Elem())
		}
		m.Params = append(m.Params, pa)
	}
	for i := range t.NumOut() {
		if i == t.NumOut()-1 && f.errLast {
			break
		}
		m.Results = append(m.Results, TypeName(t.Out(i)))
	}
	return m
}

// wire returns m as a wire value: {"name", "params": [{"name", "type",
// "variadic"}], "kwargs", "results", "doc"}.
func (m Method) wire() map[string]any {
	params := make([]any, len(m.Params))
	for i, p := range m.Params {
		e := map[string]any{"name": p.Name, "type": p.Type}
		if p.Variadic {
			e["variadic"] = true
		}
		params[i] = e
	}
	results := make([]any, len(m.Results))
	for i, r := range m.Results {
		results[i] = r
	}
	return map[string]any{"name": m.Name, "params": params, "kwargs": m.Kwargs, "results": results, "doc": m.Doc}
}

// methodOf reads a Method from its wire form.
func methodOf(v any) (Method, error) {
	w, ok := v.(map[string]any)
	if !ok {
		return Method{}, fmt.Errorf("rpc: a method's description is %s, not a map", kindName(v))
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	m := Method{Name: str(w, "name"), Doc: str(w, "doc")}
	m.Kwargs, _ = w["kwargs"].(bool)
	params, _ := w["params"].([]any)
	for _, p := range params {
		pm, _ := p.(map[string]any)
		v, _ := pm["variadic"].(bool)
		m.Params = append(m.Params, Param{Name: str(pm, "name"), Type: str(pm, "type"), Variadic: v})
	}
	results, _ := w["results"].([]any)
	for _, r := range results {
		s, _ := r.(string)
		m.Results = append(m.Results, s)
	}
	if m.Name == "" {
		return Method{}, fmt.Errorf("rpc: a method's description has no name")
	}
	return m, nil
}

// Methods asks the server for the descriptions of its methods
// (MethodDescribe), sorted by name. The original's servers do not answer
// it: they say it is not exposed.
func (c *Client) Methods(ctx context.Context) ([]Method, error) {
	v, err := c.Call(ctx, MethodDescribe)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("rpc: the method list is %s, not a list", kindName(v))
	}
	out := make([]Method, 0, len(list))
	for _, e := range list {
		m, err := methodOf(e)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Describe asks the server for the description of method.
func (c *Client) Describe(ctx context.Context, method string) (Method, error) {
	v, err := c.Call(ctx, MethodDescribe, method)
	if err != nil {
		return Method{}, err
	}
	return methodOf(v)
}

// TypeName names a Go type as a method's description gives it: int,
// float, bool, string and bytes for those kinds, list[T] and map[K]V,
// any for an interface, the Go name otherwise.
func TypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Bool:
		return "bool"
	case reflect.String:
		return "string"
	case reflect.Interface:
		return "any"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return "list[" + TypeName(t.Elem()) + "]"
	case reflect.Map:
		return "map[" + TypeName(t.Key()) + "]" + TypeName(t.Elem())
	case reflect.Pointer:
		return TypeName(t.Elem())
	}
	return t.String()
}
