package ws

import (
	"bytes"
	"errors"
	"testing"
)

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455, section 1.3.
	if got, want := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Fatalf("AcceptKey = %q, want %q", got, want)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		h    Header
		size int
	}{
		{Header{Fin: true, Op: OpText, Length: 5}, 2},
		{Header{Fin: true, Op: OpBinary, Length: 125, Masked: true, Mask: [4]byte{1, 2, 3, 4}}, 6},
		{Header{Op: OpBinary, Length: 126}, 4},
		{Header{Fin: true, Op: OpBinary, Length: 0xFFFF, Masked: true, Mask: [4]byte{9, 9, 9, 9}}, 8},
		{Header{Fin: true, Op: OpContinuation, Length: 0x10000}, 10},
		{Header{Fin: true, Op: OpPing, RSV: 5, Length: 1 << 62, Masked: true}, 14},
	} {
		b := AppendHeader(nil, tc.h)
		if len(b) != tc.size {
			t.Errorf("AppendHeader(%+v) is %d bytes, want %d", tc.h, len(b), tc.size)
		}
		got, n, err := ParseHeader(b)
		if err != nil || n != len(b) || got != tc.h {
			t.Errorf("ParseHeader(AppendHeader(%+v)) = %+v, %d, %v; want it back, %d, nil", tc.h, got, n, err, len(b))
		}
		for i := range len(b) {
			if _, _, err := ParseHeader(b[:i]); err != ErrShortHeader {
				t.Errorf("ParseHeader of %d of %d bytes: error %v, want ErrShortHeader", i, len(b), err)
			}
		}
	}
}

func TestParseHeaderRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"16-bit length under 126", []byte{0x82, 126, 0, 125}},
		{"64-bit length under 65536", []byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}},
		{"64-bit length with its top bit", []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}},
	} {
		_, _, err := ParseHeader(tc.b)
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != CloseProtocolError {
			t.Errorf("%s: error %v, want a *ProtocolError with code 1002", tc.name, err)
		}
	}
}

func TestMaskBytesInParts(t *testing.T) {
	key := [4]byte{0xA1, 0xB2, 0xC3, 0xD4}
	src := make([]byte, 37)
	for i := range src {
		src[i] = byte(i * 7)
	}
	want := bytes.Clone(src)
	for i := range want {
		want[i] ^= key[i%4]
	}
	for _, cuts := range [][]int{{37}, {1, 36}, {3, 10, 24}, {0, 8, 0, 29}, {5, 5, 5, 5, 17}} {
		got := bytes.Clone(src)
		pos, at := 0, 0
		for _, n := range cuts {
			pos = MaskBytes(key, pos, got[at:at+n])
			at += n
		}
		if !bytes.Equal(got, want) {
			t.Errorf("masked in parts %v: got % x, want % x", cuts, got, want)
		}
		if pos != 37%4 {
			t.Errorf("masked in parts %v: position %d, want %d", cuts, pos, 37%4)
		}
	}
}
