package ws

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	mrand "math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultMaxMessage is the limit of a Conn made with a maxMessage of 0
// or less.
const DefaultMaxMessage = 32 << 20

// closeTimeout bounds the write of the close frame that Close sends.
const closeTimeout = time.Second

// A Conn is a WebSocket connection after its opening handshake.
type Conn struct {
	conn   net.Conn
	br     *bufio.Reader
	client bool  // this side masks what it sends
	max    int64 // the longest message ReadMessage returns
	ctl    [MaxControlPayload]byte
	rerr   error // sticky: the read side is done

	wmu     sync.Mutex
	wbuf    []byte
	wend    bool // a close frame was sent
	closing bool // the write under way carries the close frame
	rng     *mrand.ChaCha8

	// Control frames that reading wants sent (pongs, closes), waiting
	// for a write under way: opcode, length, payload, again.
	pmu    sync.Mutex
	pend   []byte
	queued atomic.Bool
}

// NewConn returns a Conn over conn, whose opening handshake Handshake
// (client true) or Accept ran, reading frames through br, the reader they
// returned. It reads messages of at most maxMessage bytes; 0 or less
// means DefaultMaxMessage.
func NewConn(conn net.Conn, br *bufio.Reader, client bool, maxMessage int) *Conn {
	if maxMessage <= 0 {
		maxMessage = DefaultMaxMessage
	}
	c := &Conn{conn: conn, br: br, client: client, max: int64(maxMessage)}
	if client {
		var seed [32]byte
		rand.Read(seed[:])
		c.rng = mrand.NewChaCha8(seed)
	}
	return c
}

// NetConn returns the connection underneath, for deadlines and
// addresses. Reading or writing it directly breaks the Conn.
func (c *Conn) NetConn() net.Conn { return c.conn }

// ReadMessage reads the next data message, reassembled from its
// fragments, into buf, which it grows as needed, and returns its opcode
// (OpText or OpBinary) and payload; the payload aliases buf, or the
// array that replaced it when it had to grow, until the next call. Pass
// the payload of the last call back in as buf to read without
// allocating.
//
// A ping on the way is answered and a pong dropped. A close frame is
// answered with a close frame and ends reading with a *CloseError; a
// protocol error ends it with a *ProtocolError after a close frame with
// its code was sent. Either is returned again by every later call, as is
// any error of the connection itself. A deadline that expires in the
// middle of a message breaks the Conn the same way.
func (c *Conn) ReadMessage(buf []byte) (Opcode, []byte, error) {
	if c.rerr != nil {
		return 0, buf[:0], c.rerr
	}
	op, buf, err := c.readMessage(buf[:0])
	if err != nil {
		var pe *ProtocolError
		if errors.As(err, &pe) {
			c.sendClose(pe.Code)
		}
		c.rerr = err
	}
	return op, buf, err
}

func (c *Conn) readMessage(buf []byte) (Opcode, []byte, error) {
	var op Opcode
	started := false
	for {
		h, err := c.readHeader()
		if err != nil {
			return 0, buf, err
		}
		if h.Op.Control() {
			done, err := c.control(h)
			if done || err != nil {
				return 0, buf, err
			}
			continue
		}
		switch {
		case h.Op == OpContinuation && !started:
			return 0, buf, protocolError(CloseProtocolError, "continuation frame outside a message")
		case h.Op != OpContinuation && started:
			return 0, buf, protocolError(CloseProtocolError, h.Op.String()+" frame in the middle of a fragmented message")
		case !started:
			op, started = h.Op, true
		}
		if h.Length > c.max-int64(len(buf)) {
			return 0, buf, protocolError(CloseTooBig, "message longer than the limit of "+itoa(c.max)+" bytes")
		}
		n := len(buf)
		buf = grow(buf, int(h.Length))
		if _, err := io.ReadFull(c.br, buf[n:]); err != nil {
			return 0, buf[:n], unexpected(err)
		}
		if h.Masked {
			MaskBytes(h.Mask, 0, buf[n:])
		}
		if h.Fin {
			if op == OpText && !utf8.Valid(buf) {
				return 0, buf, protocolError(CloseInvalidPayload, "text message is not UTF-8")
			}
			return op, buf, nil
		}
	}
}

// readHeader reads a frame header and checks what RFC 6455 asks of every
// frame without extensions.
func (c *Conn) readHeader() (Header, error) {
	need := 2
	for {
		b, err := c.br.Peek(need)
		h, n, perr := ParseHeader(b)
		switch {
		case perr == nil:
			c.br.Discard(n)
			return h, CheckHeader(h, c.client)
		case perr != ErrShortHeader:
			return Header{}, perr
		case err != nil:
			if need > 2 || len(b) > 0 {
				err = unexpected(err)
			}
			return Header{}, err
		}
		need = HeaderSize(b)
	}
}

// HeaderSize returns the size of the frame header that starts with b,
// which holds at least its first two bytes.
func HeaderSize(b []byte) int {
	n := 2
	switch b[1] & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// CheckHeader checks what RFC 6455 asks of a frame header received by a
// client (client) or a server, without extensions: no reserved bits or
// opcodes, masking from the client only, and control frames whole and at
// most MaxControlPayload bytes. It returns a *ProtocolError.
func CheckHeader(h Header, client bool) error {
	switch {
	case h.RSV != 0:
		return protocolError(CloseProtocolError, "reserved bits set without an extension")
	case !h.Op.known():
		return protocolError(CloseProtocolError, "reserved "+h.Op.String())
	case client && h.Masked:
		return protocolError(CloseProtocolError, "masked frame from the server")
	case !client && !h.Masked:
		return protocolError(CloseProtocolError, "unmasked frame from the client")
	case h.Op.Control() && !h.Fin:
		return protocolError(CloseProtocolError, "fragmented control frame")
	case h.Op.Control() && h.Length > MaxControlPayload:
		return protocolError(CloseProtocolError, "control frame longer than 125 bytes")
	}
	return nil
}

// control handles a control frame; done reports a close.
func (c *Conn) control(h Header) (done bool, err error) {
	p := c.ctl[:h.Length]
	if _, err := io.ReadFull(c.br, p); err != nil {
		return false, unexpected(err)
	}
	if h.Masked {
		MaskBytes(h.Mask, 0, p)
	}
	switch h.Op {
	case OpPing:
		c.reply(OpPong, p)
		return false, nil
	case OpPong:
		return false, nil
	}
	ce, perr := ParseClose(p)
	if perr != nil {
		return true, perr
	}
	code := ce.Code
	if code == CloseNoStatus {
		code = CloseNormal
	}
	c.sendClose(code)
	return true, ce
}

// ParseClose decodes the payload of a close frame: an empty one, or a
// code RFC 6455 allows on the wire and a UTF-8 reason.
func ParseClose(p []byte) (*CloseError, error) {
	switch {
	case len(p) == 0:
		return &CloseError{Code: CloseNoStatus}, nil
	case len(p) == 1:
		return nil, protocolError(CloseProtocolError, "close frame with a 1-byte payload")
	}
	code := int(binary.BigEndian.Uint16(p))
	if !validCloseCode(code) {
		return nil, protocolError(CloseProtocolError, "close code "+itoa(int64(code))+" is not allowed on the wire")
	}
	if !utf8.Valid(p[2:]) {
		return nil, protocolError(CloseInvalidPayload, "close reason is not UTF-8")
	}
	return &CloseError{Code: code, Reason: string(p[2:])}, nil
}

// validCloseCode reports whether a close frame may carry code.
func validCloseCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code < 1000 || code > 1014:
		return false
	}
	return code != 1004 && code != CloseNoStatus && code != 1006
}

// WriteMessage sends payload as one message of type op, OpText (which
// must be UTF-8) or OpBinary, in one frame and one write.
func (c *Conn) WriteMessage(op Opcode, payload []byte) error {
	switch op {
	case OpText:
		if !utf8.Valid(payload) {
			return errors.New("ws: text message is not UTF-8")
		}
	case OpBinary:
	default:
		return errors.New("ws: WriteMessage of a " + op.String() + " frame")
	}
	return c.writeFrame(op, payload)
}

// WriteControl sends a ping or pong with payload, at most
// MaxControlPayload bytes.
func (c *Conn) WriteControl(op Opcode, payload []byte) error {
	if op != OpPing && op != OpPong {
		return errors.New("ws: WriteControl of a " + op.String() + " frame")
	}
	if len(payload) > MaxControlPayload {
		return errors.New("ws: control payload longer than 125 bytes")
	}
	return c.writeFrame(op, payload)
}

func (c *Conn) writeFrame(op Opcode, payload []byte) error {
	c.wmu.Lock()
	err := c.writeFrameLocked(op, payload)
	c.wmu.Unlock()
	c.kick()
	return err
}

func (c *Conn) writeFrameLocked(op Opcode, payload []byte) error {
	if c.wend {
		return ErrClosed
	}
	c.wbuf = c.appendQueued(c.wbuf[:0])
	if c.wend {
		c.writeLocked()
		return ErrClosed
	}
	c.wbuf = c.appendFrame(c.wbuf, op, payload)
	return c.writeLocked()
}

// writeLocked writes c.wbuf, giving a close frame in it at most
// closeTimeout. c.wmu is held.
func (c *Conn) writeLocked() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	if c.closing {
		c.conn.SetWriteDeadline(time.Now().Add(closeTimeout))
		c.closing = false
	}
	_, err := c.conn.Write(c.wbuf)
	if cap(c.wbuf) > 64<<10 {
		c.wbuf = nil // a large message's buffer goes with it
	}
	return err
}

// reply has a control frame sent as soon as no write is under way:
// reading must not wait for a write, which may wait for the peer to
// read, while the peer waits for us to read.
func (c *Conn) reply(op Opcode, payload []byte) {
	c.pmu.Lock()
	c.pend = append(c.pend, byte(op), byte(len(payload)))
	c.pend = append(c.pend, payload...)
	c.queued.Store(true)
	c.pmu.Unlock()
	c.kick()
}

// kick sends the queued control frames unless a write is under way,
// which sends them when it ends.
func (c *Conn) kick() {
	for c.queued.Load() && c.wmu.TryLock() {
		c.wbuf = c.appendQueued(c.wbuf[:0])
		c.writeLocked()
		c.wmu.Unlock()
	}
}

// appendQueued appends the queued control frames to b, none after a
// close. c.wmu is held.
func (c *Conn) appendQueued(b []byte) []byte {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	c.queued.Store(false)
	for q := c.pend; len(q) >= 2; {
		op, n := Opcode(q[0]), int(q[1])
		if !c.wend {
			b = c.appendFrame(b, op, q[2:2+n])
			if op == OpClose {
				c.wend, c.closing = true, true
			}
		}
		q = q[2+n:]
	}
	c.pend = c.pend[:0]
	return b
}

// appendFrame appends a whole frame to b, masked when c is a client.
// c.wmu is held.
func (c *Conn) appendFrame(b []byte, op Opcode, payload []byte) []byte {
	h := Header{Fin: true, Op: op, Length: int64(len(payload)), Masked: c.client}
	if c.client {
		binary.LittleEndian.PutUint32(h.Mask[:], uint32(c.rng.Uint64()))
	}
	b = AppendHeader(b, h)
	n := len(b)
	b = append(b, payload...)
	if c.client {
		MaskBytes(h.Mask, 0, b[n:])
	}
	return b
}

// sendClose has a close frame with code sent, unless one was.
func (c *Conn) sendClose(code int) {
	var p [2]byte
	binary.BigEndian.PutUint16(p[:], uint16(code))
	c.reply(OpClose, p[:])
}

// Close sends a close frame with CloseNormal, unless one was sent
// already or a write is under way, and closes the connection without
// waiting for the peer's. It does not wait for a write under way, which
// closing the connection ends.
func (c *Conn) Close() error {
	c.sendClose(CloseNormal)
	return c.conn.Close()
}

// grow extends b by n bytes, reallocating when its capacity is short.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// unexpected turns an io.EOF in the middle of a frame into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
