package wire

import (
	"errors"
	"reflect"
	"strconv"
)

// Sentinel errors of the decoders. A decoder wraps them in a *DecodeError
// that tells where the problem was found; test for them with errors.Is.
var (
	// ErrTruncated reports input that ends before the message does, or a
	// declared length or count larger than the rest of the input.
	ErrTruncated = errors.New("wire: truncated input")

	// ErrTooLarge reports input longer than Limits.MaxBytes or holding more
	// elements than Limits.MaxElements.
	ErrTooLarge = errors.New("wire: message too large")

	// ErrTooDeep reports lists and maps nested deeper than Limits.MaxDepth.
	// The encoders return it too, so a value that nests into itself is an
	// error rather than endless recursion.
	ErrTooDeep = errors.New("wire: nesting too deep")

	// ErrSyntax reports malformed input: an unknown binary tag, an overlong
	// varint, invalid JSON or UTF-8, or data after the end of the message.
	ErrSyntax = errors.New("wire: syntax error")

	// ErrUnknownEncoding reports input whose first byte starts neither
	// encoding (see Sniff).
	ErrUnknownEncoding = errors.New("wire: unknown encoding")

	// ErrNoMeta reports a JSON message without the meta object that xbahn
	// requires.
	ErrNoMeta = errors.New("wire: missing meta")

	// ErrType reports a message that is not an object, or meta, args or
	// kwargs holding a value of the wrong kind (kwargs must be an object,
	// args an array or an object).
	ErrType = errors.New("wire: wrong value type")
)

// DecodeError is the error of a failed decode: one of the sentinel errors
// with the place where it was found.
type DecodeError struct {
	Offset int    // byte offset into the input
	Field  string // top-level field being decoded: "meta", "data", "args", "kwargs" or ""
	Err    error  // one of the Err sentinels
}

// Error returns the sentinel's text followed by the field and the offset.
func (e *DecodeError) Error() string {
	s := e.Err.Error()
	if e.Field != "" {
		s += " in " + e.Field
	}
	return s + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns the sentinel error.
func (e *DecodeError) Unwrap() error { return e.Err }

// UnsupportedTypeError is returned by the encoders for a value whose Go
// type has no wire form, such as a struct, a pointer, a channel or a func.
type UnsupportedTypeError struct {
	Type reflect.Type
}

// Error names the unsupported type.
func (e *UnsupportedTypeError) Error() string {
	return "wire: unsupported type " + e.Type.String()
}
