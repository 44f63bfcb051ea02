package curve

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/xbahn-go/xbahn/zmtp"
	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"
)

// Fixed keys for reproducible commands: the long-term pairs of libzmq's
// documentation, and a short-term pair of the client.
var (
	serverPub = MustParseKey(docServerPublic)
	serverSec = MustParseKey(docServerSecret)
	clientPub = MustParseKey(docClientPublic)
	clientSec = MustParseKey(docClientSecret)
)

// fixedClient returns a client handshake whose short-term key pair is
// derived from a fixed secret.
func fixedClient(t testing.TB) *clientHandshake {
	t.Helper()
	h, err := newClientHandshake(serverPub, clientPub, clientSec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.tsec {
		h.tsec[i] = byte(i + 1)
	}
	if h.tpub, err = PublicKey(h.tsec); err != nil {
		t.Fatal(err)
	}
	if h.helloKey, err = sharedKey(&h.server, &h.tsec); err != nil {
		t.Fatal(err)
	}
	return h
}

// exchange runs a whole handshake between a client and a server on the
// command level and returns both sides and the metadata each received.
func exchange(t testing.TB) (c *clientHandshake, s *serverHandshake) {
	t.Helper()
	c = fixedClient(t)
	s = newServerHandshake(serverPub, serverSec)
	if err := s.hello(c.hello()); err != nil {
		t.Fatalf("server rejects HELLO: %v", err)
	}
	welcome, err := s.welcome()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.welcome(welcome); err != nil {
		t.Fatalf("client rejects WELCOME: %v", err)
	}
	initiate, err := c.initiate([]byte("client metadata"))
	if err != nil {
		t.Fatal(err)
	}
	key, md, err := s.initiate(initiate)
	if err != nil {
		t.Fatalf("server rejects INITIATE: %v", err)
	}
	if key != clientPub || string(md) != "client metadata" {
		t.Fatalf("server got key %s and metadata %q", key, md)
	}
	md, err = c.ready(s.ready([]byte("server metadata")))
	if err != nil || string(md) != "server metadata" {
		t.Fatalf("client got READY metadata %q, %v", md, err)
	}
	return c, s
}

func TestSharedKeyMatchesBox(t *testing.T) {
	k, err := sharedKey(&serverPub, &clientSec)
	if err != nil {
		t.Fatal(err)
	}
	var want [32]byte
	box.Precompute(&want, (*[32]byte)(&serverPub), (*[32]byte)(&clientSec))
	if k != want {
		t.Fatalf("sharedKey = %x, want crypto_box_beforenm's %x", k, want)
	}
	other, err := sharedKey(&clientPub, &serverSec)
	if err != nil || other != k {
		t.Fatalf("the two sides derive different keys: %x and %x (%v)", k, other, err)
	}
	// Keys of low order give an all-zero shared secret.
	for _, low := range []Key{{}, {1}} {
		if _, err := sharedKey(&low, &clientSec); !errors.Is(err, ErrInvalid) {
			t.Errorf("sharedKey with peer key %x: %v, want ErrInvalid", low[:], err)
		}
	}
}

func TestHelloLayout(t *testing.T) {
	c := fixedClient(t)
	data := c.hello()
	cmd := zmtp.AppendCommand(nil, zmtp.CmdHello, data)
	if len(cmd) != 2+200 {
		t.Fatalf("HELLO frame is %d bytes, want a 2-byte header and 200 bytes", len(cmd))
	}
	body := cmd[2:]
	if string(body[:6]) != "\x05HELLO" || body[6] != 1 || body[7] != 0 {
		t.Fatalf("HELLO starts %q, want \\x05HELLO and version 1.0", body[:8])
	}
	if !bytes.Equal(body[8:80], make([]byte, 72)) {
		t.Error("HELLO padding is not 72 zero bytes")
	}
	if !bytes.Equal(body[80:112], c.tpub[:]) {
		t.Error("C' is not at offset 80")
	}
	if n := binary.BigEndian.Uint64(body[112:120]); n != 1 {
		t.Errorf("HELLO short nonce = %d, want 1", n)
	}
	// The box opens, independently of this package's code, with S's
	// secret key, C' and the nonce of the specification.
	var nonce [24]byte
	copy(nonce[:], "CurveZMQHELLO---")
	copy(nonce[16:], body[112:120])
	plain, ok := box.Open(nil, body[120:], &nonce, (*[32]byte)(&c.tpub), (*[32]byte)(&serverSec))
	if !ok || !bytes.Equal(plain, make([]byte, 64)) {
		t.Fatalf("HELLO box does not open to 64 zero bytes: %x, %v", plain, ok)
	}
	// The same keys and nonce give the same command.
	again := fixedClient(t)
	if !bytes.Equal(again.hello(), data) {
		t.Error("HELLO differs for the same keys and nonce")
	}
	s := newServerHandshake(serverPub, serverSec)
	if err := s.hello(data); err != nil {
		t.Fatalf("server rejects HELLO: %v", err)
	}
	if s.clientT != c.tpub || s.peerNonce != 1 {
		t.Errorf("server read C' %s nonce %d", s.clientT, s.peerNonce)
	}
}

func TestWelcomeInitiateReadyLayout(t *testing.T) {
	c := fixedClient(t)
	s := newServerHandshake(serverPub, serverSec)
	if err := s.hello(c.hello()); err != nil {
		t.Fatal(err)
	}
	welcome, err := s.welcome()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(zmtp.AppendCommand(nil, zmtp.CmdWelcome, welcome)) - 2; n != 168 {
		t.Fatalf("WELCOME body is %d bytes, want 168", n)
	}
	var nonce [24]byte
	copy(nonce[:], "WELCOME-")
	copy(nonce[8:], welcome[:16])
	plain, ok := box.Open(nil, welcome[16:], &nonce, (*[32]byte)(&serverPub), (*[32]byte)(&c.tsec))
	if !ok || len(plain) != 128 {
		t.Fatalf("WELCOME box does not open with C' and S: %d bytes, %v", len(plain), ok)
	}
	if !bytes.Equal(plain[:32], s.tpub[:]) {
		t.Error("WELCOME does not start with S'")
	}
	cookie := plain[32:]
	copy(nonce[:], "COOKIE--")
	copy(nonce[8:], cookie[:16])
	inner, ok := secretbox.Open(nil, cookie[16:], &nonce, &s.cookieKey)
	if !ok || !bytes.Equal(inner[:32], c.tpub[:]) || !bytes.Equal(inner[32:], s.tsec[:]) {
		t.Error("the cookie is not a secretbox of C' and s'")
	}
	if err := c.welcome(welcome); err != nil {
		t.Fatal(err)
	}

	initiate, err := c.initiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := 9 + len(initiate); n != 257 {
		t.Errorf("INITIATE body without metadata is %d bytes, want 257", n)
	}
	if !bytes.Equal(initiate[:96], cookie) {
		t.Error("INITIATE does not start with the cookie")
	}
	if n := binary.BigEndian.Uint64(initiate[96:104]); n != 2 {
		t.Errorf("INITIATE short nonce = %d, want 2", n)
	}
	copy(nonce[:], "CurveZMQINITIATE")
	copy(nonce[16:], initiate[96:104])
	plain, ok = box.Open(nil, initiate[104:], &nonce, (*[32]byte)(&s.tpub), (*[32]byte)(&c.tsec))
	if !ok || len(plain) != 128 || !bytes.Equal(plain[:32], clientPub[:]) {
		t.Fatalf("INITIATE box does not open with C' and S' to C and the vouch")
	}
	copy(nonce[:], "VOUCH---")
	copy(nonce[8:], plain[32:48])
	vouch, ok := box.Open(nil, plain[48:128], &nonce, (*[32]byte)(&clientPub), (*[32]byte)(&s.tsec))
	if !ok || !bytes.Equal(vouch[:32], c.tpub[:]) || !bytes.Equal(vouch[32:], serverPub[:]) {
		t.Error("the vouch is not a box from C to S' of C' and S")
	}
	if _, _, err := s.initiate(initiate); err != nil {
		t.Fatal(err)
	}

	ready := s.ready(nil)
	if n := 6 + len(ready); n != 30 {
		t.Errorf("READY body without metadata is %d bytes, want 30", n)
	}
	copy(nonce[:], "CurveZMQREADY---")
	copy(nonce[16:], ready[:8])
	if _, ok := box.Open(nil, ready[8:], &nonce, (*[32]byte)(&c.tpub), (*[32]byte)(&s.tsec)); !ok {
		t.Error("READY box does not open with S' and C'")
	}
	if n := binary.BigEndian.Uint64(ready[:8]); n != 1 {
		t.Errorf("READY short nonce = %d, want 1", n)
	}
}

func TestHandshakeRejectsTampering(t *testing.T) {
	// Every byte that is authenticated or checked, flipped, must make the
	// receiver refuse the command. HELLO's padding is not checked, as
	// libzmq does not check it.
	t.Run("HELLO", func(t *testing.T) {
		hello := fixedClient(t).hello()
		for i := range hello {
			if i >= 2 && i < 74 {
				continue
			}
			bad := bytes.Clone(hello)
			bad[i] ^= 0x20
			if err := newServerHandshake(serverPub, serverSec).hello(bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("HELLO with byte %d flipped: %v, want ErrInvalid", i, err)
			}
		}
	})
	t.Run("WELCOME", func(t *testing.T) {
		c := fixedClient(t)
		s := newServerHandshake(serverPub, serverSec)
		s.hello(c.hello())
		welcome, _ := s.welcome()
		for i := range welcome {
			bad := bytes.Clone(welcome)
			bad[i] ^= 1
			if err := c.welcome(bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("WELCOME with byte %d flipped: %v, want ErrInvalid", i, err)
			}
		}
		if err := c.welcome(welcome); err != nil {
			t.Fatalf("the original WELCOME is refused after the bad ones: %v", err)
		}
	})
	t.Run("INITIATE", func(t *testing.T) {
		c := fixedClient(t)
		s := newServerHandshake(serverPub, serverSec)
		s.hello(c.hello())
		welcome, _ := s.welcome()
		c.welcome(welcome)
		initiate, _ := c.initiate([]byte("metadata"))
		for i := range initiate {
			bad := bytes.Clone(initiate)
			bad[i] ^= 1
			if _, _, err := s.initiate(bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("INITIATE with byte %d flipped: %v, want ErrInvalid", i, err)
			}
		}
		if _, _, err := s.initiate(initiate); err != nil {
			t.Fatalf("the original INITIATE is refused after the bad ones: %v", err)
		}
	})
	t.Run("READY", func(t *testing.T) {
		c, s := exchange(t)
		ready := s.ready([]byte("md"))
		for i := range ready {
			bad := bytes.Clone(ready)
			bad[i] ^= 1
			if _, err := c.ready(bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("READY with byte %d flipped: %v, want ErrInvalid", i, err)
			}
		}
	})
}

func TestHandshakeRejectsSizes(t *testing.T) {
	c := fixedClient(t)
	hello := c.hello()
	s := newServerHandshake(serverPub, serverSec)
	for _, n := range []int{0, 1, len(hello) - 1, len(hello) + 1} {
		in := append(bytes.Clone(hello), 0)[:n]
		if err := s.hello(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("HELLO data of %d bytes: %v, want ErrInvalid", n, err)
		}
	}
	if err := s.hello(hello); err != nil {
		t.Fatal(err)
	}
	welcome, _ := s.welcome()
	for _, n := range []int{0, 16, len(welcome) - 1, len(welcome) + 1} {
		in := append(bytes.Clone(welcome), 0)[:n]
		if err := c.welcome(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("WELCOME data of %d bytes: %v, want ErrInvalid", n, err)
		}
	}
	if err := c.welcome(welcome); err != nil {
		t.Fatal(err)
	}
	initiate, _ := c.initiate(nil)
	for _, n := range []int{0, 96, 104, len(initiate) - 1, len(initiate) + 1} {
		in := append(bytes.Clone(initiate), 0)[:n]
		if _, _, err := s.initiate(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("INITIATE data of %d bytes: %v, want ErrInvalid", n, err)
		}
	}
	if _, _, err := s.initiate(initiate); err != nil {
		t.Fatal(err)
	}
	ready := s.ready(nil)
	for _, n := range []int{0, 8, len(ready) - 1, len(ready) + 1} {
		in := append(bytes.Clone(ready), 0)[:n]
		if _, err := c.ready(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("READY data of %d bytes: %v, want ErrInvalid", n, err)
		}
	}
}

func TestHandshakeRejectsForgeries(t *testing.T) {
	t.Run("wrong server key", func(t *testing.T) {
		otherPub, _, _ := NewKeyPair()
		c, err := newClientHandshake(otherPub, clientPub, clientSec)
		if err != nil {
			t.Fatal(err)
		}
		if err := newServerHandshake(serverPub, serverSec).hello(c.hello()); !errors.Is(err, ErrInvalid) {
			t.Fatalf("HELLO for another server: %v, want ErrInvalid", err)
		}
	})
	t.Run("WELCOME from an impostor", func(t *testing.T) {
		c := fixedClient(t)
		// An impostor knows C' from HELLO, but not s.
		_, impostorSec, _ := NewKeyPair()
		s := newServerHandshake(serverPub, impostorSec)
		s.clientT = c.tpub
		s.helloKey, _ = sharedKey(&s.clientT, &impostorSec)
		welcome, _ := s.welcome()
		if err := c.welcome(welcome); !errors.Is(err, ErrInvalid) {
			t.Fatalf("WELCOME of an impostor: %v, want ErrInvalid", err)
		}
	})
	t.Run("client without its secret key", func(t *testing.T) {
		// The client claims C but vouches with another secret key.
		_, otherSec, _ := NewKeyPair()
		c, _ := newClientHandshake(serverPub, clientPub, otherSec)
		s := newServerHandshake(serverPub, serverSec)
		s.hello(c.hello())
		welcome, _ := s.welcome()
		if err := c.welcome(welcome); err != nil {
			t.Fatal(err)
		}
		initiate, _ := c.initiate(nil)
		if _, _, err := s.initiate(initiate); !errors.Is(err, ErrInvalid) {
			t.Fatalf("INITIATE with a false vouch: %v, want ErrInvalid", err)
		}
	})
	t.Run("cookie of another connection", func(t *testing.T) {
		c1 := fixedClient(t)
		s1 := newServerHandshake(serverPub, serverSec)
		s1.hello(c1.hello())
		w1, _ := s1.welcome()
		c1.welcome(w1)
		i1, _ := c1.initiate(nil)

		c2 := fixedClient(t)
		s2 := newServerHandshake(serverPub, serverSec)
		s2.hello(c2.hello())
		s2.welcome()
		if _, _, err := s2.initiate(i1); !errors.Is(err, ErrInvalid) {
			t.Fatalf("INITIATE replayed on another connection: %v, want ErrInvalid", err)
		}
	})
	t.Run("INITIATE nonce not above HELLO's", func(t *testing.T) {
		c := fixedClient(t)
		c.nonce = 9 // HELLO goes with nonce 10
		s := newServerHandshake(serverPub, serverSec)
		s.hello(c.hello())
		welcome, _ := s.welcome()
		c.welcome(welcome)
		c.nonce = 8 // INITIATE goes with nonce 9
		initiate, _ := c.initiate(nil)
		if _, _, err := s.initiate(initiate); !errors.Is(err, ErrInvalid) {
			t.Fatalf("INITIATE with a lower nonce: %v, want ErrInvalid", err)
		}
	})
}

// sealed returns the body of the frame that sess seals for flags and body.
func sealed(t testing.TB, sess *session, flags zmtp.Flags, body []byte) (zmtp.Flags, []byte) {
	t.Helper()
	frame := sess.Seal(nil, flags, body)
	wire, size, n, err := zmtp.ParseFrameHeader(frame)
	if err != nil || n == 0 || uint64(len(frame)-n) != size {
		t.Fatalf("Seal made a bad frame: %x", frame)
	}
	return wire, frame[n:]
}

func TestSessionRoundTrip(t *testing.T) {
	c, s := exchange(t)
	cs, ss := c.session(), s.session()
	if cs.sendNonce != 2 || ss.sendNonce != 1 {
		t.Fatalf("sessions start after nonces %d and %d, want 2 and 1", cs.sendNonce, ss.sendNonce)
	}
	for _, tt := range []struct {
		flags zmtp.Flags
		body  []byte
	}{
		{0, nil},
		{zmtp.FlagMore, []byte("first")},
		{0, bytes.Repeat([]byte{7}, 300)},
		{zmtp.FlagCommand, []byte("\x04PING\x00\x00")},
		{zmtp.FlagCommand, []byte("\x09SUBSCRIBE")},
	} {
		for _, dir := range []struct {
			name     string
			from, to *session
		}{{"client to server", cs, ss}, {"server to client", ss, cs}} {
			wire, body := sealed(t, dir.from, tt.flags, tt.body)
			if wire != 0 {
				t.Errorf("%s: MESSAGE frame has wire flags %v, want none", dir.name, wire)
			}
			if len(body) != messageOverhead+len(tt.body) || string(body[:8]) != "\x07MESSAGE" {
				t.Errorf("%s: MESSAGE of %d bytes for a %d-byte frame", dir.name, len(body), len(tt.body))
			}
			flags, got, err := dir.to.Open([]byte("kept"), wire, body)
			if err != nil || flags != tt.flags || string(got) != "kept"+string(tt.body) {
				t.Fatalf("%s: Open = %v, %q, %v; want %v, %q", dir.name, flags, got, err, tt.flags, tt.body)
			}
		}
	}
}

func TestSessionRejects(t *testing.T) {
	c, s := exchange(t)
	cs, ss := c.session(), s.session()
	_, first := sealed(t, cs, 0, []byte("one"))
	_, second := sealed(t, cs, 0, []byte("two"))
	_, third := sealed(t, cs, 0, []byte("three"))

	if _, _, err := ss.Open(nil, 0, second); err != nil {
		t.Fatal(err)
	}
	// Replays and reordering.
	for name, frame := range map[string][]byte{"replay": second, "older": first} {
		if _, _, err := ss.Open(nil, 0, frame); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// Tampering, truncation, and frames of the wrong direction.
	for i := range third {
		bad := bytes.Clone(third)
		bad[i] ^= 1
		if _, _, err := ss.Open(nil, 0, bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("byte %d flipped: %v, want ErrInvalid", i, err)
		}
	}
	for n := range messageOverhead {
		if _, _, err := ss.Open(nil, 0, third[:n]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("%d bytes: %v, want ErrInvalid", n, err)
		}
	}
	if _, _, err := ss.Open(nil, 0, third[:len(third)-1]); !errors.Is(err, ErrInvalid) {
		t.Errorf("truncated: %v, want ErrInvalid", err)
	}
	_, own := sealed(t, ss, 0, []byte("from the server"))
	if _, _, err := ss.Open(nil, 0, own); !errors.Is(err, ErrInvalid) {
		t.Errorf("a frame sealed by the server itself: %v, want ErrInvalid", err)
	}
	if _, _, err := ss.Open(nil, 0, []byte("\x05READY")); !errors.Is(err, ErrInvalid) {
		t.Errorf("a clear command: %v, want ErrInvalid", err)
	}
	// After all that, the next frame in order still opens: a skipped
	// nonce is allowed, only a higher one is required.
	if _, got, err := ss.Open(nil, 0, third); err != nil || string(got) != "three" {
		t.Fatalf("Open(third) = %q, %v", got, err)
	}
}

func TestSessionConcurrent(t *testing.T) {
	c, s := exchange(t)
	cs, ss := c.session(), s.session()
	const n = 200
	toServer := make(chan []byte, n)
	toClient := make(chan []byte, n)
	var wg sync.WaitGroup
	// The goroutines report with t.Errorf and return: t.Fatalf would
	// not stop the test from a goroutine. The channels are buffered for
	// every frame, so a sealer never waits for an opener that gave up.
	seal := func(sess *session, out chan<- []byte) {
		defer wg.Done()
		defer close(out)
		for i := range n {
			frame := sess.Seal(nil, 0, []byte{byte(i)})
			_, size, hdr, err := zmtp.ParseFrameHeader(frame)
			if err != nil || hdr == 0 || uint64(len(frame)-hdr) != size {
				t.Errorf("Seal made a bad frame %d: %x", i, frame)
				return
			}
			out <- frame[hdr:]
		}
	}
	open := func(sess *session, in <-chan []byte) {
		defer wg.Done()
		i := 0
		for body := range in {
			_, got, err := sess.Open(nil, 0, body)
			if err != nil || len(got) != 1 || got[0] != byte(i) {
				t.Errorf("frame %d: %x, %v", i, got, err)
				return
			}
			i++
		}
		if i != n {
			t.Errorf("opened %d frames, want %d", i, n)
		}
	}
	wg.Add(4)
	go seal(cs, toServer)
	go seal(ss, toClient)
	go open(ss, toServer)
	go open(cs, toClient)
	wg.Wait()
}

func TestSessionAllocs(t *testing.T) {
	c, s := exchange(t)
	cs, ss := c.session(), s.session()
	body := make([]byte, 64)
	buf := make([]byte, 0, 256)
	out := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		frame := cs.Seal(buf[:0], zmtp.FlagMore, body)
		_, size, n, _ := zmtp.ParseFrameHeader(frame)
		if _, _, err := ss.Open(out[:0], 0, frame[n:n+int(size)]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a Seal and Open of 64 bytes allocate %v times, want 0", allocs)
	}
}
