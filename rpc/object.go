package rpc

import (
	"context"
	"fmt"
	"reflect"
)

// Object is the exported methods of a Go value, callable by name as a
// Server calls them: SetNumber as "set_number" (see MethodName), with
// wire values converted to the parameters' types. Package widget serves its widgets with it.
type Object struct {
	value   any
	caller  Caller
	methods map[string]*function
}

// Caller is a value that routes calls by name itself, for methods that are
// known only at run time. An Object of a Caller hands every call to it.
type Caller interface {
	CallMethod(ctx context.Context, method string, args []any, kwargs map[string]any) (any, error)
}

// NewObject returns the exported methods of v, or, if v is a Caller, an
// Object that hands calls to it.
func NewObject(v any) (*Object, error) {
	if c, ok := v.(Caller); ok {
		return &Object{value: v, caller: c}, nil
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, fmt.Errorf("rpc: no value")
	}
	t := rv.Type()
	o := &Object{value: v, methods: make(map[string]*function, t.NumMethod())}
	for i := 0; i < t.NumMethod(); i++ {
		name := MethodName(t.Method(i).Name)
		f, err := newFunction(name, rv.Method(i), nil)
		if err != nil {
			return nil, err
		}
		o.methods[name] = f
	}
	return o, nil
}

// Value returns the value whose methods o calls.
func (o *Object) Value() any { return o.value }

// Call calls the method called name. A name o does not have is a
// *NotExposedError.
func (o *Object) Call(ctx context.Context, name string, args []any, kwargs map[string]any) (any, error) {
	if o.caller != nil {
		return o.caller.CallMethod(ctx, name, args, kwargs)
	}
	f := o.methods[name]
	if f == nil {
		return nil, &NotExposedError{Method: name}
	}
	return f.call(ctx, args, kwargs)
}
