package rpc

import (
	"context"
	"fmt"
	"reflect"
	"strconv"

	"github.com/xbahn-go/xbahn/wire"
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
	types   wire.Types     // decode the parameters from the wire
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
	return f.callWith(ctx, decodedArgs{args, kwargs})
}

// callEncoded is call for arguments still encoded, which it decodes
// straight into the parameters' types.
func (f *function) callEncoded(ctx context.Context, body *wire.Body) (any, error) {
	return f.callWith(ctx, encodedArgs{f, body})
}

// arguments are the arguments of a call, decoded or not.
type arguments interface {
	// count is the number of positional arguments.
	count() int
	// arg stores positional argument i in v, a settable value.
	arg(i int, v reflect.Value) error
	// named reports whether a keyword argument of that name is there.
	named(name string) bool
	// kwarg stores the keyword argument of that name in v.
	kwarg(name string, v reflect.Value) error
	// keywords is the number of keyword arguments.
	keywords() int
	// names lists the names of the keyword arguments.
	names() []string
	// value returns the keyword argument of that name as a wire value.
	value(name string) (any, error)
}

func (f *function) callWith(ctx context.Context, a arguments) (any, error) {
	t := f.fn.Type()
	fixed := len(f.params)
	if f.kwargs {
		fixed--
	}
	variadic := t.IsVariadic()
	if variadic {
		fixed--
	}
	n := a.count()
	if n > fixed && !variadic {
		return nil, &argError{fmt.Errorf("takes %d arguments, %d given", fixed, n)}
	}
	in := make([]reflect.Value, 0, t.NumIn())
	if f.hasCtx {
		in = append(in, reflect.ValueOf(ctx))
	}
	used := 0
	for i := 0; i < fixed; i++ {
		v := reflect.New(f.params[i]).Elem()
		byName := i < len(f.names) && a.named(f.names[i])
		var err error
		switch {
		case byName && i < n:
			return nil, &argError{fmt.Errorf("got %s both by position and by name", f.argName(i))}
		case byName:
			err = a.kwarg(f.names[i], v)
			used++
		case i < n:
			err = a.arg(i, v)
		default:
			return nil, &argError{fmt.Errorf("missing %s", f.argName(i))}
		}
		if err != nil {
			return nil, &argError{fmt.Errorf("%s: %w", f.argName(i), err)}
		}
		in = append(in, v)
	}
	if variadic {
		et := f.params[fixed].Elem()
		for i := fixed; i < n; i++ {
			v := reflect.New(et).Elem()
			if err := a.arg(i, v); err != nil {
				return nil, &argError{fmt.Errorf("argument %d: %w", i+1, err)}
			}
			in = append(in, v)
		}
	}
	if f.kwargs {
		rest := Kwargs{}
		for _, k := range a.names() {
			if !f.isName(k) {
				v, err := a.value(k)
				if err != nil {
					return nil, &argError{fmt.Errorf("keyword argument %s: %w", strconv.Quote(k), err)}
				}
				rest[k] = v
			}
		}
		in = append(in, reflect.ValueOf(rest))
	} else if a.keywords() > used {
		for _, k := range a.names() {
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

// decodedArgs are arguments decoded as wire values, which convert fits
// to the parameters.
type decodedArgs struct {
	args   []any
	kwargs map[string]any
}

func (d decodedArgs) count() int                            { return len(d.args) }
func (d decodedArgs) keywords() int                         { return len(d.kwargs) }
func (d decodedArgs) arg(i int, v reflect.Value) error      { return convert(d.args[i], v) }
func (d decodedArgs) kwarg(k string, v reflect.Value) error { return convert(d.kwargs[k], v) }
func (d decodedArgs) value(k string) (any, error)           { return d.kwargs[k], nil }

func (d decodedArgs) named(k string) bool {
	_, ok := d.kwargs[k]
	return ok
}

func (d decodedArgs) names() []string {
	names := make([]string, 0, len(d.kwargs))
	for k := range d.kwargs {
		names = append(names, k)
	}
	return names
}

// encodedArgs are arguments as they arrived, which the function's
// parameter types decode straight from the wire.
type encodedArgs struct {
	f    *function
	body *wire.Body
}

func (e encodedArgs) count() int    { return len(e.body.Args) }
func (e encodedArgs) keywords() int { return len(e.body.Kwargs) }

func (e encodedArgs) arg(i int, v reflect.Value) error {
	return e.decode(e.body.Args[i], v)
}

func (e encodedArgs) kwarg(k string, v reflect.Value) error {
	r, _ := e.body.Kwarg(k)
	return e.decode(r, v)
}

func (e encodedArgs) named(k string) bool {
	_, ok := e.body.Kwarg(k)
	return ok
}

func (e encodedArgs) names() []string {
	if len(e.body.Kwargs) == 0 {
		return nil
	}
	names := make([]string, len(e.body.Kwargs))
	for i, kw := range e.body.Kwargs {
		names[i] = kw.Name
	}
	return names
}

func (e encodedArgs) value(k string) (any, error) {
	r, _ := e.body.Kwarg(k)
	return r.Value(e.body.Limits())
}

// decode decodes r into v with the Type of v's type.
func (e encodedArgs) decode(r wire.Raw, v reflect.Value) error {
	t, err := e.f.types.For(v.Type())
	if err != nil {
		return err
	}
	return t.Decode(r, v, e.body.Limits())
}

func (f *function) isName(k string) bool {
	for _, n := range f.names {
		if n == k {
			return true
		}
	}
	return false
}
