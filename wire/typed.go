package wire

import (
	"errors"
	"reflect"
	"sync"
)

// Type decodes encoded values straight into Go values of one type, with
// no map[string]any or []any built on the way: a struct's fields are
// filled as the input names them, numbers are parsed into the field's
// kind, and only what the Go value holds is allocated (its strings,
// slices and maps, the pointers it has).
//
// A value fits a Go type as it does for package rpc's Convert: an integer
// fills any integer or float kind it fits; a float with an integral value
// fills an integer; a string or bytes fill a string or a []byte; a list
// fills a slice, or an array of its length; a map fills a map with string
// keys, or a struct, by `xbahn` tag or field name, case-insensitively,
// where a key without a field is an error; nil leaves the zero value; an
// interface gets the value as Decode would give it. A value that does not
// fit is a *TypeError that says why and where.
//
// A Type is safe for concurrent use. Making one compiles the type's plan
// once; keep it for the values that follow.
type Type struct {
	t reflect.Type
	p *plan
}

// TypeFor returns the Type of t. Channels, funcs, unsafe pointers,
// complex numbers and maps whose keys are not strings cannot be decoded
// into, nor types that hold them, and are an *UnsupportedTypeError.
func TypeFor(t reflect.Type) (*Type, error) {
	c := compiler{done: map[reflect.Type]*plan{}}
	p, err := c.plan(t)
	if err != nil {
		return nil, err
	}
	return &Type{t: t, p: p}, nil
}

// Go returns the Go type that t decodes into.
func (t *Type) Go() reflect.Type { return t.t }

// Decode decodes r into dst, which must be a settable value of t's Go
// type, with the limits l (zero fields mean DefaultLimits). It does not
// retain r.B. On error dst holds what was decoded before it.
func (t *Type) Decode(r Raw, dst reflect.Value, l Limits) error {
	if !dst.IsValid() || !dst.CanSet() || dst.Type() != t.t {
		return errors.New("wire: Type.Decode needs a settable " + t.t.String())
	}
	return r.decode(t.p, dst.Addr().UnsafePointer(), l, r.depth)
}

// Unmarshal decodes r into the value that ptr points to, compiling its
// type's plan on every call; keep a Type instead where one type is
// decoded often.
func Unmarshal(r Raw, ptr any) error {
	rv := reflect.ValueOf(ptr)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("wire: Unmarshal needs a non-nil pointer")
	}
	t, err := TypeFor(rv.Type().Elem())
	if err != nil {
		return err
	}
	return t.Decode(r, rv.Elem(), Limits{})
}

// TypeError reports an encoded value that does not fit the Go type it is
// decoded into, such as "element 2: cannot use the string \"x\" as int".
type TypeError struct {
	// Msg says what does not fit, after the places that lead to it.
	Msg string
}

func (e *TypeError) Error() string { return e.Msg }

// within prefixes the place of a TypeError, and passes others on.
func within(err error, place string) error {
	var te *TypeError
	if errors.As(err, &te) {
		return &TypeError{Msg: place + ": " + te.Msg}
	}
	return err
}

// A plan is how decode fills a value of one type (see typed_decode.go).
type plan struct {
	t    reflect.Type
	op   int          // what decode does: one of the op constants
	kind reflect.Kind // numbers: which one
	bits uint         // integers: their size

	elem   *plan       // slices, arrays, maps, pointers
	str    bool        // pointers: a *string, whose string new makes
	fields []fieldPlan // structs
	names  fieldNames  // structs: how keys find their fields
}

// fieldPlan is one exported field of a struct.
type fieldPlan struct {
	name   string // the `xbahn` tag, or the Go name
	bname  []byte
	offset uintptr
	goName string
	plan   *plan
}

// compiler builds the plans of a type and of the types in it; done holds
// those under way too, so that a recursive type refers to its own plan.
type compiler struct {
	done map[reflect.Type]*plan
}

func (c *compiler) plan(t reflect.Type) (*plan, error) {
	if p := c.done[t]; p != nil {
		return p, nil
	}
	p := &plan{t: t}
	c.done[t] = p
	var err error
	switch t.Kind() {
	case reflect.Bool:
		p.op = opBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.op, p.kind, p.bits = opInt, t.Kind(), uint(t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.op, p.kind, p.bits = opUint, t.Kind(), uint(t.Bits())
	case reflect.Float32, reflect.Float64:
		p.op, p.kind = opFloat, t.Kind()
	case reflect.String:
		p.op = opString
	case reflect.Interface:
		p.op = opInterface
		if t.NumMethod() == 0 {
			p.op = opAny
		}
	case reflect.Pointer:
		p.op = opPointer
		p.str = t.Elem() == reflect.TypeFor[string]()
		p.elem, err = c.plan(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p.op = opByteSlice
		} else {
			p.op = opSlice
		}
		p.elem, err = c.plan(t.Elem())
	case reflect.Array:
		p.op = opArray
		p.elem, err = c.plan(t.Elem())
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, &UnsupportedTypeError{Type: t}
		}
		p.op = opMap
		switch t {
		case reflect.TypeFor[map[string]string]():
			p.op = opStringMap
		case reflect.TypeFor[map[string]any]():
			p.op = opAnyMap
		}
		p.elem, err = c.plan(t.Elem())
	case reflect.Struct:
		p.op = opStruct
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fp, err := c.plan(f.Type)
			if err != nil {
				return nil, err
			}
			name := f.Name
			if tag := f.Tag.Get("xbahn"); tag != "" {
				name = tag
			}
			p.fields = append(p.fields, fieldPlan{name: name, bname: []byte(name), offset: f.Offset, goName: f.Name, plan: fp})
		}
		p.names.index(p.fields)
	default:
		return nil, &UnsupportedTypeError{Type: t}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Types caches the Type of each Go type it was asked for. The zero Types
// is ready to use, and safe for concurrent use.
type Types struct {
	m sync.Map // reflect.Type → *Type
}

// For returns the Type of t, made once.
func (ts *Types) For(t reflect.Type) (*Type, error) {
	if x, ok := ts.m.Load(t); ok {
		return x.(*Type), nil
	}
	typ, err := TypeFor(t)
	if err != nil {
		return nil, err
	}
	x, _ := ts.m.LoadOrStore(t, typ)
	return x.(*Type), nil
}
