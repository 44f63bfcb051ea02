package ws

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// frame returns a frame from a client (masked, with a fixed key) or a
// server.
func frame(fin bool, op Opcode, masked bool, payload string) []byte {
	h := Header{Fin: fin, Op: op, Length: int64(len(payload)), Masked: masked, Mask: [4]byte{0x37, 0xFA, 0x21, 0x3D}}
	b := AppendHeader(nil, h)
	n := len(b)
	b = append(b, payload...)
	if masked {
		MaskBytes(h.Mask, 0, b[n:])
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// exchange gives in to a Conn of the given side, reads one message, and
// returns it with what the Conn sent back until it was closed.
func exchange(t *testing.T, client bool, max int, in []byte) (Opcode, string, []byte, error) {
	t.Helper()
	ours, theirs := net.Pipe()
	c := NewConn(ours, bufio.NewReader(ours), client, max)
	sent := make(chan []byte, 1)
	go func() {
		go theirs.Write(in)
		b, _ := io.ReadAll(theirs)
		sent <- b
	}()
	ours.SetDeadline(time.Now().Add(5 * time.Second))
	op, msg, err := c.ReadMessage(nil)
	c.conn.Close()
	out := <-sent
	theirs.Close()
	return op, string(msg), out, err
}

// closeCode returns the code of the close frame b starts with, or 0.
func closeCode(t *testing.T, b []byte) int {
	t.Helper()
	h, n, err := ParseHeader(b)
	if err != nil || h.Op != OpClose || int64(len(b)) < int64(n)+h.Length || h.Length < 2 {
		return 0
	}
	p := bytes.Clone(b[n : n+int(h.Length)])
	if h.Masked {
		MaskBytes(h.Mask, 0, p)
	}
	return int(p[0])<<8 | int(p[1])
}

func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client bool
		in     []byte
		op     Opcode
		msg    string
		reply  Opcode // the first frame sent back; 0 for none
	}{
		{"binary from a client", false, frame(true, OpBinary, true, "hello"), OpBinary, "hello", 0},
		{"text from a server", true, frame(true, OpText, false, "héllo"), OpText, "héllo", 0},
		{"empty message", false, frame(true, OpBinary, true, ""), OpBinary, "", 0},
		{"fragments", false, cat(frame(false, OpText, true, "ab"), frame(false, OpContinuation, true, ""), frame(true, OpContinuation, true, "cde")), OpText, "abcde", 0},
		{"ping between fragments", false, cat(frame(false, OpBinary, true, "ab"), frame(true, OpPing, true, "are you there"), frame(true, OpContinuation, true, "c")), OpBinary, "abc", OpPong},
		{"pong dropped", true, cat(frame(true, OpPong, false, "x"), frame(true, OpBinary, false, "y")), OpBinary, "y", 0},
		{"long message", true, frame(true, OpBinary, false, strings.Repeat("z", 70000)), OpBinary, strings.Repeat("z", 70000), 0},
	} {
		op, msg, out, err := exchange(t, tc.client, 1<<20, tc.in)
		if err != nil || op != tc.op || msg != tc.msg {
			t.Errorf("%s: got %v, %.20q, %v; want %v, %.20q, nil", tc.name, op, msg, err, tc.op, tc.msg)
			continue
		}
		var got Opcode
		if len(out) > 0 {
			h, _, _ := ParseHeader(out)
			got = h.Op
			if h.Masked != tc.client {
				t.Errorf("%s: reply masked %v, want %v", tc.name, h.Masked, tc.client)
			}
		}
		if got != tc.reply {
			t.Errorf("%s: sent back %v, want %v", tc.name, got, tc.reply)
		}
	}
}

func TestReadMessageRefuses(t *testing.T) {
	huge := AppendHeader(nil, Header{Fin: true, Op: OpBinary, Length: 1 << 62, Masked: true})
	for _, tc := range []struct {
		name string
		in   []byte
		code int
	}{
		{"reserved bit", cat([]byte{0x92, 0x80, 0, 0, 0, 0}), CloseProtocolError},
		{"reserved opcode", frame(true, 0x3, true, "x"), CloseProtocolError},
		{"reserved control opcode", frame(true, 0xB, true, ""), CloseProtocolError},
		{"unmasked from a client", frame(true, OpBinary, false, "x"), CloseProtocolError},
		{"fragmented ping", frame(false, OpPing, true, ""), CloseProtocolError},
		{"ping over 125 bytes", frame(true, OpPing, true, strings.Repeat("p", 126)), CloseProtocolError},
		{"continuation first", frame(true, OpContinuation, true, "x"), CloseProtocolError},
		{"new message among fragments", cat(frame(false, OpBinary, true, "x"), frame(true, OpBinary, true, "y")), CloseProtocolError},
		{"length of 2^62", huge, CloseTooBig},
		{"message over the limit in fragments", cat(frame(false, OpBinary, true, strings.Repeat("a", 600)), frame(true, OpContinuation, true, strings.Repeat("b", 600))), CloseTooBig},
		{"text not UTF-8", frame(true, OpText, true, "\xff\xfe"), CloseInvalidPayload},
		{"close with 1 byte", frame(true, OpClose, true, "x"), CloseProtocolError},
		{"close with code 1005", frame(true, OpClose, true, "\x03\xed"), CloseProtocolError},
	} {
		_, _, out, err := exchange(t, false, 1000, tc.in)
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != tc.code {
			t.Errorf("%s: error %v, want a *ProtocolError with code %d", tc.name, err, tc.code)
		}
		if got := closeCode(t, out); got != tc.code {
			t.Errorf("%s: close frame sent with code %d, want %d", tc.name, got, tc.code)
		}
	}
}

func TestReadMessageClose(t *testing.T) {
	_, _, out, err := exchange(t, true, 0, frame(true, OpClose, false, "\x03\xe9going"))
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseGoingAway || ce.Reason != "going" {
		t.Fatalf("error %v, want a *CloseError with 1001 and \"going\"", err)
	}
	if !errors.Is(err, io.EOF) {
		t.Errorf("errors.Is(%v, io.EOF) = false, want true", err)
	}
	if got, want := closeCode(t, out), CloseGoingAway; got != want {
		t.Errorf("close answered with code %d, want %d", got, want)
	}
}

func TestClientMasksEveryFrame(t *testing.T) {
	ours, theirs := net.Pipe()
	defer theirs.Close()
	c := NewConn(ours, bufio.NewReader(ours), true, 0)
	defer ours.Close()
	go func() {
		c.WriteMessage(OpBinary, []byte("same payload"))
		c.WriteMessage(OpBinary, []byte("same payload"))
	}()
	theirs.SetDeadline(time.Now().Add(5 * time.Second))
	server := NewConn(theirs, bufio.NewReader(theirs), false, 0)
	var masks [][4]byte
	for range 2 {
		b, err := server.br.Peek(6)
		if err != nil {
			t.Fatal(err)
		}
		h, _, _ := ParseHeader(b)
		if !h.Masked {
			t.Fatalf("client frame not masked")
		}
		masks = append(masks, h.Mask)
		if _, msg, err := server.ReadMessage(nil); err != nil || string(msg) != "same payload" {
			t.Fatalf("server read %q, %v; want the payload", msg, err)
		}
	}
	if masks[0] == masks[1] {
		t.Errorf("two frames with the same mask % x", masks[0])
	}
}

func TestReadMessageReusesBuffer(t *testing.T) {
	ours, theirs := net.Pipe()
	defer theirs.Close()
	c := NewConn(ours, bufio.NewReader(ours), true, 0)
	defer ours.Close()
	msg := frame(true, OpBinary, false, strings.Repeat("m", 100))
	const runs = 100
	go func() {
		for range runs + 2 {
			theirs.Write(msg)
		}
	}()
	ours.SetDeadline(time.Now().Add(5 * time.Second))
	_, buf, err := c.ReadMessage(nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(runs, func() {
		_, buf, err = c.ReadMessage(buf)
	})
	if err != nil || allocs != 0 {
		t.Errorf("ReadMessage into its last payload: %v allocations, error %v; want 0, nil", allocs, err)
	}
}

func TestReadMessageDoesNotWaitForWrite(t *testing.T) {
	// A write is stuck because the peer does not read; the peer pings,
	// then sends a message: reading must return the message, the pong
	// following the stuck write once the peer reads.
	ours, theirs := net.Pipe()
	defer theirs.Close()
	c := NewConn(ours, bufio.NewReader(ours), false, 0)
	defer ours.Close()
	ours.SetDeadline(time.Now().Add(5 * time.Second))
	theirs.SetDeadline(time.Now().Add(5 * time.Second))
	wrote := make(chan error, 1)
	go func() { wrote <- c.WriteMessage(OpBinary, []byte("stuck until read")) }()
	// Until the write holds the write lock.
	for deadline := time.Now().Add(5 * time.Second); c.wmu.TryLock(); {
		c.wmu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the write never started")
		}
		runtime.Gosched()
	}
	go theirs.Write(cat(frame(true, OpPing, true, "hb"), frame(true, OpBinary, true, "after the ping")))
	if _, msg, err := c.ReadMessage(nil); err != nil || string(msg) != "after the ping" {
		t.Fatalf("ReadMessage = %q, %v; want the message after the ping", msg, err)
	}
	peer := NewConn(theirs, bufio.NewReader(theirs), true, 0)
	br := peer.br
	if _, msg, err := peer.ReadMessage(nil); err != nil || string(msg) != "stuck until read" {
		t.Fatalf("peer read %q, %v; want the stuck message", msg, err)
	}
	b, err := br.Peek(4)
	if h, _, _ := ParseHeader(b); err != nil || h.Op != OpPong || string(b[2:4]) != "hb" {
		t.Errorf("after the stuck message % x, %v; want the pong with \"hb\"", b, err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
}
