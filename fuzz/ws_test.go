package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xbahn-go/xbahn/internal/ws"
)

// streamConn is a net.Conn that reads a fixed input and keeps what is
// written to it.
type streamConn struct {
	r       io.Reader
	written bytes.Buffer
	onWrite func(c *streamConn)
}

func (c *streamConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *streamConn) Write(p []byte) (int, error) {
	n, err := c.written.Write(p)
	if c.onWrite != nil {
		c.onWrite(c)
	}
	return n, err
}
func (c *streamConn) Close() error                     { return nil }
func (c *streamConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *streamConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *streamConn) SetDeadline(time.Time) error      { return nil }
func (c *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }

func wsFrame(fin bool, op ws.Opcode, masked bool, payload string) []byte {
	h := ws.Header{Fin: fin, Op: op, Length: int64(len(payload)), Masked: masked, Mask: [4]byte{1, 2, 3, 4}}
	b := ws.AppendHeader(nil, h)
	n := len(b)
	b = append(b, payload...)
	if masked {
		ws.MaskBytes(h.Mask, 0, b[n:])
	}
	return b
}

// FuzzWSHeader checks that ParseHeader never panics, that a header it
// accepts encodes back to the same bytes, and that CheckHeader judges
// it without panicking.
func FuzzWSHeader(f *testing.F) {
	f.Add(wsFrame(true, ws.OpBinary, true, "x")[:6])
	f.Add(ws.AppendHeader(nil, ws.Header{Op: ws.OpText, Length: 70000}))
	f.Add([]byte{0x82, 126, 0, 1})
	f.Add([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xF9, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := ws.ParseHeader(b)
		if err != nil {
			var pe *ws.ProtocolError
			if err != ws.ErrShortHeader && !errors.As(err, &pe) {
				t.Fatalf("ParseHeader(% x) error %v is neither ErrShortHeader nor a *ProtocolError", b, err)
			}
			return
		}
		if n != ws.HeaderSize(b) || h.Length < 0 {
			t.Fatalf("ParseHeader(% x) = %+v, %d; HeaderSize says %d", b, h, n, ws.HeaderSize(b))
		}
		if back := ws.AppendHeader(nil, h); !bytes.Equal(back, b[:n]) {
			t.Fatalf("ParseHeader(% x) = %+v, which encodes as % x", b[:n], h, back)
		}
		ws.CheckHeader(h, true)
		ws.CheckHeader(h, false)
	})
}

// FuzzWSReadMessage feeds a stream of frames to a Conn, server side when
// the first byte is even, client side when it is odd, and checks that
// reading never panics nor returns more than the limit, that text is
// UTF-8, and that it ends with one of the errors the package documents.
func FuzzWSReadMessage(f *testing.F) {
	cat := func(parts ...[]byte) []byte { return append([]byte{0}, bytes.Join(parts, nil)...) }
	f.Add(cat(wsFrame(true, ws.OpBinary, true, "hello")))
	f.Add(cat(wsFrame(false, ws.OpText, true, "he"), wsFrame(true, ws.OpPing, true, "p"), wsFrame(true, ws.OpContinuation, true, "llo")))
	f.Add(cat(wsFrame(true, ws.OpClose, true, "\x03\xe8bye")))
	f.Add(cat(ws.AppendHeader(nil, ws.Header{Fin: true, Op: ws.OpBinary, Length: 1 << 62, Masked: true})))
	f.Add(append([]byte{1}, wsFrame(true, ws.OpText, false, "from the server")...))
	f.Add(cat(wsFrame(true, 0x3, true, ""), wsFrame(true, ws.OpBinary, false, "x")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		const limit = 1 << 12
		nc := &streamConn{r: bytes.NewReader(b[1:])}
		c := ws.NewConn(nc, bufio.NewReader(nc), b[0]&1 == 1, limit)
		var buf []byte
		for {
			op, msg, err := c.ReadMessage(buf)
			if err != nil {
				var pe *ws.ProtocolError
				var ce *ws.CloseError
				if !errors.As(err, &pe) && !errors.As(err, &ce) && err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("ReadMessage error %v (%T) is not one the package documents", err, err)
				}
				return
			}
			if len(msg) > limit {
				t.Fatalf("message of %d bytes over the limit of %d", len(msg), limit)
			}
			if op != ws.OpText && op != ws.OpBinary {
				t.Fatalf("ReadMessage returned a %v message", op)
			}
			if op == ws.OpText && !utf8.Valid(msg) {
				t.Fatalf("text message %q is not UTF-8", msg)
			}
			buf = msg
		}
	})
}

// FuzzWSHandshake answers a client's opening handshake with the input,
// in which {accept} stands for the Sec-WebSocket-Accept of the client's
// key, and checks that Handshake never panics, reads no more than
// MaxHandshakeSize of it, and returns only a subprotocol it offered.
func FuzzWSHandshake(f *testing.F) {
	ok := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
	f.Add(ok + "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n")
	f.Add(ok + "\r\n\x82\x01x")
	f.Add(ok + "Sec-WebSocket-Protocol: chat\r\n\r\n")
	f.Add("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nno\n")
	f.Add("HTTP/1.1 101 OK\r\nX: " + strings.Repeat("y", 200) + "\r\n\r\n")
	offered := []string{"ZWS2.0/NULL", "ZWS2.0"}
	f.Fuzz(func(t *testing.T, resp string) {
		src := &countingReader{}
		nc := &streamConn{r: src}
		nc.onWrite = func(c *streamConn) {
			key := ""
			for line := range strings.SplitSeq(c.written.String(), "\r\n") {
				if v, ok := strings.CutPrefix(line, "Sec-WebSocket-Key: "); ok {
					key = v
				}
			}
			src.r = strings.NewReader(strings.ReplaceAll(resp, "{accept}", ws.AcceptKey(key)))
		}
		_, proto, err := ws.Handshake(context.Background(), nc, "h:1", "/", offered)
		if src.n > ws.MaxHandshakeSize+4096 {
			t.Fatalf("Handshake read %d bytes, more than MaxHandshakeSize and a buffer", src.n)
		}
		if err == nil && proto != "" && proto != offered[0] && proto != offered[1] {
			t.Fatalf("Handshake chose %q, which was not offered", proto)
		}
	})
}

// countingReader reads r, counting the bytes.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.r == nil {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
