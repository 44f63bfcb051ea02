package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestReadyRFCExample(t *testing.T) {
	// RFC 23's worked example: a DEALER's READY of 41 bytes.
	md := Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, nil}}
	got := AppendReady(nil, md)
	want := append([]byte{0x04, 41, 5}, "READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"...)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendReady = % x\nwant          % x", got, want)
	}
	cmd, err := ParseCommand(got[2:])
	if err != nil || cmd.Name != CmdReady {
		t.Fatalf("ParseCommand = %+v, %v", cmd, err)
	}
	back, err := ParseMetadata(cmd.Data, 8)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := back.Get("socket-type"); string(v) != "DEALER" {
		t.Errorf("Get(socket-type) = %q, want DEALER", v)
	}
	if v, ok := back.Get("IDENTITY"); !ok || len(v) != 0 {
		t.Errorf("Get(IDENTITY) = %q, %v; want empty, true", v, ok)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in       string
		wantName string
		wantData string
		wantErr  bool
	}{
		{"\x04PING\x00\x0aabc", "PING", "\x00\x0aabc", false},
		{"\x05READY", "READY", "", false},
		{"\x03FOO", "FOO", "", false},
		{"", "", "", true},
		{"\x00", "", "", true},
		{"\x05READ", "", "", true},
		{"\xffX", "", "", true},
	}
	for _, tt := range tests {
		cmd, err := ParseCommand([]byte(tt.in))
		if (err != nil) != tt.wantErr || cmd.Name != tt.wantName || string(cmd.Data) != tt.wantData {
			t.Errorf("ParseCommand(%q) = %q %q %v; want %q %q err=%v", tt.in, cmd.Name, cmd.Data, err,
				tt.wantName, tt.wantData, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCommand(%q) error %v does not wrap ErrMalformed", tt.in, err)
		}
	}
}

func TestPingPong(t *testing.T) {
	long := []byte("0123456789abcdefXYZ")
	frame := AppendPing(nil, 1500*time.Millisecond, long)
	cmd, err := ParseCommand(frame[2:])
	if err != nil || cmd.Name != CmdPing {
		t.Fatalf("ParseCommand(PING) = %+v, %v", cmd, err)
	}
	ttl, ctx, err := ParsePing(cmd.Data)
	if err != nil || ttl != 1500*time.Millisecond || string(ctx) != string(long[:16]) {
		t.Errorf("ParsePing = %v, %q, %v; want 1.5s, %q", ttl, ctx, err, long[:16])
	}
	if _, _, err := ParsePing([]byte{0}); !errors.Is(err, ErrMalformed) {
		t.Errorf("ParsePing(1 byte) error = %v, want ErrMalformed", err)
	}
	if ttl, _, _ := ParsePing(AppendPing(nil, 10*time.Hour, nil)[7:]); ttl != 6553500*time.Millisecond {
		t.Errorf("TTL of 10h = %v, want the largest, 6553.5s", ttl)
	}
	pong := AppendPong(nil, long)
	if want := "\x04\x15\x04PONG0123456789abcdef"; string(pong) != want {
		t.Errorf("AppendPong = %q, want %q", pong, want)
	}
}

func TestErrorCommand(t *testing.T) {
	frame := AppendError(nil, strings.Repeat("x", 300))
	_, _, n, _ := ParseFrameHeader(frame)
	cmd, err := ParseCommand(frame[n:])
	if err != nil {
		t.Fatal(err)
	}
	reason, err := ParseError(cmd.Data)
	if err != nil || len(reason) != 255 {
		t.Errorf("ParseError = %d bytes, %v; want 255 bytes", len(reason), err)
	}
	for _, bad := range []string{"", "\x05abc", "\x01ab"} {
		if _, err := ParseError([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseError(%q) error = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestParseMetadataErrors(t *testing.T) {
	prop := func(name, value string) string {
		n := len(value)
		return string(rune(len(name))) + name + string([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + value
	}
	tests := []struct {
		name string
		in   string
		max  int
		want error
	}{
		{"ok", prop("A", "1") + prop("b", "2"), 8, nil},
		{"empty", "", 8, nil},
		{"empty name", prop("", "x"), 8, ErrMalformed},
		{"name past end", "\x05ab", 8, ErrMalformed},
		{"no value length", "\x01A\x00\x00", 8, ErrMalformed},
		{"value past end", "\x01A\x00\x00\x00\x05abc", 8, ErrMalformed},
		{"2 GiB value", "\x01A\x7f\xff\xff\xffabc", 8, ErrMalformed},
		{"4 GiB value", "\x01A\xff\xff\xff\xff", 8, ErrMalformed},
		{"duplicate", prop("Identity", "") + prop("identity", "x"), 8, ErrMalformed},
		{"too many", prop("a", "") + prop("b", "") + prop("c", ""), 2, ErrTooLarge},
		{"trailing byte", prop("A", "1") + "\x01", 8, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMetadata([]byte(tt.in), tt.max)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseMetadata error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseMetadataTruncatedAtEveryOffset(t *testing.T) {
	md := Metadata{{"Socket-Type", []byte("REQ")}, {"Identity", []byte("abc")}, {"X-Long", bytes.Repeat([]byte{9}, 300)}}
	in := md.Append(nil)
	for cut := 0; cut < len(in); cut++ {
		got, err := ParseMetadata(in[:cut], 8)
		boundary := cut == 0 || cut == 1+11+4+3 || cut == 1+11+4+3+1+8+4+3
		if boundary {
			if err != nil {
				t.Errorf("cut %d (a property boundary): error %v", cut, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("cut %d: parsed %d properties, want an error", cut, len(got))
		}
	}
}

func TestMetadataValidate(t *testing.T) {
	tests := []struct {
		md   Metadata
		ok   bool
		name string
	}{
		{Metadata{{"A", nil}}, true, "one"},
		{Metadata{{"", nil}}, false, "empty name"},
		{Metadata{{strings.Repeat("n", 256), nil}}, false, "long name"},
		{Metadata{{"A", nil}, {"a", nil}}, false, "duplicate"},
	}
	for _, tt := range tests {
		if err := tt.md.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
