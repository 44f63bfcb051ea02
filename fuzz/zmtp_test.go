package fuzz

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/xbahn-go/xbahn/zmtp"
)

func FuzzGreeting(f *testing.F) {
	f.Add(zmtp.AppendGreeting(nil, "NULL", false))
	f.Add(zmtp.AppendGreeting(nil, "CURVE", true))
	f.Add(append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1}, make([]byte, 53)...))
	f.Add(bytes.Repeat([]byte{0xFF}, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := zmtp.ParseGreeting(b)
		if err != nil {
			return
		}
		if g.Major != 3 {
			t.Fatalf("accepted major version %d", g.Major)
		}
		back, err := zmtp.ParseGreeting(zmtp.AppendGreeting(nil, g.Mechanism, g.AsServer))
		if err != nil {
			t.Fatalf("re-encoded greeting does not parse: %v", err)
		}
		if back.Mechanism != g.Mechanism || back.AsServer != g.AsServer {
			t.Fatalf("round trip = %+v, want %+v", back, g)
		}
	})
}

func FuzzFrameReader(f *testing.F) {
	f.Add(zmtp.AppendFrame(zmtp.AppendFrame(nil, zmtp.FlagMore, nil), 0, []byte("hello")))
	f.Add(zmtp.AppendFrame(nil, 0, bytes.Repeat([]byte{1}, 256)))
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'})
	f.Add([]byte{2, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xFC, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 1 << 16
		r := zmtp.NewReader(bytes.NewReader(b), 16)
		for {
			flags, body, err := r.ReadFrame(nil, limit)
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.Is(err, zmtp.ErrTooLarge) && !errors.Is(err, zmtp.ErrMalformed) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if len(body) > limit {
				t.Fatalf("body of %d bytes over the limit", len(body))
			}
			again := zmtp.NewReader(bytes.NewReader(zmtp.AppendFrame(nil, flags, body)), 0)
			flags2, body2, err := again.ReadFrame(nil, limit)
			if err != nil || flags2 != flags || !bytes.Equal(body2, body) {
				t.Fatalf("round trip of %v %q = %v %q, %v", flags, body, flags2, body2, err)
			}
		}
	})
}

func FuzzCommand(f *testing.F) {
	ready := zmtp.AppendReady(nil, zmtp.Metadata{{Name: "Socket-Type", Value: []byte("REQ")}, {Name: "Identity"}})
	f.Add(ready[2:])
	f.Add(zmtp.AppendPing(nil, 0, []byte("ctx"))[2:])
	f.Add(zmtp.AppendError(nil, "nope")[2:])
	f.Add([]byte("\x09SUBSCRIBEtopic"))
	f.Add([]byte("\x05READY\x01A\x7f\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, err := zmtp.ParseCommand(b)
		if err != nil {
			mustBeMalformed(t, err)
			return
		}
		switch cmd.Name {
		case zmtp.CmdReady:
			md, err := zmtp.ParseMetadata(cmd.Data, 64)
			if err != nil {
				mustBeMalformed(t, err)
				return
			}
			if err := md.Validate(); err != nil {
				t.Fatalf("parsed metadata fails Validate: %v", err)
			}
			back, err := zmtp.ParseMetadata(md.Append(nil), 64)
			if err != nil || len(back) != len(md) {
				t.Fatalf("metadata round trip: %v, %d properties, want %d", err, len(back), len(md))
			}
			for i := range md {
				if back[i].Name != md[i].Name || !bytes.Equal(back[i].Value, md[i].Value) {
					t.Fatalf("property %d = %q, want %q", i, back[i], md[i])
				}
			}
		case zmtp.CmdPing:
			ttl, ctx, err := zmtp.ParsePing(cmd.Data)
			if err != nil {
				mustBeMalformed(t, err)
				return
			}
			ttl2, ctx2, err := zmtp.ParsePing(commandData(t, zmtp.AppendPing(nil, ttl, ctx)))
			want := ctx[:min(len(ctx), zmtp.MaxPingContext)]
			if err != nil || ttl2 != ttl || !bytes.Equal(ctx2, want) {
				t.Fatalf("PING round trip: %v %q, %v; want %v %q", ttl2, ctx2, err, ttl, want)
			}
		case zmtp.CmdError:
			reason, err := zmtp.ParseError(cmd.Data)
			if err != nil {
				mustBeMalformed(t, err)
				return
			}
			if back, err := zmtp.ParseError(commandData(t, zmtp.AppendError(nil, reason))); err != nil || back != reason {
				t.Fatalf("ERROR round trip: %q, %v; want %q", back, err, reason)
			}
		}
	})
}

// commandData returns the data of the command in frame, a whole frame.
func commandData(t *testing.T, frame []byte) []byte {
	t.Helper()
	_, size, n, err := zmtp.ParseFrameHeader(frame)
	if err != nil || uint64(len(frame)-n) != size {
		t.Fatalf("frame %q: size %d, header %d bytes, %v", frame, size, n, err)
	}
	cmd, err := zmtp.ParseCommand(frame[n:])
	if err != nil {
		t.Fatalf("command %q: %v", frame[n:], err)
	}
	return cmd.Data
}

// mustBeMalformed checks that err says the input was malformed or over a
// limit.
func mustBeMalformed(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, zmtp.ErrMalformed) && !errors.Is(err, zmtp.ErrTooLarge) {
		t.Fatalf("error %v wraps neither zmtp.ErrMalformed nor zmtp.ErrTooLarge", err)
	}
}

func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{"tcp://127.0.0.1:5555", "tcp://*:*", "tcp://[::1]:0", "ipc:///tmp/x.sock", "tcp://host", "udp://x:1", "://", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := zmtp.ParseEndpoint(s)
		if err != nil {
			var ee *zmtp.EndpointError
			if !errors.As(err, &ee) || ee.Endpoint != s {
				t.Fatalf("error %v does not name the endpoint", err)
			}
			return
		}
		back, err := zmtp.ParseEndpoint(ep.String())
		if err != nil || back != ep {
			t.Fatalf("ParseEndpoint(%q) = %+v, then %+v, %v", s, ep, back, err)
		}
	})
}
