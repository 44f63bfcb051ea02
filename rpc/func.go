package rpc

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
)

// Kwargs is the type of a last parameter that receives the keyword
// arguments not bound to a named parameter.
type Kwargs = map[string]any

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
	kwargsType  = reflect.TypeFor[Kwargs]()
)

// function is a Go function exposed under a name.
type function struct {
	name    string
	fn      reflect.Value
	hasCtx  bool           // the first parameter is a context.Context
	params  []reflect.Type // the parameters after any context
	names   []string       // names of params, for keyword arguments
	kwargs  bool           // the last param is Kwargs
	errLast bool           // the last result is an error
	doc     string         // see Server.Document
}

// newFunction checks fn and the names of its parameters.
func newFunction(name string, fn reflect.Value, names []string) (*function, error) {
	t := fn.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("rpc: %s is a %s, not a function", name, t)
	}
	f := &function{name: name, fn: fn}
	in := make([]reflect.Type, t.NumIn())
	for i := range in {
		in[i] = t.In(i)
	}
	if len(in) > 0 && in[0] == contextType {
		f.hasCtx, in = true, in[1:]
	}
	f.params = in
	if len(in) > 0 && in[len(in)-1] == kwargsType && !t.IsVariadic() {
		f.kwargs = true
	}
	if len(names) > 0 {
		want := len(in)
		if f.kwargs {
			want--
		}
		if len(names) != want {
			return nil, fmt.Errorf("rpc: %s takes %d parameters, %d names given", name, want, len(names))
		}
		f.names = names
	}
	if n := t.NumOut(); n > 0 && t.Out(n-1) == errorType {
		f.errLast = true
	}
	return f, nil
}

// argName names parameter i for error messages.
func (f *function) argName(i int) string {
	if i < len(f.names) {
		return "argument " + strconv.Quote(f.names[i])
	}
	return "argument " + strconv.Itoa(i+1)
}

// call binds args and kwargs to the parameters, calls the function and
// returns its result as a wire value: nothing gives nil, one value itself,
// several a list.
func (f *function) call(ctx context.Context, args []any, kwargs map[string]any) (any, error) {
	t := f.fn.Type()
	fixed := len(f.params)
	if f.kwargs {
		fixed--
	}
	variadic := t.IsVariadic()
	if variadic {
		fixed--
	}
	if len(args) > fixed && !variadic {
		return nil, &argError{fmt.Errorf("takes %d arguments, %d given", fixed, len(args))}
	}
	in := make([]reflect.Value, 0, t.NumIn())
	if f.hasCtx {
		in = append(in, reflect.ValueOf(ctx))
	}
	used := 0
	for i := 0; i < fixed; i++ {
		v := reflect.New(f.params[i]).Elem()
		var (
			arg any
			ok  bool
		)
		if i < len(args) {
			arg, ok = args[i], true
		}
		if i < len(f.names) {
			if kv, named := kwargs[f.names[i]]; named {
				if ok {
					return nil, &argError{fmt.Errorf("got %s both by position and by name", f.argName(i))}
				}
				arg, ok = kv, true
				used++
			}
		}
		if !ok {
			return nil, &argError{fmt.Errorf("missing %s", f.argName(i))}
		}
		if err := convert(arg, v); err != nil {
			return nil, &argError{fmt.Errorf("%s: %w", f.argName(i), err)}
		}
		in = append(in, v)
	}
	if variadic {
		et := f.params[fixed].Elem()
		for i := fixed; i < len(args); i++ {
			v := reflect.New(et).Elem()
			if err := convert(args[i], v); err != nil {
				return nil, &argError{fmt.Errorf("argument %d: %w", i+1, err)}
			}
			in = append(in, v)
		}
	}
	if f.kwargs {
		rest := Kwargs{}
		for k, v := range kwargs {
			if !f.isName(k) {
				rest[k] = v
			}
		}
		in = append(in, reflect.ValueOf(rest))
	} else if len(kwargs) > used {
		for k := range kwargs {
			if !f.isName(k) {
				return nil, &argError{fmt.Errorf("got an unexpected keyword argument %s", strconv.Quote(k))}
			}
		}
	}
	out := f.fn.Call(in)
	if f.errLast {
		if err, _ := out[len(out)-1].Interface().(error); err != nil {
			return nil, err
		}
		out = out[:len(out)-1]
	}
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		return toWire(out[0]), nil
	}
	l := make([]any, len(out))
	for i, v := range out {
		l[i] = toWire(v)
	}
	return l, nil
}

func (f *function) isName(k string) bool {
	for _, n := range f.names {
		if n == k {
			return true
		}
	}
	return false
}
