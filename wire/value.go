package wire

import (
	"maps"
	"reflect"
	"slices"
	"strings"
)

// stackKeys is how many map entries the encoders sort in an array on the
// stack; a map with more costs one allocation for its entry slice.
const stackKeys = 16

// entry is a map entry on its way to an encoder.
type entry struct {
	k string
	v any // a fieldRef for a meta key whose field is set
}

// fieldRef is the value of a meta entry whose field is set; it saves
// boxing the field's string.
type fieldRef *string

// appendEntries appends the entries of m to dst sorted by key, so that
// equal maps encode to equal bytes.
func appendEntries(dst []entry, m map[string]any) []entry {
	start := len(dst)
	dst = slices.Grow(dst, len(m))
	for k, v := range m {
		dst = append(dst, entry{k, v})
	}
	sortEntries(dst[start:])
	return dst
}

// sortEntries sorts e by key: by insertion for the few entries of a
// typical map, which is quickest for them, else with slices.SortFunc.
func sortEntries(e []entry) {
	if len(e) > stackKeys {
		slices.SortFunc(e, func(a, b entry) int { return strings.Compare(a.k, b.k) })
		return
	}
	for i := 1; i < len(e); i++ {
		for j := i; j > 0 && e[j].k < e[j-1].k; j-- {
			e[j], e[j-1] = e[j-1], e[j]
		}
	}
}

// canonical converts a value of a type outside the encoders' type switch
// into one inside it: named scalar types into bool, int64, uint64, float64
// or string, byte slices and arrays into []byte, other slices and arrays
// into []any and maps with string keys into map[string]any. It uses
// reflection and allocates, so it serves only as the encoders' fallback.
func canonical(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return b, nil
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
		return l, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m, nil
	}
	return nil, &UnsupportedTypeError{Type: reflect.TypeOf(v)}
}

// cloneValue returns a deep copy of v: lists, maps and byte slices are
// copied, everything else is immutable and returned as is.
func cloneValue(v any) any {
	switch v := v.(type) {
	case []byte:
		if v == nil {
			return v
		}
		return append([]byte{}, v...)
	case []any:
		return cloneList(v)
	case map[string]any:
		return cloneMap(v)
	}
	return v
}

func cloneList(l []any) []any {
	if l == nil {
		return nil
	}
	c := make([]any, len(l))
	for i, v := range l {
		c[i] = cloneValue(v)
	}
	return c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := maps.Clone(m)
	for k, v := range c {
		c[k] = cloneValue(v)
	}
	return c
}
