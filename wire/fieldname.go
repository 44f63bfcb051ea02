package wire

import (
	"bytes"
	"encoding/binary"
)

// fieldNames finds the field of a struct that a key names: the field of
// that exact name, or else the first whose name equals the key ignoring
// case, as bytes.EqualFold compares.
//
// Keys are short and ASCII as a rule, and so are names: those of up to 8
// bytes are compared as one word each, in their own form and with ASCII
// letters folded to lower case, instead of byte by byte.
type fieldNames struct {
	short [9][]shortName // ASCII names of at most 8 bytes, by length
	byLen [][]int        // the fields whose ASCII names have each length
	wide  []int          // the fields whose names are not ASCII
}

// shortName is a name of at most 8 ASCII bytes as words: its bytes, and
// its bytes with letters in lower case, zero beyond its length.
type shortName struct {
	word, folded uint64
	field        int
}

// index fills n from the fields of a struct.
func (n *fieldNames) index(fields []fieldPlan) {
	longest := 0
	for _, f := range fields {
		longest = max(longest, len(f.name))
	}
	n.byLen = make([][]int, longest+1)
	for i, f := range fields {
		switch {
		case !ascii(f.bname):
			n.wide = append(n.wide, i)
		case len(f.name) <= 8:
			w := word(f.bname)
			n.short[len(f.name)] = append(n.short[len(f.name)], shortName{w, foldWord(w), i})
			fallthrough
		default:
			n.byLen[len(f.name)] = append(n.byLen[len(f.name)], i)
		}
	}
}

// field returns the field that key names, or nil. A key that is a name
// of up to 8 bytes exactly, as most are, is found on the way in.
func (p *plan) field(key []byte) *fieldPlan {
	if len(key) <= 8 {
		w := word(key)
		for _, s := range p.names.short[len(key)] {
			if s.word == w {
				return &p.fields[s.field]
			}
		}
	}
	if i := p.names.find(key, p.fields); i >= 0 {
		return &p.fields[i]
	}
	return nil
}

// find returns the index of the field that key names, or -1.
func (n *fieldNames) find(key []byte, fields []fieldPlan) int {
	folded := -1 // the first field whose name folds to the key
	switch {
	case len(key) <= 8:
		w := word(key)
		if w&highBits != 0 {
			break // not ASCII
		}
		fw := foldWord(w)
		for _, s := range n.short[len(key)] {
			if s.folded != fw {
				continue
			}
			if s.word == w {
				return s.field
			}
			if folded < 0 {
				folded = s.field
			}
		}
		return n.foldWide(key, fields, folded)
	case len(key) < len(n.byLen) && ascii(key):
		for _, i := range n.byLen[len(key)] {
			if string(key) == fields[i].name {
				return i
			}
		}
		for _, i := range n.byLen[len(key)] {
			if bytes.EqualFold(key, fields[i].bname) {
				folded = i
				break
			}
		}
		return n.foldWide(key, fields, folded)
	}
	// A key that is not ASCII may fold to any name, of any length
	// (the Kelvin sign to "k"), and so may an ASCII key to a name that
	// is not ASCII.
	for i := range fields {
		if string(key) == fields[i].name {
			return i
		}
	}
	for i := range fields {
		if bytes.EqualFold(key, fields[i].bname) {
			return i
		}
	}
	return -1
}

// foldWide returns the first field before folded, a field an ASCII key
// folds to or -1, whose name is not ASCII and folds to key; else folded.
func (n *fieldNames) foldWide(key []byte, fields []fieldPlan, folded int) int {
	for _, i := range n.wide {
		if folded >= 0 && i > folded {
			break
		}
		if bytes.EqualFold(key, fields[i].bname) {
			return i
		}
	}
	return folded
}

// highBits has the high bit of each byte of a word set.
const highBits = 0x8080808080808080

// word returns b, at most 8 bytes, as a little-endian word, zero beyond
// its length.
func word(b []byte) uint64 {
	if cap(b) >= 8 {
		// One load, what lies beyond b masked off.
		return binary.LittleEndian.Uint64(b[:8]) & (1<<(8*len(b)) - 1)
	}
	var w uint64
	for i := len(b) - 1; i >= 0; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// foldWord turns the upper-case ASCII letters of w, a word of ASCII
// bytes, into lower case. Adding 0x3f to a byte sets its high bit from
// 'A' on, adding 0x25 from 'Z'+1 on; ASCII bytes cannot carry into the
// next byte.
func foldWord(w uint64) uint64 {
	const ones = 0x0101010101010101
	fromA := (w + (0x80-'A')*ones) & highBits
	pastZ := (w + (0x80-'Z'-1)*ones) & highBits
	return w | (fromA&^pastZ)>>2
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
