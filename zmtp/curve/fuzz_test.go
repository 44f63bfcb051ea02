package curve

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xbahn-go/xbahn/zmtp"
)

// The CURVE command parsers must never panic, and must refuse any change
// to a valid command. Each target takes fuzzed data both as a whole
// command and as a mask over a valid one: a mask that changes a byte, or
// adds some, must make the receiver refuse the command.

// masked returns valid with mask XORed over it and the rest of mask
// appended, and whether the result differs from valid.
func masked(valid, mask []byte) ([]byte, bool) {
	out := bytes.Clone(valid)
	changed := false
	for i, m := range mask {
		if i < len(out) {
			out[i] ^= m
			changed = changed || m != 0
		} else {
			out = append(out, m)
			changed = true
		}
	}
	return out, changed
}

func FuzzHello(f *testing.F) {
	valid := fixedClient(f).hello()
	f.Add([]byte(nil))
	f.Add(valid)
	f.Add(valid[:100])
	f.Add(append(bytes.Clone(valid), 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newServerHandshake(serverPub, serverSec)
		if err := s.hello(data); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("hello: %v", err)
		}
		in, changed := masked(valid, data)
		// HELLO's padding is not checked.
		for i := 2; i < 74 && i < len(data); i++ {
			in[i] = valid[i]
		}
		changed = changed && !bytes.Equal(in, valid)
		if err := newServerHandshake(serverPub, serverSec).hello(in); changed == (err == nil) {
			t.Fatalf("changed=%v, hello: %v", changed, err)
		}
	})
}

func FuzzWelcome(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(make([]byte, welcomeData))
	f.Add([]byte{1})
	f.Add(make([]byte, welcomeData+1))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := fixedClient(t)
		s := newServerHandshake(serverPub, serverSec)
		if err := s.hello(c.hello()); err != nil {
			t.Fatal(err)
		}
		valid, err := s.welcome()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.welcome(data); err == nil || !errors.Is(err, ErrInvalid) {
			t.Fatalf("welcome accepted fuzzed data or failed otherwise: %v", err)
		}
		in, changed := masked(valid, data)
		if err := c.welcome(in); changed == (err == nil) {
			t.Fatalf("changed=%v, welcome: %v", changed, err)
		}
	})
}

// afterWelcome returns the two sides of a handshake that reached INITIATE.
func afterWelcome(t *testing.T) (*clientHandshake, *serverHandshake) {
	c := fixedClient(t)
	s := newServerHandshake(serverPub, serverSec)
	if err := s.hello(c.hello()); err != nil {
		t.Fatal(err)
	}
	welcome, err := s.welcome()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.welcome(welcome); err != nil {
		t.Fatal(err)
	}
	return c, s
}

func FuzzInitiate(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(make([]byte, initiateMinData))
	f.Add(make([]byte, initiateMinData+50))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, s := afterWelcome(t)
		if _, _, err := s.initiate(data); err == nil || !errors.Is(err, ErrInvalid) {
			t.Fatalf("initiate accepted fuzzed data or failed otherwise: %v", err)
		}
		valid, err := c.initiate([]byte("\x0bSocket-Type\x00\x00\x00\x03REQ"))
		if err != nil {
			t.Fatal(err)
		}
		in, changed := masked(valid, data)
		if _, _, err := s.initiate(in); changed == (err == nil) {
			t.Fatalf("changed=%v, initiate: %v", changed, err)
		}
	})
}

func FuzzReady(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(make([]byte, readyMinData))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, s := afterWelcome(t)
		initiate, err := c.initiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.initiate(initiate); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ready(data); err == nil || !errors.Is(err, ErrInvalid) {
			t.Fatalf("ready accepted fuzzed data or failed otherwise: %v", err)
		}
		if md, err := c.ready(data); err == nil {
			if _, err := zmtp.ParseMetadata(md, 64); err != nil && !errors.Is(err, zmtp.ErrMalformed) && !errors.Is(err, zmtp.ErrTooLarge) {
				t.Fatal(err)
			}
		}
		in, changed := masked(s.ready([]byte("\x0bSocket-Type\x00\x00\x00\x03REP")), data)
		if _, err := c.ready(in); changed == (err == nil) {
			t.Fatalf("changed=%v, ready: %v", changed, err)
		}
	})
}

func FuzzMessage(f *testing.F) {
	f.Add([]byte(nil), []byte("hello"))
	f.Add([]byte("\x07MESSAGE"), []byte(nil))
	f.Add([]byte("\x07MESSAGE\x00\x00\x00\x00\x00\x00\x00\x09"), bytes.Repeat([]byte{1}, 300))
	f.Add(make([]byte, messageOverhead), []byte{0})
	f.Fuzz(func(t *testing.T, data, payload []byte) {
		c, s := exchange(t)
		cs, ss := c.session(), s.session()
		if _, _, err := ss.Open(nil, 0, data); err == nil || !errors.Is(err, ErrInvalid) {
			t.Fatalf("Open accepted fuzzed data or failed otherwise: %v", err)
		}
		frame := cs.Seal(nil, zmtp.FlagMore, payload)
		_, size, n, err := zmtp.ParseFrameHeader(frame)
		if err != nil || n == 0 || uint64(len(frame)-n) != size {
			t.Fatalf("Seal made a bad frame %x", frame)
		}
		in, changed := masked(frame[n:], data)
		flags, got, err := ss.Open(nil, 0, in)
		if changed == (err == nil) {
			t.Fatalf("changed=%v, Open: %v", changed, err)
		}
		if err == nil && (flags != zmtp.FlagMore || !bytes.Equal(got, payload)) {
			t.Fatalf("Open = %v %q, want MORE %q", flags, got, payload)
		}
	})
}

func FuzzZ85(f *testing.F) {
	f.Add("HelloWorld")
	f.Add(docServerPublic)
	f.Add("%nSc1")
	f.Add("#####")
	f.Add("abc")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := DecodeZ85(s)
		if err != nil {
			return
		}
		back, err := AppendZ85(nil, raw)
		if err != nil || string(back) != s {
			t.Fatalf("DecodeZ85(%q) = %x, which encodes to %q, %v", s, raw, back, err)
		}
		if k, err := ParseKey(s); (err == nil) != (len(s) == Z85KeySize) || err == nil && k.String() != s {
			t.Fatalf("ParseKey(%q) = %s, %v", s, k, err)
		}
	})
}
