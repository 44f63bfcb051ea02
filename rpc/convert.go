package rpc

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Convert stores the wire value v in the Go value that dst points to,
// converting between kinds where no information is lost: an int64 fills an
// int, int8..int64, uint..uint64 or float parameter if it fits; a float64
// with an integral value fills an integer; lists fill slices and arrays;
// maps fill maps with string keys and structs (by field name or `xbahn`
// tag, case-insensitive); anything fills an interface. nil leaves dst's
// zero value. A value that does not fit is an error that says why.
func Convert(v any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("rpc: Convert needs a non-nil pointer, not %T", dst)
	}
	return convert(v, rv.Elem())
}

// convert stores v in dst, which must be settable.
func convert(v any, dst reflect.Value) error {
	if v == nil {
		dst.SetZero()
		return nil
	}
	t := dst.Type()
	if t.Kind() == reflect.Interface {
		rv := reflect.ValueOf(v)
		if !rv.Type().AssignableTo(t) {
			return mismatch(v, t)
		}
		dst.Set(rv)
		return nil
	}
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := convert(v, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
	switch x := v.(type) {
	case bool:
		if t.Kind() == reflect.Bool {
			dst.SetBool(x)
			return nil
		}
	case int64:
		return setInt(dst, x, v)
	case uint64:
		if x <= math.MaxInt64 {
			return setInt(dst, int64(x), v)
		}
		if k := t.Kind(); k == reflect.Uint64 || k == reflect.Uint || k == reflect.Uintptr {
			dst.SetUint(x)
			return nil
		}
		if k := t.Kind(); k == reflect.Float64 || k == reflect.Float32 {
			dst.SetFloat(float64(x))
			return nil
		}
	case float64:
		switch t.Kind() {
		case reflect.Float64, reflect.Float32:
			dst.SetFloat(x)
			return nil
		}
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return setInt(dst, int64(x), v)
		}
	case string:
		switch {
		case t.Kind() == reflect.String:
			dst.SetString(x)
			return nil
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
			dst.SetBytes([]byte(x))
			return nil
		}
	case []byte:
		switch {
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
			dst.SetBytes(append([]byte(nil), x...))
			return nil
		case t.Kind() == reflect.String:
			dst.SetString(string(x))
			return nil
		}
	case []any:
		switch t.Kind() {
		case reflect.Slice:
			s := reflect.MakeSlice(t, len(x), len(x))
			for i, e := range x {
				if err := convert(e, s.Index(i)); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			dst.Set(s)
			return nil
		case reflect.Array:
			if len(x) != t.Len() {
				return fmt.Errorf("list of %d for an array of %d", len(x), t.Len())
			}
			for i, e := range x {
				if err := convert(e, dst.Index(i)); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			return nil
		}
	case map[string]any:
		switch {
		case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
			m := reflect.MakeMapWithSize(t, len(x))
			for k, e := range x {
				ev := reflect.New(t.Elem()).Elem()
				if err := convert(e, ev); err != nil {
					return fmt.Errorf("key %s: %w", strconv.Quote(k), err)
				}
				m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
			dst.Set(m)
			return nil
		case t.Kind() == reflect.Struct:
			return setStruct(dst, x)
		}
	}
	return mismatch(v, t)
}

func setInt(dst reflect.Value, x int64, v any) error {
	t := dst.Type()
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if dst.OverflowInt(x) {
			return fmt.Errorf("%d overflows %s", x, t)
		}
		dst.SetInt(x)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if x < 0 || dst.OverflowUint(uint64(x)) {
			return fmt.Errorf("%d overflows %s", x, t)
		}
		dst.SetUint(uint64(x))
		return nil
	case reflect.Float32, reflect.Float64:
		dst.SetFloat(float64(x))
		return nil
	}
	return mismatch(v, t)
}

// setStruct fills the fields of a struct from a map, by `xbahn` tag or by
// name, case-insensitively. Keys without a field are an error.
func setStruct(dst reflect.Value, m map[string]any) error {
	t := dst.Type()
	for k, e := range m {
		i := fieldIndex(t, k)
		if i < 0 {
			return fmt.Errorf("no field for key %s in %s", strconv.Quote(k), t)
		}
		if err := convert(e, dst.Field(i)); err != nil {
			return fmt.Errorf("field %s: %w", t.Field(i).Name, err)
		}
	}
	return nil
}

func fieldIndex(t reflect.Type, key string) int {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && strings.EqualFold(fieldName(f), key) {
			return i
		}
	}
	return -1
}

// fieldName is the key of a struct field in a map: its `xbahn` tag, or
// its name.
func fieldName(f reflect.StructField) string {
	if tag := f.Tag.Get("xbahn"); tag != "" {
		return tag
	}
	return f.Name
}

func mismatch(v any, t reflect.Type) error {
	return fmt.Errorf("cannot use %s as %s", kindName(v), t)
}

// kindName names a wire value's kind for error messages.
func kindName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a bool"
	case int64, uint64:
		return fmt.Sprintf("the integer %v", x)
	case float64:
		return fmt.Sprintf("the float %v", x)
	case string:
		if len(x) > 20 {
			x = x[:20] + "…"
		}
		return "the string " + strconv.Quote(x)
	case []byte:
		return "bytes"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("a %T", v)
}

// toWire turns a Go result into a wire value: the kinds wire encodes pass
// as they are; other slices, maps and structs become lists and maps.
func toWire(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toWire(v.Elem())
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				m[fieldName(f)] = toWire(v.Field(i))
			}
		}
		return m
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = toWire(v.Index(i))
		}
		return l
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			m[it.Key().String()] = toWire(it.Value())
		}
		return m
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	}
	return v.Interface()
}
