package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// captures are payloads that the original Python xbahn 1.99.2 sent, byte
// for byte, with the messages they hold. AppendJSON writes each of them
// exactly, except those marked reordered, where Python put response_id
// before path.
var captures = []struct {
	name      string
	json      string
	msg       *Message
	reordered bool
}{
	{
		name: "call multiply(7, 6)",
		json: `{"meta": {"id": "51e532df-c59c-4087-a6bb-9c37944f8298", "client": "$", "path": "comm.call"}, "data": "multiply", "args": [7, 6], "kwargs": {}}`,
		msg:  &Message{ID: "51e532df-c59c-4087-a6bb-9c37944f8298", Path: "comm.call", Meta: map[string]any{"client": "$"}, Data: "multiply", Args: []any{int64(7), int64(6)}},
	},
	{
		name: "reply 42",
		json: `{"meta": {"id": "56970f44-285e-4c9d-96ec-fbd2b6bec209", "path": "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298", "response_id": "51e532df-c59c-4087-a6bb-9c37944f8298"}, "data": 42, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "56970f44-285e-4c9d-96ec-fbd2b6bec209", Path: "xbahn.response.51e532df-c59c-4087-a6bb-9c37944f8298", ResponseID: "51e532df-c59c-4087-a6bb-9c37944f8298", Data: int64(42)},
	},
	{
		name: "error reply",
		json: `{"meta": {"id": "c43395a8-4ab6-4872-bb88-ae2df1878855", "error": "boom", "path": "xbahn.response.98189771-cf5f-48fb-a86e-cb3d429c8a84", "response_id": "98189771-cf5f-48fb-a86e-cb3d429c8a84"}, "data": null, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "c43395a8-4ab6-4872-bb88-ae2df1878855", Error: "boom", Path: "xbahn.response.98189771-cf5f-48fb-a86e-cb3d429c8a84", ResponseID: "98189771-cf5f-48fb-a86e-cb3d429c8a84"},
	},
	{
		name: "not exposed",
		json: `{"meta": {"id": "1d5a2e77-3961-4e0f-9ae1-3e3c33d7725c", "error": "action 'not_exposed' not exposed on API (Server)", "path": "xbahn.response.e000dfaa-ccca-4ff8-a64a-e4d863996867", "response_id": "e000dfaa-ccca-4ff8-a64a-e4d863996867"}, "data": null, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "1d5a2e77-3961-4e0f-9ae1-3e3c33d7725c", Error: "action 'not_exposed' not exposed on API (Server)", Path: "xbahn.response.e000dfaa-ccca-4ff8-a64a-e4d863996867", ResponseID: "e000dfaa-ccca-4ff8-a64a-e4d863996867"},
	},
	{
		name: "traceback",
		json: `{"meta": {"id": "898d6191-dacd-4ac3-8505-c902da295440", "error": "Traceback (most recent call last):\n  File \"site-packages/xbahn/api.py\", line 333, in on_receive\n    r = fn(*message.args, **message.kwargs)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"server.py\", line 39, in fail\n    raise ValueError(\"boom\")\nValueError: boom\n", "path": "xbahn.response.00000000-0000-4000-8000-000000000001", "response_id": "00000000-0000-4000-8000-000000000001"}, "data": null, "args": [], "kwargs": {}}`,
		msg: &Message{ID: "898d6191-dacd-4ac3-8505-c902da295440", Path: "xbahn.response.00000000-0000-4000-8000-000000000001", ResponseID: "00000000-0000-4000-8000-000000000001",
			Error: "Traceback (most recent call last):\n  File \"site-packages/xbahn/api.py\", line 333, in on_receive\n    r = fn(*message.args, **message.kwargs)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"server.py\", line 39, in fail\n    raise ValueError(\"boom\")\nValueError: boom\n"},
	},
	{
		name: "link message",
		json: `{"meta": {"id": "49ed3f70-391a-4555-8ecb-eea1f7fd07ef", "path": "person"}, "data": "John Smith", "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "49ed3f70-391a-4555-8ecb-eea1f7fd07ef", Path: "person", Data: "John Smith"},
	},
	{
		name: "automatic empty reply",
		json: `{"meta": {"id": "0bf0e857-4865-4410-bce4-2906178f6ccb"}, "data": null, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "0bf0e857-4865-4410-bce4-2906178f6ccb"},
	},
	{
		name: "send_and_wait",
		json: `{"meta": {"id": "8b47fbd5-f15d-47c6-944d-635d5e671aa9", "path": "echo"}, "data": "Test", "args": ["an arg"], "kwargs": {"something": "extra"}}`,
		msg:  &Message{ID: "8b47fbd5-f15d-47c6-944d-635d5e671aa9", Path: "echo", Data: "Test", Args: []any{"an arg"}, Kwargs: map[string]any{"something": "extra"}},
	},
	{
		name:      "respond to send_and_wait",
		json:      `{"meta": {"id": "eef2fb29-ba6d-477b-a27c-efdecd3976c7", "response_id": "8b47fbd5-f15d-47c6-944d-635d5e671aa9", "path": "xbahn.response.8b47fbd5-f15d-47c6-944d-635d5e671aa9"}, "data": "Message 'Test' received!", "args": [], "kwargs": {}}`,
		msg:       &Message{ID: "eef2fb29-ba6d-477b-a27c-efdecd3976c7", ResponseID: "8b47fbd5-f15d-47c6-944d-635d5e671aa9", Path: "xbahn.response.8b47fbd5-f15d-47c6-944d-635d5e671aa9", Data: "Message 'Test' received!"},
		reordered: true,
	},
	{
		name: "widget attach",
		json: `{"meta": {"id": "f6f205df-1327-4dd6-950c-3daf6d243dfc", "client": "$", "path": "comm.call"}, "data": "attach_remote", "args": ["$.widget_a", "demo"], "kwargs": {"remote_name": "demo"}}`,
		msg:  &Message{ID: "f6f205df-1327-4dd6-950c-3daf6d243dfc", Meta: map[string]any{"client": "$"}, Path: "comm.call", Data: "attach_remote", Args: []any{"$.widget_a", "demo"}, Kwargs: map[string]any{"remote_name": "demo"}},
	},
	{
		name: "widget attach reply",
		json: `{"meta": {"id": "0906bfdf-1b90-4f77-88e3-0359d371f176", "path": "xbahn.response.f6f205df-1327-4dd6-950c-3daf6d243dfc", "response_id": "f6f205df-1327-4dd6-950c-3daf6d243dfc"}, "data": null, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "0906bfdf-1b90-4f77-88e3-0359d371f176", Path: "xbahn.response.f6f205df-1327-4dd6-950c-3daf6d243dfc", ResponseID: "f6f205df-1327-4dd6-950c-3daf6d243dfc"},
	},
	{
		name: "widget call",
		json: `{"meta": {"id": "2adeda07-15ae-4214-b6c3-acaebe4c7653", "client": "$", "path": "comm.call.widgets.demo.$.widget_a"}, "data": "set_number", "args": [123], "kwargs": {}}`,
		msg:  &Message{ID: "2adeda07-15ae-4214-b6c3-acaebe4c7653", Meta: map[string]any{"client": "$"}, Path: "comm.call.widgets.demo.$.widget_a", Data: "set_number", Args: []any{int64(123)}},
	},
	{
		name: "obtain_client_id",
		json: `{"meta": {"id": "5f8a67af-4049-4159-89e2-aafbedeaa57d", "client": null, "path": "comm.call"}, "data": "obtain_client_id", "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "5f8a67af-4049-4159-89e2-aafbedeaa57d", Meta: map[string]any{"client": nil}, Path: "comm.call", Data: "obtain_client_id"},
	},
	{
		name: "two-way obtain_client_id",
		json: `{"meta": {"id": "4cb6d489-a613-4ba4-b7c5-bebd8dbc1ba7", "client": null, "path": "comm.call", "remote": "connect->zmq://127.0.0.1:7069/req?transport=tcp"}, "data": "obtain_client_id", "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "4cb6d489-a613-4ba4-b7c5-bebd8dbc1ba7", Meta: map[string]any{"client": nil, "remote": "connect->zmq://127.0.0.1:7069/req?transport=tcp"}, Path: "comm.call", Data: "obtain_client_id"},
	},
	{
		name: "two-way touch reply",
		json: `{"meta": {"id": "e100c89e-644c-4806-a52d-3ec088dc17a1", "client": "d3b40975-ed5c-438d-9469-d6ea79eee94c", "path": "xbahn.response.578f6256-36b8-4b2e-aaf6-cf5f73b15136", "response_id": "578f6256-36b8-4b2e-aaf6-cf5f73b15136"}, "data": true, "args": [], "kwargs": {}}`,
		msg:  &Message{ID: "e100c89e-644c-4806-a52d-3ec088dc17a1", Meta: map[string]any{"client": "d3b40975-ed5c-438d-9469-d6ea79eee94c"}, Path: "xbahn.response.578f6256-36b8-4b2e-aaf6-cf5f73b15136", ResponseID: "578f6256-36b8-4b2e-aaf6-cf5f73b15136", Data: true},
	},
	{
		name: "published tick (topic stripped)",
		json: `{"meta": {"id": "d1d4fc8c-832b-4732-b367-a36cf39dddb9", "path": "events.tick"}, "data": "tick 6", "args": [6], "kwargs": {"seq": 6}}`,
		msg:  &Message{ID: "d1d4fc8c-832b-4732-b367-a36cf39dddb9", Path: "events.tick", Data: "tick 6", Args: []any{int64(6)}, Kwargs: map[string]any{"seq": int64(6)}},
	},
}

func TestJSONCaptures(t *testing.T) {
	for _, c := range captures {
		t.Run(c.name, func(t *testing.T) {
			var got Message
			if err := Decode([]byte(c.json), &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameMessage(&got, c.msg) {
				t.Errorf("Decode = %#v, want %#v", got, *c.msg)
			}
			b, err := c.msg.AppendJSON(nil)
			if err != nil {
				t.Fatalf("AppendJSON: %v", err)
			}
			if c.reordered {
				if len(b) != len(c.json) {
					t.Errorf("AppendJSON = %s, want the keys of %s", b, c.json)
				}
				return
			}
			if string(b) != c.json {
				t.Errorf("AppendJSON =\n%s\nwant\n%s", b, c.json)
			}
		})
	}
}

func TestJSONCallBytes(t *testing.T) {
	// The captured frame body of the call, from its hex dump.
	want := "" +
		"{\"meta\": {\"i" + "d\": \"51e532df-c5" + "9c-4087-a6bb-9c3" + "7944f8298\", \"cli" +
		"ent\": \"$\", \"path" + "\": \"comm.call\"}," + " \"data\": \"multip" + "ly\", \"args\": [7," +
		" 6], \"kwargs\": {" + "}}"
	got, err := call().AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want || len(got) != 0x8e {
		t.Errorf("AppendJSON(call) = %d bytes %s, want 142 bytes %s", len(got), got, want)
	}
}

// TestJSONPeers decodes what the notes show Python accepting from a hand
// written peer.
func TestJSONPeers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Message
	}{
		{"no id, no args", `{"meta": {"path": "comm.call"}, "data": "ping"}`,
			&Message{Path: "comm.call", Data: "ping"}},
		{"compact", `{"meta":{"path":"comm.call","id":"x6"},"data":"ping","args":[],"kwargs":{}}`,
			&Message{ID: "x6", Path: "comm.call", Data: "ping"}},
		{"kwargs only", `{"meta": {"path": "comm.call", "id": "x1"}, "data": "multiply", "kwargs": {"a": 7, "b": "6"}}`,
			&Message{ID: "x1", Path: "comm.call", Data: "multiply", Kwargs: map[string]any{"a": int64(7), "b": "6"}}},
		{"args object gives its keys", `{"meta": {"id": "x"}, "args": {"a": 7, "b": [6]}}`,
			&Message{ID: "x", Args: []any{"a", "b"}}},
		{"args object with a key twice", `{"meta": {"id": "x"}, "args": {"b": 1, "a": 2, "b": 3}}`,
			&Message{ID: "x", Args: []any{"b", "a"}}},
		{"minimal reply", `{"meta":{"response_id":"r"},"data":"pong!"}`,
			&Message{ResponseID: "r", Data: "pong!"}},
		{"error reply", `{"meta":{"response_id":"r","error":"nope"}}`,
			&Message{ResponseID: "r", Error: "nope"}},
		{"key order", `{"kwargs": {"k": 1}, "args": [1], "data": 2, "meta": {"path": "p"}}`,
			&Message{Path: "p", Data: int64(2), Args: []any{int64(1)}, Kwargs: map[string]any{"k": int64(1)}}},
		{"whitespace", " \t\r\n{ \"meta\" :\n{ } , \"data\"\t: [ 1 , { } ] }\n ",
			&Message{Data: []any{int64(1), map[string]any{}}}},
		{"unknown keys", `{"meta": {}, "extra": {"x": [1, 2, {"y": null}]}, "more": 1}`,
			&Message{}},
		{"repeated keys: last wins", `{"meta": {"id": "a", "id": "b", "path": "p", "k": 1, "k": 2}, "data": 1, "data": 2, "args": [1], "args": [2], "kwargs": {"a": 1}, "kwargs": {"b": 2}}`,
			&Message{ID: "b", Path: "p", Meta: map[string]any{"k": int64(2)}, Data: int64(2), Args: []any{int64(2)}, Kwargs: map[string]any{"b": int64(2)}}},
		{"repeated meta", `{"meta": {"id": "a", "x": 1}, "meta": {"path": "p"}}`,
			&Message{Path: "p"}},
		{"reserved keys that are not strings", `{"meta": {"id": 5, "path": null, "response_id": "", "error": ["e"]}}`,
			&Message{Meta: map[string]any{"id": int64(5), "path": nil, "response_id": "", "error": []any{"e"}}}},
		{"string then non-string", `{"meta": {"id": "a", "id": 5}}`,
			&Message{Meta: map[string]any{"id": int64(5)}}},
		{"non-string then string", `{"meta": {"id": 5, "id": "a"}}`,
			&Message{ID: "a"}},
		{"escapes", `{"meta": {}, "data": "\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"}`,
			&Message{Data: "\"\\/\b\f\n\r\tAé€😀"}},
		{"lone surrogates", `{"meta": {}, "data": ["\ud800", "\udc00x", "\ud800\u0041", "\ud800\ud800", "\ud800\ue000"]}`,
			&Message{Data: []any{"\uFFFD", "\uFFFDx", "\uFFFDA", "\uFFFD\uFFFD", "\uFFFD\ue000"}}},
		{"raw UTF-8", `{"meta": {}, "data": "é€😀"}`, &Message{Data: "é€😀"}},
		{"unicode key", `{"meta": {"k\u00e9y": 1}}`, &Message{Meta: map[string]any{"kéy": int64(1)}}},
		{"numbers", `{"meta": {}, "args": [0, -0, 1, -1, 9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775809, 1.0, -0.0, 1e2, 1E-2, 2.5e+3, 1e400, -1e400, 1e-400, NaN, Infinity, -Infinity]}`,
			&Message{Args: []any{int64(0), int64(0), int64(1), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), uint64(1 << 63), uint64(math.MaxUint64), 18446744073709551616.0, -9223372036854775809.0,
				1.0, math.Copysign(0, -1), 100.0, 0.01, 2500.0, math.Inf(1), math.Inf(-1), 0.0, math.NaN(), math.Inf(1), math.Inf(-1)}}},
		{"literals", `{"meta": {}, "args": [true, false, null]}`, &Message{Args: []any{true, false, nil}}},
		{"empty containers", `{"meta": {}, "data": [[], {}, ""]}`, &Message{Data: []any{[]any{}, map[string]any{}, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Message
			if err := Decode([]byte(tt.in), &got); err != nil {
				t.Fatalf("Decode(%s): %v", tt.in, err)
			}
			if !sameMessage(&got, tt.want) {
				t.Errorf("Decode(%s) = %#v, want %#v", tt.in, got, *tt.want)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		in     string
		err    error
		field  string
		offset int
	}{
		{``, ErrTruncated, "", 0},
		{`not json`, ErrUnknownEncoding, "", 0},
		{`["meta"]`, ErrUnknownEncoding, "", 0},
		{` ["meta"]`, ErrType, "", 1},
		{`   `, ErrTruncated, "", 3},
		{`{"data": "ping"}`, ErrNoMeta, "", 16},
		{`{}`, ErrNoMeta, "", 2},
		{`{"meta": null}`, ErrType, "meta", 9},
		{`{"meta": []}`, ErrType, "meta", 9},
		{`{"meta": {}, "kwargs": [1]}`, ErrType, "kwargs", 23},
		{`{"meta": {}, "kwargs": null}`, ErrType, "kwargs", 23},
		{`{"meta": {}, "args": null}`, ErrType, "args", 21},
		{`{"meta": {}, "args": "ab"}`, ErrType, "args", 21},
		{`{"meta": {}} x`, ErrSyntax, "", 13},
		{`{"meta": {}}{}`, ErrSyntax, "", 12},
		{`{"meta": {},}`, ErrSyntax, "", 12},
		{`{"meta": {} "data": 1}`, ErrSyntax, "", 12},
		{`{"meta" {}}`, ErrSyntax, "", 8},
		{`{meta: {}}`, ErrSyntax, "", 1},
		{`{'meta': {}}`, ErrSyntax, "", 1},
		{`{"meta": {}, "data": [1,]}`, ErrSyntax, "data", 24},
		{`{"meta": {}, "data": [1 2]}`, ErrSyntax, "data", 24},
		{`{"meta": {}, "data": {"a" 1}}`, ErrSyntax, "data", 26},
		{`{"meta": {}, "data": {1: 1}}`, ErrSyntax, "data", 22},
		{`{"meta": {}, "data": tru}`, ErrSyntax, "data", 24},
		{`{"meta": {}, "data": nan}`, ErrSyntax, "data", 22},
		{`{"meta": {}, "data": undefined}`, ErrSyntax, "data", 21},
		{`{"meta": {}, "data": 01}`, ErrSyntax, "", 22},
		{`{"meta": {}, "data": 1.}`, ErrSyntax, "data", 23},
		{`{"meta": {}, "data": .5}`, ErrSyntax, "data", 21},
		{`{"meta": {}, "data": 1e}`, ErrSyntax, "data", 23},
		{`{"meta": {}, "data": -}`, ErrSyntax, "data", 22},
		{`{"meta": {}, "data": +1}`, ErrSyntax, "data", 21},
		{`{"meta": {}, "data": 0x10}`, ErrSyntax, "", 22},
		{`{"meta": {}, "data": "a` + "\n" + `"}`, ErrSyntax, "data", 23},
		{`{"meta": {}, "data": "\x"}`, ErrSyntax, "data", 23},
		{`{"meta": {}, "data": "\u12g4"}`, ErrSyntax, "data", 26},
		{`{"meta": {}, "data": "ab` + "\xff" + `"}`, ErrSyntax, "data", 24},
		{`{"meta": {}, "data": "\n` + "\xc3" + `"}`, ErrSyntax, "data", 24},
		{"{\"meta\": {}, \"data\": 1}\xff", ErrSyntax, "", 23},
		{`{"meta": {"id": "a`, ErrTruncated, "meta", 18},
		{`{"meta": {}, "data": "\u12`, ErrTruncated, "data", 26},
		{`{"meta": {}, "data": [`, ErrTruncated, "data", 22},
		{`{"meta": {}, "data": 1`, ErrTruncated, "", 22},
		{`{"meta": {}, "data": -`, ErrTruncated, "data", 22},
		{`{"meta": {}, "data": 1.`, ErrTruncated, "data", 23},
		{`{"meta": {}, "data": fal`, ErrTruncated, "data", 24},
		{`{"meta": {}, "data": -Inf`, ErrTruncated, "data", 25},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var m Message
			err := Decode([]byte(tt.in), &m)
			var de *DecodeError
			if !errors.Is(err, tt.err) || !errors.As(err, &de) {
				t.Fatalf("Decode(%q) = %v, want %v", tt.in, err, tt.err)
			}
			if de.Field != tt.field || de.Offset != tt.offset {
				t.Errorf("Decode(%q) = %v, want field %q offset %d", tt.in, err, tt.field, tt.offset)
			}
			if !sameMessage(&m, &Message{}) {
				t.Errorf("message not reset after error: %#v", m)
			}
		})
	}
}

func TestJSONLimits(t *testing.T) {
	deep := `{"meta": {}, "data": ` + strings.Repeat("[", 3) + strings.Repeat("]", 3) + `}`
	tests := []struct {
		name   string
		in     string
		limits Limits
		err    error
	}{
		{"depth 3 of 3", deep, Limits{MaxDepth: 3}, nil},
		{"depth 3 of 2", deep, Limits{MaxDepth: 2}, ErrTooDeep},
		{"nested in kwargs", `{"meta": {}, "kwargs": {"a": []}}`, Limits{MaxDepth: 1}, ErrTooDeep},
		{"default depth", `{"meta": {}, "data": ` + strings.Repeat("[", 101) + strings.Repeat("]", 101) + `}`, Limits{}, ErrTooDeep},
		{"elements", `{"meta": {"a": 1}, "args": [1, 2], "kwargs": {"b": 3}}`, Limits{MaxElements: 4}, nil},
		{"too many elements", `{"meta": {"a": 1}, "args": [1, 2], "kwargs": {"b": [3]}}`, Limits{MaxElements: 4}, ErrTooLarge},
		{"elements in unknown keys", `{"meta": {}, "x": [1, 2, 3]}`, Limits{MaxElements: 2}, ErrTooLarge},
		{"bytes", `{"meta": {}}`, Limits{MaxBytes: 12}, nil},
		{"too many bytes", `{"meta": {}} `, Limits{MaxBytes: 12}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			if err := tt.limits.Decode([]byte(tt.in), &m); !errors.Is(err, tt.err) {
				t.Errorf("Decode(%s) = %v, want %v", tt.in, err, tt.err)
			}
		})
	}
}

func TestJSONTruncated(t *testing.T) {
	for _, c := range captures {
		for i := range len(c.json) {
			var m Message
			if err := Decode([]byte(c.json[:i]), &m); err == nil {
				t.Fatalf("%s: Decode(first %d bytes) succeeded", c.name, i)
			}
		}
	}
}

func TestJSONValues(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{int64(math.MinInt64), `-9223372036854775808`},
		{uint64(math.MaxUint64), `18446744073709551615`},
		{int8(-8), `-8`},
		{uint16(16), `16`},
		{float32(0.5), `0.5`},
		{"\x7f\u00e9\U0001F600\x01\x1f \"\\/\b\f\n\r\t", `"\u007f\u00e9\ud83d\ude00\u0001\u001f \"\\/\b\f\n\r\t"`},
		{"\u2028a\x00b", `"\u2028a\u0000b"`},
		{"bad \xff utf8", `"bad \ufffd utf8"`},
		{[]byte("hi\x00\xff"), `"aGkA/w=="`},
		{[]byte{}, `""`},
		{[]any{}, `[]`},
		{[]any{int64(1), "a", []any{nil}}, `[1, "a", [null]]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": int64(1), "a": map[string]any{"kéy": 2.0}}, `{"a": {"k\u00e9y": 2.0}, "b": 1}`},
		{[]string{"a", "b"}, `["a", "b"]`},
		{map[string]string{"k": "v"}, `{"k": "v"}`},
	}
	for _, tt := range tests {
		got, err := appendJSONValue(nil, tt.v, 0)
		if err != nil || string(got) != tt.want {
			t.Errorf("appendJSONValue(%#v) = %s, %v; want %s", tt.v, got, err, tt.want)
		}
	}
}

// TestPythonFloat checks floats against Python 3's repr, as json.dumps
// writes them.
func TestPythonFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{9999999999999998, "9999999999999998.0"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e-4, "0.0001"},
		{1e-5, "1e-05"},
		{0.00012345, "0.00012345"},
		{1.5e-7, "1.5e-07"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{100, "100.0"},
		{2.5e22, "2.5e+22"},
		{1e21, "1e+21"},
		{12345.678, "12345.678"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := string(appendPythonFloat(nil, tt.f)); got != tt.want {
			t.Errorf("appendPythonFloat(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			in := &Message{ID: "i", Path: "a.b", Meta: map[string]any{"user": v}, Data: v, Args: []any{v}, Kwargs: map[string]any{"k": v}}
			b, err := in.AppendJSON(nil)
			if err != nil {
				t.Fatalf("AppendJSON: %v", err)
			}
			if !json.Valid(bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("NaN"), []byte("0")), []byte("Infinity"), []byte("0"))) {
				t.Errorf("AppendJSON wrote invalid JSON: %.200s", b)
			}
			var got Message
			if err := Decode(b, &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			w := jsonView(v)
			want := &Message{ID: "i", Path: "a.b", Meta: map[string]any{"user": w}, Data: w, Args: []any{w}, Kwargs: map[string]any{"k": w}}
			if !sameMessage(&got, want) {
				t.Errorf("round trip = %#v, want %#v", got, *want)
			}
		})
	}
}

// jsonView returns what v decodes as after a trip through JSON.
func jsonView(v any) any {
	switch v := v.(type) {
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
	case float64:
		if math.IsNaN(v) {
			return math.NaN()
		}
	case []byte:
		b, _ := appendJSONValue(nil, v, 0)
		return string(b[1 : len(b)-1])
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = jsonView(e)
		}
		return l
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = jsonView(e)
		}
		return m
	}
	return v
}

func TestMarshalJSON(t *testing.T) {
	// Through encoding/json, as a field of another value.
	b, err := json.Marshal(map[string]any{"m": call()})
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ M Message }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	want := &Message{ID: call().ID, Path: "comm.call", Meta: map[string]any{"client": "$"}, Data: "multiply", Args: []any{int64(7), int64(6)}}
	if !sameMessage(&out.M, want) {
		t.Errorf("json round trip = %#v, want %#v", out.M, *want)
	}
	bin, _ := call().AppendBinary(nil)
	if err := out.M.UnmarshalJSON(bin); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("UnmarshalJSON(binary) = %v, want %v", err, ErrUnknownEncoding)
	}
}
