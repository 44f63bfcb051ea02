package zmtp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"testing"
)

func TestFrameHeader(t *testing.T) {
	tests := []struct {
		flags Flags
		size  int
		want  []byte
	}{
		{0, 0, []byte{0, 0}},
		{FlagMore, 0, []byte{1, 0}},
		{0, 255, []byte{0, 255}},
		{0, 256, []byte{2, 0, 0, 0, 0, 0, 0, 1, 0}},
		{FlagMore, 1 << 20, []byte{3, 0, 0, 0, 0, 0, 0x10, 0, 0}},
		{FlagCommand, 5, []byte{4, 5}},
		{FlagLong, 5, []byte{0, 5}}, // LONG is chosen by size
	}
	for _, tt := range tests {
		got := AppendFrameHeader(nil, tt.flags, tt.size)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("AppendFrameHeader(%v, %d) = % x, want % x", tt.flags, tt.size, got, tt.want)
		}
		flags, size, n, err := ParseFrameHeader(got)
		if err != nil || n != len(got) || size != uint64(tt.size) || flags != tt.flags&^FlagLong {
			t.Errorf("ParseFrameHeader(% x) = %v, %d, %d, %v; want %v, %d, %d, nil",
				got, flags, size, n, err, tt.flags&^FlagLong, tt.size, len(got))
		}
	}
}

func TestParseFrameHeaderEdges(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		wantFlags Flags
		wantSize  uint64
		wantN     int
		wantErr   error
	}{
		{"empty", nil, 0, 0, 0, nil},
		{"one byte", []byte{0}, 0, 0, 0, nil},
		{"partial long", []byte{2, 0, 0, 0}, 0, 0, 0, nil},
		{"long on a small frame", []byte{2, 0, 0, 0, 0, 0, 0, 0, 3}, 0, 3, 9, nil},
		{"long empty", []byte{3, 0, 0, 0, 0, 0, 0, 0, 0}, FlagMore, 0, 9, nil},
		{"reserved bits ignored", []byte{0xF9, 7}, 0xF9, 7, 2, nil},
		{"largest size", []byte{2, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 0, math.MaxInt64, 9, nil},
		{"top bit", []byte{2, 0x80, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags, size, n, err := ParseFrameHeader(tt.in)
			if !errors.Is(err, tt.wantErr) || flags != tt.wantFlags || size != tt.wantSize || n != tt.wantN {
				t.Errorf("ParseFrameHeader(% x) = %v, %d, %d, %v; want %v, %d, %d, %v",
					tt.in, flags, size, n, err, tt.wantFlags, tt.wantSize, tt.wantN, tt.wantErr)
			}
		})
	}
}

type frame struct {
	flags Flags
	body  []byte
}

func encodeFrames(frames []frame) []byte {
	var b []byte
	for _, f := range frames {
		b = AppendFrame(b, f.flags, f.body)
	}
	return b
}

func readAll(r *Reader, limit uint64) ([]frame, error) {
	var out []frame
	for {
		flags, body, err := r.ReadFrame(nil, limit)
		if err != nil {
			return out, err
		}
		out = append(out, frame{flags, body})
	}
}

func TestReaderFrames(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	want := []frame{
		{FlagMore, nil},
		{FlagMore, bytes.Repeat([]byte{1}, 255)},
		{FlagMore, bytes.Repeat([]byte{2}, 256)},
		{FlagCommand, []byte("\x04PING\x00\x00")},
		{0, big},
		{0, []byte("last")},
	}
	in := encodeFrames(want)
	for _, bufSize := range []int{MaxHeaderSize, 16, 300, DefaultReadBufferSize} {
		// One byte per Read is the worst case for resumption.
		for _, oneByte := range []bool{false, true} {
			var src io.Reader = bytes.NewReader(in)
			if oneByte {
				src = &oneByteReader{r: src}
			}
			got, err := readAll(NewReader(src, bufSize), 1<<21)
			if err != io.EOF {
				t.Fatalf("buf %d: ReadFrame error = %v, want io.EOF", bufSize, err)
			}
			if len(got) != len(want) {
				t.Fatalf("buf %d: read %d frames, want %d", bufSize, len(got), len(want))
			}
			for i := range want {
				if got[i].flags != want[i].flags || !bytes.Equal(got[i].body, want[i].body) {
					t.Errorf("buf %d: frame %d = %v/%d bytes, want %v/%d bytes", bufSize, i,
						got[i].flags, len(got[i].body), want[i].flags, len(want[i].body))
				}
			}
		}
	}
}

type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestReaderTruncatedAtEveryOffset(t *testing.T) {
	in := encodeFrames([]frame{{FlagMore, []byte("hello")}, {0, bytes.Repeat([]byte{7}, 300)}})
	for cut := 1; cut < len(in); cut++ {
		r := NewReader(bytes.NewReader(in[:cut]), 64)
		_, err := readAll(r, 1<<20)
		atBoundary := cut == 7 // right after the first frame
		switch {
		case atBoundary && err != io.EOF:
			t.Errorf("cut at %d: error = %v, want io.EOF", cut, err)
		case !atBoundary && err != io.ErrUnexpectedEOF:
			t.Errorf("cut at %d: error = %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
}

// zeroReader pretends to have an endless body: a peer that declares a huge
// frame must be refused before any of it is read or allocated.
type zeroReader struct{ n int }

func (z *zeroReader) Read(p []byte) (int, error) { z.n += len(p); return len(p), nil }

func TestReaderLimit(t *testing.T) {
	for _, size := range []uint64{1<<20 + 1, 1 << 40, math.MaxInt64} {
		hdr := []byte{2, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := 0; i < 8; i++ {
			hdr[1+i] = byte(size >> (56 - 8*i))
		}
		src := io.MultiReader(bytes.NewReader(hdr), &zeroReader{})
		r := NewReader(src, 64)
		_, body, err := r.ReadFrame(nil, 1<<20)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("size %d: error = %v, want ErrTooLarge", size, err)
		}
		if cap(body) != 0 {
			t.Errorf("size %d: allocated %d bytes", size, cap(body))
		}
		// The error sticks: the stream cannot be resynchronised.
		if _, _, err2 := r.ReadFrame(nil, 1<<20); !errors.Is(err2, ErrTooLarge) {
			t.Errorf("size %d: second ReadFrame error = %v, want ErrTooLarge", size, err2)
		}
	}
}

// flakyReader fails with a deadline error every other call, like a
// connection whose reader gets interrupted.
type flakyReader struct {
	r    io.Reader
	fail bool
}

func (f *flakyReader) Read(p []byte) (int, error) {
	f.fail = !f.fail
	if f.fail {
		return 0, os.ErrDeadlineExceeded
	}
	if len(p) > 3 {
		p = p[:3]
	}
	return f.r.Read(p)
}

func TestReaderResumesAfterErrors(t *testing.T) {
	want := []frame{{FlagMore, []byte("first")}, {0, bytes.Repeat([]byte("x"), 100)}}
	r := NewReader(&flakyReader{r: bytes.NewReader(encodeFrames(want))}, 16)
	var got []frame
	var dst []byte
	for len(got) < len(want) {
		flags, body, err := r.ReadFrame(dst, 1<<10)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("ReadFrame error = %v", err)
			}
			dst = body // resume the same frame
			continue
		}
		got = append(got, frame{flags, body})
		dst = nil
	}
	for i := range want {
		if got[i].flags != want[i].flags || !bytes.Equal(got[i].body, want[i].body) {
			t.Errorf("frame %d = %v %q, want %v %q", i, got[i].flags, got[i].body, want[i].flags, want[i].body)
		}
	}
}

func TestReaderAllocs(t *testing.T) {
	in := encodeFrames([]frame{{FlagMore, nil}, {0, make([]byte, 64)}})
	src := bytes.NewReader(in)
	r := NewReader(src, 0)
	dst := make([]byte, 0, 128)
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(in)
		r.Reset(src)
		for i := 0; i < 2; i++ {
			if _, _, err := r.ReadFrame(dst[:0], 1<<10); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("ReadFrame allocates %v times per message, want 0", allocs)
	}
	buf := make([]byte, 0, 256)
	allocs = testing.AllocsPerRun(100, func() {
		buf = AppendFrame(AppendFrame(buf[:0], FlagMore, nil), 0, in)
	})
	if allocs != 0 {
		t.Errorf("AppendFrame allocates %v times, want 0", allocs)
	}
}

func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    Flags
		want string
	}{
		{0, "0"}, {FlagMore, "MORE"}, {FlagMore | FlagCommand, "MORE|COMMAND"}, {0x81, "MORE|0x80"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint8(tt.f), got, tt.want)
		}
	}
}
