// Package wire implements the message of xbahn and its two encodings: a
// compact binary one, and the JSON text of the original Python xbahn, byte
// for byte.
//
// The package sits below the root package xbahn, which routes messages and
// matches replies to calls, and above package zmtp, which frames bytes on a
// connection: one encoded Message is the body of one ZMTP frame. Encoding
// appends to a caller's buffer and is free of allocations for ordinary
// messages; decoding checks every length, count and nesting level against
// Limits before it allocates, and never panics.
//
// # Encodings
//
// The binary encoding starts with the version byte 0xB1, a byte that no
// UTF-8 text can start with; JSON starts with '{' or whitespace. Decode
// tells them apart by that first byte (see Sniff). Python peers speak only
// JSON, so a connection to them has to use AppendJSON.
//
// AppendJSON writes what Python's json.dumps writes for the message dict:
// separators ", " and ": ", non-ASCII escaped, keys meta, data, args and
// kwargs in that order. Python keeps meta keys in insertion order, which
// varies; AppendJSON writes "id" first and the other meta keys sorted. That
// reproduces the captured messages of the original, except replies in which
// Python happened to write response_id before path. No receiver depends on
// the order.
//
// # Values
//
// Data, the elements of Args and the values of Meta and Kwargs are
// self-describing values. The encoders take these Go types and the
// decoders return the canonical type on the right:
//
//	Go type                       binary         JSON              decoded as
//	nil                           nil            null              nil
//	bool                          false, true    false, true       bool
//	int, int8 ... int64           int            integer           int64
//	uint, uint8 ... uint64        uint           integer           uint64 (JSON: int64 up to MaxInt64)
//	float32, float64              float (bits)   Python float      float64
//	string                        string         string            string
//	[]byte                        bytes          base64 string     []byte (JSON: string)
//	[]any, other slices, arrays   list           array             []any
//	map[string]any, other maps    map            object            map[string]any
//	  with string keys
//
// A binary round trip of canonical values keeps every type and value: an
// int64 stays an int64, a uint64 a uint64, a float64 keeps its exact bits,
// []byte stays distinct from string, and nil, an empty list and an empty
// map stay distinct. A nil slice or map inside a value encodes as an empty
// list or map. The binary encoding writes int64 values 0 to 127 in one
// byte and other integers as varints (signed ones zigzag-coded).
//
// JSON has fewer types. An integer decodes as an int64, or as a uint64
// above math.MaxInt64, or as a float64 beyond that; a number with a point
// or an exponent decodes as a float64. Floats are written like Python's
// repr (1.0, 1e+16) and NaN, Infinity and -Infinity as Python writes them.
// JSON has no bytes, so a []byte is written as a standard base64 string,
// which a Python peer sees as a str and can read with base64.b64decode;
// it decodes as that string. Invalid UTF-8 in a string is written as
// \ufffd; decoding requires valid UTF-8, as Python does, and turns a lone
// surrogate escape, which a Go string cannot hold, into U+FFFD.
//
// Other named types of those kinds (type Celsius float64, []string,
// map[string]int, [16]byte) are converted by a reflection fallback that
// allocates. Other types, such as structs, pointers, channels and funcs,
// are an *UnsupportedTypeError. Values nested deeper than
// DefaultLimits().MaxDepth, a cycle among them too, are ErrTooDeep.
//
// # The xbahn schema
//
// Meta must be a JSON object; a message without it is ErrNoMeta. Data,
// args and kwargs may be missing. Kwargs must be an object. Args should be
// an array; as Python spreads whatever it holds into the call, an object
// in args gives its keys as the positional arguments. Other top-level keys
// are read for syntax and limits and dropped.
//
// # Decoding into Go types
//
// Limits.DecodeHead decodes only a message's meta and leaves its data,
// args and kwargs encoded, as the Raw values of a Body; a Type then
// decodes a Raw straight into a Go value of its type, structs included,
// without building the []any and map[string]any of the table above:
//
//	var order Order
//	err := wire.Unmarshal(body.Args[0], &order)
//
// A value fits a Go type by the rules of package rpc's Convert (see Type),
// and a value that does not is a *TypeError naming where. Body.Fill
// decodes the rest of such a message as Decode would have.
//
// # Aliasing
//
// The decoders never retain their input, so the buffer may be reused as
// soon as Decode returns. Byte slices are copied one by one. Strings are
// cut from a single copy of the input, which costs one allocation instead
// of one per string but means that any string kept from a message keeps
// that whole copy alive; inputs over 64 KiB have their strings copied one
// by one instead, so a kept string never holds on to more than that.
//
// A decode reuses the backing array of the Message's Args and its Meta and
// Kwargs maps; values taken from an earlier decode of the same Message are
// only safe if taken out of those containers or copied with Clone.
package wire
