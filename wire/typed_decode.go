package wire

import (
	"math"
	"reflect"
	"strconv"
	"unsafe"
)

// The decoding of plans writes through unsafe.Pointer rather than
// reflect.Value, which costs several times more per field. Every pointer
// is the address of a value of the plan's type: the destination itself,
// a field at its reflect offset, an element of an array or of a slice's
// backing array that reflect allocated for the element type, or what
// reflect.New made. Stores are typed (*string, *int64, ...), so they have
// the write barriers the garbage collector needs.

// Kinds of the next value in a source.
const (
	kNil = iota
	kBool
	kInt   // an integer that fits an int64
	kUint  // an integer above math.MaxInt64
	kFloat // JSON: a number with a point or an exponent, or out of range
	kString
	kBytes
	kList
	kMap
)

// scalar is a value that is neither a list nor a map, unboxed; for a list
// or a map, take returns just the kind.
type scalar struct {
	kind uint8
	b    bool
	n    uint64  // kInt: the int64's bits; kUint: the value
	f    float64 // kFloat
	s    []byte  // kString, kBytes: valid until the source reads on
}

func (x *scalar) int() int64 { return int64(x.n) }

// describe names the value for errors, as package rpc names wire values.
func (x *scalar) describe() string {
	switch x.kind {
	case kNil:
		return "null"
	case kBool:
		return "a bool"
	case kInt:
		return "the integer " + strconv.FormatInt(x.int(), 10)
	case kUint:
		return "the integer " + strconv.FormatUint(x.n, 10)
	case kFloat:
		return "the float " + strconv.FormatFloat(x.f, 'g', -1, 64)
	case kString:
		s := string(x.s)
		if len(s) > 20 {
			s = s[:20] + "…"
		}
		return "the string " + strconv.Quote(s)
	case kBytes:
		return "bytes"
	case kList:
		return "a list"
	}
	return "a map"
}

// describeValue names a decoded value for errors.
func describeValue(v any) string {
	var x scalar
	switch v := v.(type) {
	case nil:
		x.kind = kNil
	case bool:
		x.kind = kBool
	case int64:
		x.kind, x.n = kInt, uint64(v)
	case uint64:
		x.kind, x.n = kUint, v
	case float64:
		x.kind, x.f = kFloat, v
	case string:
		x.kind, x.s = kString, []byte(v)
	case []byte:
		x.kind = kBytes
	case []any:
		x.kind = kList
	default:
		x.kind = kMap
	}
	return x.describe()
}

func mismatch(x *scalar, t reflect.Type) error {
	return &TypeError{Msg: "cannot use " + x.describe() + " as " + t.String()}
}

// The operations of plans.
const (
	opBool = iota
	opInt
	opUint
	opFloat
	opString
	opAny // interface{} itself
	opInterface
	opPointer
	opByteSlice
	opSlice
	opArray
	opMap
	opStringMap // map[string]string
	opAnyMap    // map[string]any
	opStruct
)

// decode decodes the value at s into the value of p's type at ptr; the
// value is at nesting depth depth of its message.
func decode(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	switch p.op {
	case opAny:
		v, err := s.value(depth)
		*(*any)(ptr) = v
		return err
	case opInterface:
		return decodeInterface(p, s, ptr, depth)
	case opPointer:
		return decodePointer(p, s, ptr, depth)
	}
	var x scalar
	if err := s.take(&x); err != nil {
		return err
	}
	switch {
	case x.kind == kNil:
		// nil leaves the zero value.
		reflect.NewAt(p.t, ptr).Elem().SetZero()
		return nil
	case x.kind == kList:
		switch p.op {
		case opSlice, opByteSlice:
			return decodeSlice(p, s, ptr, depth)
		case opArray:
			return decodeArray(p, s, ptr, depth)
		}
		return mismatch(&x, p.t)
	case x.kind == kMap:
		switch p.op {
		case opStruct:
			return decodeStruct(p, s, ptr, depth)
		case opMap:
			return decodeMap(p, s, ptr, depth)
		case opStringMap, opAnyMap:
			return decodePlainMap(p, s, ptr, depth)
		}
		return mismatch(&x, p.t)
	}
	switch p.op {
	case opBool:
		if x.kind == kBool {
			*(*bool)(ptr) = x.b
			return nil
		}
	case opInt, opUint, opFloat:
		return setNumber(p, ptr, &x)
	case opString:
		if x.kind == kString || x.kind == kBytes {
			*(*string)(ptr) = s.cut(x.s)
			return nil
		}
	case opByteSlice:
		if x.kind == kString || x.kind == kBytes {
			*(*[]byte)(ptr) = append([]byte(nil), x.s...)
			return nil
		}
	}
	return mismatch(&x, p.t)
}

// decodeValue is decode for a field of a struct in the binary encoding,
// with a shorter way for the values most fields hold: a string into a
// string, a number into a number. (decodeStructJSON has its own.)
func decodeValue(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	switch p.op {
	case opString:
		if b, ok, err := s.plainString(); ok {
			if err != nil {
				return err
			}
			*(*string)(ptr) = s.cut(b)
			return nil
		}
	case opInt, opUint, opFloat:
		var x scalar
		if s.b.plainNumber(&x) {
			return setNumber(p, ptr, &x)
		}
	}
	return decode(p, s, ptr, depth)
}

// setNumber stores a number in the integer or float at ptr.
func setNumber(p *plan, ptr unsafe.Pointer, x *scalar) error {
	switch x.kind {
	case kInt:
		return setInteger(p, ptr, x.int(), x)
	case kUint:
		switch p.kind {
		case reflect.Uint64, reflect.Uint, reflect.Uintptr:
			storeUint(p.kind, ptr, x.n)
			return nil
		case reflect.Float64, reflect.Float32:
			storeFloat(p.kind, ptr, float64(x.n))
			return nil
		}
	case kFloat:
		if p.op == opFloat {
			storeFloat(p.kind, ptr, x.f)
			return nil
		}
		if x.f == math.Trunc(x.f) && x.f >= math.MinInt64 && x.f < math.MaxInt64 {
			return setInteger(p, ptr, int64(x.f), x)
		}
	}
	return mismatch(x, p.t)
}

// setInteger stores the integer n, read as x, at ptr if it fits.
func setInteger(p *plan, ptr unsafe.Pointer, n int64, x *scalar) error {
	switch p.op {
	case opInt:
		if bits := p.bits; bits < 64 && (n < -1<<(bits-1) || n >= 1<<(bits-1)) {
			return &TypeError{Msg: strconv.FormatInt(n, 10) + " overflows " + p.t.String()}
		}
		switch p.kind {
		case reflect.Int:
			*(*int)(ptr) = int(n)
		case reflect.Int8:
			*(*int8)(ptr) = int8(n)
		case reflect.Int16:
			*(*int16)(ptr) = int16(n)
		case reflect.Int32:
			*(*int32)(ptr) = int32(n)
		default:
			*(*int64)(ptr) = n
		}
		return nil
	case opUint:
		if n < 0 || p.bits < 64 && uint64(n) >= 1<<p.bits {
			return &TypeError{Msg: strconv.FormatInt(n, 10) + " overflows " + p.t.String()}
		}
		storeUint(p.kind, ptr, uint64(n))
		return nil
	case opFloat:
		storeFloat(p.kind, ptr, float64(n))
		return nil
	}
	return mismatch(x, p.t)
}

func storeUint(k reflect.Kind, ptr unsafe.Pointer, u uint64) {
	switch k {
	case reflect.Uint:
		*(*uint)(ptr) = uint(u)
	case reflect.Uint8:
		*(*uint8)(ptr) = uint8(u)
	case reflect.Uint16:
		*(*uint16)(ptr) = uint16(u)
	case reflect.Uint32:
		*(*uint32)(ptr) = uint32(u)
	case reflect.Uintptr:
		*(*uintptr)(ptr) = uintptr(u)
	default:
		*(*uint64)(ptr) = u
	}
}

func storeFloat(k reflect.Kind, ptr unsafe.Pointer, f float64) {
	if k == reflect.Float32 {
		*(*float32)(ptr) = float32(f)
		return
	}
	*(*float64)(ptr) = f
}

// decodeInterface stores the value as Decode gives it in an interface
// other than any, if its type implements it.
func decodeInterface(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	v, err := s.value(depth)
	if err != nil {
		return err
	}
	dst := reflect.NewAt(p.t, ptr).Elem()
	if v == nil {
		dst.SetZero()
		return nil
	}
	rv := reflect.ValueOf(v)
	if !rv.Type().AssignableTo(p.t) {
		return &TypeError{Msg: "cannot use " + describeValue(v) + " as " + p.t.String()}
	}
	dst.Set(rv)
	return nil
}

func decodePointer(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	k, err := s.kind()
	if err != nil {
		return err
	}
	if k == kNil {
		var x scalar
		if err := s.take(&x); err != nil {
			return err
		}
		*(*unsafe.Pointer)(ptr) = nil
		return nil
	}
	e := reflect.New(p.elem.t).UnsafePointer()
	if err := decode(p.elem, s, e, depth); err != nil {
		return err
	}
	*(*unsafe.Pointer)(ptr) = e
	return nil
}

// decodeSlice decodes a list into the slice at ptr, in a new backing
// array: the slice's old one may still be in use elsewhere.
func decodeSlice(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	n, err := s.list(depth)
	if err != nil {
		return err
	}
	h := (*sliceHeader)(ptr)
	*h = sliceHeader{}
	if n > 0 {
		p.grow(h, n)
	}
	left := n
	size := p.elem.t.Size()
	for i := 0; ; i++ {
		more, err := s.next(i == 0, &left)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if i == h.cap { // JSON tells the length at the end
			p.grow(h, max(4, i))
		}
		h.len = i + 1
		e := unsafe.Add(h.data, uintptr(i)*size)
		if p.elem.op == opStruct && !s.bin {
			if s.j.ws(); s.j.peek() == '{' {
				err = decodeStructJSON(p.elem, s, e, depth+1)
			} else {
				err = decode(p.elem, s, e, depth+1)
			}
		} else {
			err = decode(p.elem, s, e, depth+1)
		}
		if err != nil {
			return within(err, "element "+strconv.Itoa(i))
		}
	}
	if h.data == nil { // an empty list is not nil
		reflect.NewAt(p.t, ptr).Elem().Set(reflect.MakeSlice(p.t, 0, 0))
	}
	return nil
}

// sliceHeader is how a slice is laid out.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// grow makes room in the slice h, of p's type, for n more elements, in a
// new backing array that holds what h holds.
func (p *plan) grow(h *sliceHeader, n int) {
	reflect.NewAt(p.t, unsafe.Pointer(h)).Elem().Grow(n)
}

func decodeArray(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	n, err := s.list(depth)
	if err != nil {
		return err
	}
	want := p.t.Len()
	if n >= 0 && n != want {
		return &TypeError{Msg: "list of " + strconv.Itoa(n) + " for an array of " + strconv.Itoa(want)}
	}
	left := n
	size := p.elem.t.Size()
	i := 0
	for ; ; i++ {
		more, err := s.next(i == 0, &left)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if i >= want {
			// JSON tells the length at the end: count the rest.
			if _, err := s.value(depth + 1); err != nil {
				return err
			}
			continue
		}
		if err := decode(p.elem, s, unsafe.Add(ptr, uintptr(i)*size), depth+1); err != nil {
			return within(err, "element "+strconv.Itoa(i))
		}
	}
	if i != want {
		return &TypeError{Msg: "list of " + strconv.Itoa(i) + " for an array of " + strconv.Itoa(want)}
	}
	return nil
}

// decodeMap decodes a map into a map of any type with string keys.
func decodeMap(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	n, err := s.object(depth)
	if err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(p.t, max(n, 0))
	// One key and one element, reused for every entry.
	kv := reflect.New(p.t.Key()).Elem()
	e := reflect.New(p.elem.t).Elem()
	left := n
	for first := true; ; first = false {
		key, more, err := s.nextKey(first, &left)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		k := s.cut(key)
		e.SetZero()
		if err := decode(p.elem, s, e.Addr().UnsafePointer(), depth+1); err != nil {
			return within(err, "key "+strconv.Quote(k))
		}
		kv.SetString(k)
		m.SetMapIndex(kv, e)
	}
	reflect.NewAt(p.t, ptr).Elem().Set(m)
	return nil
}

// decodePlainMap is decodeMap for map[string]string and map[string]any,
// the most common maps, without reflection.
func decodePlainMap(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	n, err := s.object(depth)
	if err != nil {
		return err
	}
	var (
		ss map[string]string
		sa map[string]any
	)
	size := n
	if size < 0 {
		size = 8 // JSON tells the size at the end: room for a small map
	}
	if p.op == opStringMap {
		ss = make(map[string]string, size)
		*(*map[string]string)(ptr) = ss
	} else {
		sa = make(map[string]any, size)
		*(*map[string]any)(ptr) = sa
	}
	left := n
	for first := true; ; first = false {
		key, more, err := s.nextKey(first, &left)
		if !more || err != nil {
			return err
		}
		k := s.cut(key)
		if sa != nil {
			v, err := s.value(depth + 1)
			if err != nil {
				return err
			}
			sa[k] = v
			continue
		}
		if b, ok, err := s.plainString(); ok {
			if err != nil {
				return err
			}
			ss[k] = s.cut(b)
			continue
		}
		var x scalar
		switch err := s.take(&x); {
		case err != nil:
			return err
		case x.kind == kString || x.kind == kBytes:
			ss[k] = s.cut(x.s)
		case x.kind == kNil:
			ss[k] = ""
		default:
			return within(mismatch(&x, p.elem.t), "key "+strconv.Quote(k))
		}
	}
}

func decodeStruct(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	if !s.bin {
		return decodeStructJSON(p, s, ptr, depth)
	}
	n, err := s.object(depth)
	if err != nil {
		return err
	}
	left := n
	for first := true; ; first = false {
		key, more, err := s.nextKey(first, &left)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		f := p.field(key)
		if f == nil {
			return &TypeError{Msg: "no field for key " + strconv.Quote(string(key)) + " in " + p.t.String()}
		}
		if err := decodeValue(f.plan, s, unsafe.Add(ptr, f.offset), depth+1); err != nil {
			return within(err, "field "+f.goName)
		}
	}
}

// decodeStructJSON is decodeStruct for JSON. It reads the common shapes in
// place, without the general path's scalar: keys as the encoders and
// Python write them (see jsonDecoder.plainKey), the closing brace, and
// strings, pointers to strings, booleans and numbers into fields of their
// kinds. decodeSlice calls it for the elements of a list of structs.
func decodeStructJSON(p *plan, s *src, ptr unsafe.Pointer, depth int) error {
	d := &s.j
	if _, err := d.container(depth); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok := d.plainKey(first)
		switch {
		case ok:
			if err := d.spend(); err != nil {
				return err
			}
		case d.peek() == '}':
			d.off++
			return nil
		default:
			var more bool
			var err error
			if key, more, err = d.nextKey(first); !more || err != nil {
				return err
			}
		}
		f := p.field(key)
		if f == nil {
			return &TypeError{Msg: "no field for key " + strconv.Quote(string(key)) + " in " + p.t.String()}
		}
		at := unsafe.Add(ptr, f.offset)
		var err error
		switch op, c := f.plan.op, d.peek(); {
		case op == opString && c == '"':
			*(*string)(at), err = d.strCut()
		case op == opBool && (c == 't' || c == 'f'):
			lit := "false"
			if c == 't' {
				lit = "true"
			}
			if err = d.literal(lit); err == nil {
				*(*bool)(at) = c == 't'
			}
		case op == opPointer && f.plan.elem.op == opString && c == '"':
			var v string
			if v, err = d.strCut(); err == nil {
				var e unsafe.Pointer
				if f.plan.str {
					e = unsafe.Pointer(new(string))
				} else {
					e = reflect.New(f.plan.elem.t).UnsafePointer()
				}
				*(*string)(e) = v
				*(*unsafe.Pointer)(at) = e
			}
		case (op == opInt || op == opUint || op == opFloat) && (c >= '0' && c <= '9' || c == '-'):
			var x scalar
			switch fp := f.plan; {
			case !d.shortNumber(&x):
				err = decode(fp, s, at, depth+1)
			case x.kind == kFloat && fp.kind == reflect.Float64:
				*(*float64)(at) = x.f
			case x.kind == kInt && fp.kind == reflect.Int && fp.bits == 64:
				*(*int)(at) = int(x.int())
			default:
				err = setNumber(fp, at, &x)
			}
		default:
			err = decode(f.plan, s, at, depth+1)
		}
		if err != nil {
			return within(err, "field "+f.goName)
		}
	}
}
