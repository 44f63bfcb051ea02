package compat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// node is a JSON value that keeps what encoding/json forgets: the order of
// an object's keys and the text of a number.
type node struct {
	kind  byte // 'o'bject, 'a'rray, 's'tring, 'n'umber, 'b'ool, 'z' null
	keys  []string
	elems []node // an object's values, by keys, or an array's elements
	str   string // a string's value, a number's text
	b     bool
}

// parse parses one JSON text.
func parse(b []byte) (node, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	n, err := parseValue(d)
	if err != nil {
		return node{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return node{}, errors.New("text after the JSON value")
	}
	return n, nil
}

func parseValue(d *json.Decoder) (node, error) {
	tok, err := d.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := node{kind: 'a'}
		if t == '{' {
			n.kind = 'o'
		}
		for d.More() {
			if n.kind == 'o' {
				k, err := d.Token()
				if err != nil {
					return node{}, err
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := parseValue(d)
			if err != nil {
				return node{}, err
			}
			n.elems = append(n.elems, v)
		}
		if _, err := d.Token(); err != nil {
			return node{}, err
		}
		return n, nil
	case string:
		return node{kind: 's', str: t}, nil
	case json.Number:
		return node{kind: 'n', str: string(t)}, nil
	case bool:
		return node{kind: 'b', b: t}, nil
	case nil:
		return node{kind: 'z'}, nil
	}
	return node{}, fmt.Errorf("unexpected token %v", tok)
}

// get returns the value of key k of an object.
func (n node) get(k string) (node, bool) {
	if i := slices.Index(n.keys, k); i >= 0 {
		return n.elems[i], true
	}
	return node{}, false
}

// dumps writes n as Python's json.dumps does with its defaults: ", " and
// ": " separators, everything outside printable ASCII escaped.
func dumps(n node) string {
	var b strings.Builder
	dump(&b, n)
	return b.String()
}

func dump(b *strings.Builder, n node) {
	switch n.kind {
	case 'o', 'a':
		open, close := "[", "]"
		if n.kind == 'o' {
			open, close = "{", "}"
		}
		b.WriteString(open)
		for i, e := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if n.kind == 'o' {
				dumpString(b, n.keys[i])
				b.WriteString(": ")
			}
			dump(b, e)
		}
		b.WriteString(close)
	case 's':
		dumpString(b, n.str)
	case 'n':
		b.WriteString(n.str)
	case 'b':
		b.WriteString(strconv.FormatBool(n.b))
	default:
		b.WriteString("null")
	}
}

func dumpString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}

// uuidRE matches the random ids of the original: version 4 UUIDs.
var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// portRE matches the port of a loopback address in a meta.remote, which
// every run picks anew.
var portRE = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// matcher compares what one side of a conversation sent with what the
// original sent in its place. The ids that vary from run to run (message
// ids, client ids) are paired as they first appear in the same place on
// both sides, and must then keep to their pairs: a reply's response_id
// must be the id of the request it answers, whatever that id is.
type matcher struct {
	w2g, g2w map[string]string // the original's ids and ours, both ways
}

func newMatcher() *matcher {
	return &matcher{w2g: map[string]string{}, g2w: map[string]string{}}
}

// check compares got, one of our payloads, with want, the original's in
// its place, both xbahn JSON. Got must be written as Python writes JSON;
// the two must hold the same values, with the top-level keys in the same
// order and other keys in any. Ids are matched as the matcher pairs them.
func (m *matcher) check(want, got []byte) error {
	gn, err := parse(got)
	if err != nil {
		return fmt.Errorf("ours is not JSON: %v: %s", err, got)
	}
	if s := dumps(gn); s != string(got) {
		return fmt.Errorf("ours is not written as Python writes JSON:\n got %s\nwant %s", got, s)
	}
	wn, err := parse(want)
	if err != nil {
		return fmt.Errorf("the original's is not JSON: %v", err)
	}
	if !slices.Equal(gn.keys, wn.keys) {
		return fmt.Errorf("top-level keys %q, the original's %q\n got %s\nwant %s", gn.keys, wn.keys, got, want)
	}
	if err := m.compare("", wn, gn); err != nil {
		return fmt.Errorf("%v\n got %s\nwant %s", err, got, want)
	}
	return nil
}

// compare compares want and got at path.
func (m *matcher) compare(path string, want, got node) error {
	if want.kind != got.kind {
		return fmt.Errorf("%s: %s, the original's %s", path, dumps(got), dumps(want))
	}
	switch want.kind {
	case 'o':
		wk, gk := slices.Sorted(slices.Values(want.keys)), slices.Sorted(slices.Values(got.keys))
		if !slices.Equal(wk, gk) {
			return fmt.Errorf("%s: keys %q, the original's %q", path, gk, wk)
		}
		for _, k := range wk {
			w, _ := want.get(k)
			g, _ := got.get(k)
			if err := m.compare(path+"."+k, w, g); err != nil {
				return err
			}
		}
	case 'a':
		if len(want.elems) != len(got.elems) {
			return fmt.Errorf("%s: %d elements, the original's %d", path, len(got.elems), len(want.elems))
		}
		for i := range want.elems {
			if err := m.compare(fmt.Sprintf("%s[%d]", path, i), want.elems[i], got.elems[i]); err != nil {
				return err
			}
		}
	case 's':
		w, g := want.str, got.str
		if path == ".meta.remote" {
			w, g = portRE.ReplaceAllString(w, "127.0.0.1:PORT"), portRE.ReplaceAllString(g, "127.0.0.1:PORT")
		}
		return m.compareString(path, w, g)
	default:
		if want.str != got.str || want.b != got.b {
			return fmt.Errorf("%s: %s, the original's %s", path, dumps(got), dumps(want))
		}
	}
	return nil
}

// compareString compares two strings whose ids are paired.
func (m *matcher) compareString(path, want, got string) error {
	wi, gi := uuidRE.FindAllStringIndex(want, -1), uuidRE.FindAllStringIndex(got, -1)
	mismatch := fmt.Errorf("%s: %q, the original's %q", path, got, want)
	if len(wi) != len(gi) {
		return mismatch
	}
	wp, gp := 0, 0
	for i := range wi {
		if want[wp:wi[i][0]] != got[gp:gi[i][0]] {
			return mismatch
		}
		w, g := want[wi[i][0]:wi[i][1]], got[gi[i][0]:gi[i][1]]
		if err := m.pair(w, g); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		wp, gp = wi[i][1], gi[i][1]
	}
	if want[wp:] != got[gp:] {
		return mismatch
	}
	return nil
}

// clone returns a copy of m, for a trial comparison.
func (m *matcher) clone() *matcher {
	return &matcher{w2g: maps.Clone(m.w2g), g2w: maps.Clone(m.g2w)}
}

// pair pairs the original's id w with our g, or checks that they were.
func (m *matcher) pair(w, g string) error {
	pw, okw := m.w2g[w]
	pg, okg := m.g2w[g]
	switch {
	case !okw && !okg:
		m.w2g[w], m.g2w[g] = g, w
		return nil
	case okw && pw == g:
		return nil
	case okw:
		return fmt.Errorf("id %s where %s was expected (the original's %s)", g, pw, w)
	}
	return fmt.Errorf("id %s stands for the original's %s, not %s", g, pg, w)
}

// rewrite returns one of the original's payloads with its ids replaced by
// ours, where they are paired: what the original would have sent in our
// run.
func (m *matcher) rewrite(want []byte) []byte {
	return uuidRE.ReplaceAllFunc(want, func(w []byte) []byte {
		if g, ok := m.w2g[string(w)]; ok {
			return []byte(g)
		}
		return w
	})
}
