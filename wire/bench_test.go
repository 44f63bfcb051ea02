package wire_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn/wire"
)

// The benchmarks encode and decode four messages with four codecs: this
// package's binary and JSON encodings, and encoding/json and encoding/gob
// on plain, a struct with the same fields that has no methods of its own.
//
// Encoding appends to a reused buffer where the codec allows it
// (encoding/json cannot). This package decodes into a reused Message;
// encoding/json and gob decode into a new plain value each time. Gob runs
// as the stream it is designed for: one Encoder and one Decoder for the
// whole benchmark, so its type descriptions are sent once and are neither
// timed nor counted in B/msg.

type plain struct {
	ID         string
	Path       string
	ResponseID string
	Error      string
	Meta       map[string]any
	Data       any
	Args       []any
	Kwargs     map[string]any
}

func toPlain(m *wire.Message) plain {
	return plain{m.ID, m.Path, m.ResponseID, m.Error, m.Meta, m.Data, m.Args, m.Kwargs}
}

const uuid = "51e532df-c59c-4087-a6bb-9c37944f8298"

func benchMessages() []struct {
	name string
	m    *wire.Message
} {
	return []struct {
		name string
		m    *wire.Message
	}{
		{"call", &wire.Message{
			ID: uuid, Path: "comm.call", Meta: map[string]any{"client": "$"},
			Data: "multiply", Args: []any{7, 6}, Kwargs: map[string]any{},
		}},
		{"reply", &wire.Message{
			ID: "56970f44-285e-4c9d-96ec-fbd2b6bec209", Path: "xbahn.response." + uuid,
			ResponseID: uuid, Data: 42,
		}},
		{"4KiB", &wire.Message{
			ID: uuid, Path: "events.text",
			Data: strings.Repeat("The quick brown fox jumps over the lazy dog. ", 92)[:4096],
		}},
		{"nested", &wire.Message{
			ID: uuid, Path: "inventory.update", Data: map[string]any{
				"name": "warehouse 7", "open": true, "capacity": 12500, "load": 0.625,
				"tags": []any{"cold", "bulk", "24h"}, "updated": "2024-05-01T12:00:00Z",
				"manager": "Jana Nowak",
				"address": map[string]any{
					"street": "Hauptstraße 1", "zip": "10115", "city": "Berlin", "floor": -2, "verified": false,
					"geo": map[string]any{"lat": 52.52, "lon": 13.405, "alt": 34, "source": "gps"},
				},
			},
		}},
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, bm := range benchMessages() {
		b.Run(bm.name+"/binary", func(b *testing.B) {
			benchAppend(b, bm.m.AppendBinary)
		})
		b.Run(bm.name+"/json", func(b *testing.B) {
			benchAppend(b, bm.m.AppendJSON)
		})
		b.Run(bm.name+"/encoding-json", func(b *testing.B) {
			p := toPlain(bm.m)
			var out []byte
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if out, err = json.Marshal(&p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out)), "B/msg")
		})
		b.Run(bm.name+"/gob", func(b *testing.B) {
			registerGob()
			p := toPlain(bm.m)
			var buf bytes.Buffer
			enc := gob.NewEncoder(&buf)
			if err := enc.Encode(&p); err != nil { // type descriptions
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/msg")
		})
	}
}

func benchAppend(b *testing.B, appendTo func([]byte) ([]byte, error)) {
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = appendTo(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "B/msg")
}

func BenchmarkDecode(b *testing.B) {
	for _, bm := range benchMessages() {
		b.Run(bm.name+"/binary", func(b *testing.B) {
			in, _ := bm.m.AppendBinary(nil)
			benchDecode(b, in)
		})
		b.Run(bm.name+"/json", func(b *testing.B) {
			in, _ := bm.m.AppendJSON(nil)
			benchDecode(b, in)
		})
		b.Run(bm.name+"/encoding-json", func(b *testing.B) {
			p := toPlain(bm.m)
			in, err := json.Marshal(&p)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				var out plain
				if err := json.Unmarshal(in, &out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(in)), "B/msg")
		})
		b.Run(bm.name+"/gob", func(b *testing.B) {
			registerGob()
			p := toPlain(bm.m)
			var buf bytes.Buffer
			enc := gob.NewEncoder(&buf)
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
			head := len(buf.Bytes())
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
			msg := buf.Bytes()[head:]
			dec := gob.NewDecoder(&repeatReader{head: buf.Bytes()[:head], body: msg})
			var first plain
			if err := dec.Decode(&first); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				var out plain
				if err := dec.Decode(&out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(msg)), "B/msg")
		})
	}
}

func benchDecode(b *testing.B, in []byte) {
	var m wire.Message
	b.ReportAllocs()
	for b.Loop() {
		if err := wire.Decode(in, &m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in)), "B/msg")
}

// registerGob tells gob the container types that appear inside interface
// values. Registering the same type again is harmless.
func registerGob() {
	gob.Register(map[string]any{})
	gob.Register([]any{})
}

// repeatReader reads head once and then body over and over: a gob stream
// of one message after another.
type repeatReader struct {
	head, body []byte
	off        int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.head) > 0 {
			c := copy(p[n:], r.head)
			r.head = r.head[c:]
			n += c
			continue
		}
		c := copy(p[n:], r.body[r.off:])
		r.off = (r.off + c) % len(r.body)
		n += c
	}
	return n, nil
}
