package zmtp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/internal/ws"
)

// wsMessage returns a ZWS message as a client sends it: masked, with the
// flags byte f before body, cut into fragments of at most frag bytes
// when frag > 0.
func wsMessage(f byte, body string, frag int) []byte {
	payload := append([]byte{f}, body...)
	if frag <= 0 {
		frag = len(payload)
	}
	var out []byte
	for i := 0; i < len(payload); i += frag {
		part := payload[i:min(i+frag, len(payload))]
		op := ws.OpContinuation
		if i == 0 {
			op = ws.OpBinary
		}
		h := ws.Header{Fin: i+frag >= len(payload), Op: op, Length: int64(len(part)), Masked: true, Mask: [4]byte{9, 8, 7, 6}}
		out = ws.AppendHeader(out, h)
		n := len(out)
		out = append(out, part...)
		ws.MaskBytes(h.Mask, 0, out[n:])
	}
	return out
}

// TestWSConnResumesAfterTimeout reads a server-side wsConn whose input
// arrives a byte at a time, with a read deadline in the past set before
// each byte, as a pipe's interrupt does: every timeout must leave the
// state as it was, so that the ZMTP bytes come out whole and in order.
func TestWSConnResumesAfterTimeout(t *testing.T) {
	body := strings.Repeat("x", 300)
	var in []byte
	in = append(in, wsMessage(wsFlagMore, "a", 0)...)
	in = append(in, ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpPing, Masked: true})...)
	in = append(in, wsMessage(0, body, 0)...)
	in = append(in, wsMessage(wsFlagCommand, "\x04PONG", 2)...)
	want := AppendFrame(nil, FlagMore, []byte("a"))
	want = AppendFrame(want, 0, []byte(body))
	want = AppendFrame(want, FlagCommand, []byte("\x04PONG"))

	ours, theirs := net.Pipe()
	defer theirs.Close()
	o, _ := Options{}.withDefaults()
	c := newWSConn(ours, bufio.NewReader(ours), false, zwsPrefix+"NULL", &o, REP)
	defer c.Close()
	go io.Copy(io.Discard, theirs) // the pong and the close
	greeting := make([]byte, GreetingSize)
	if _, err := io.ReadFull(c, greeting); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	buf := make([]byte, 7)
	for _, b := range in {
		c.SetReadDeadline(time.Unix(1, 0))
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if n == 0 && !isTimeout(err) {
			t.Fatalf("a read with nothing to give: %d, %v; want a timeout", n, err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		go theirs.Write([]byte{b})
		for {
			// Everything this byte completes, without waiting for more.
			c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			n, err := c.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
		}
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("ZMTP bytes\n% x\nwant\n% x", got.Bytes(), want)
	}
}

// TestWSConnWritesFrames checks the ZWS messages a client-side wsConn
// sends for ZMTP bytes written in pieces that cut frames anywhere.
func TestWSConnWritesFrames(t *testing.T) {
	var zmtp []byte
	zmtp = AppendGreeting(zmtp, "NULL", false)
	zmtp = AppendFrame(zmtp, FlagMore, []byte("head"))
	zmtp = AppendFrame(zmtp, 0, bytes.Repeat([]byte("b"), 70000))
	zmtp = AppendFrame(zmtp, FlagCommand, []byte("\x09SUBSCRIBEx"))
	zmtp = AppendPing(zmtp, 0, []byte("ctx"))
	for _, cut := range []int{1, 3, 64, 1000, len(zmtp)} {
		ours, theirs := net.Pipe()
		o, _ := Options{}.withDefaults()
		c := newWSConn(ours, bufio.NewReader(ours), true, zwsPrefix+"NULL", &o, DEALER)
		c.holding.Store(false)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < len(zmtp); i += cut {
				if _, err := c.Write(zmtp[i:min(i+cut, len(zmtp))]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		theirs.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(theirs)
		peer := ws.NewConn(theirs, br, false, 1<<20)
		for i, want := range []string{"\x01head", "\x00" + strings.Repeat("b", 70000), "\x02\x09SUBSCRIBEx"} {
			_, got, err := peer.ReadMessage(nil)
			if err != nil || string(got) != want {
				t.Fatalf("cut %d: message %d %.20q, %v; want %.20q", cut, i, got, err, want)
			}
		}
		// The PING goes as a WebSocket ping with its context.
		b, err := br.Peek(2 + 4 + 3)
		if err != nil {
			t.Fatal(err)
		}
		h, n, err := ws.ParseHeader(b)
		ctx := bytes.Clone(b[n:])
		ws.MaskBytes(h.Mask, 0, ctx)
		if err != nil || h.Op != ws.OpPing || !h.Masked || string(ctx) != "ctx" {
			t.Errorf("cut %d: after the messages %+v %q, %v; want a masked ping with \"ctx\"", cut, h, ctx, err)
		}
		<-done
		theirs.Close()
		ours.Close()
	}
}
