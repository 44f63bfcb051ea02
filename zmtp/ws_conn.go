package zmtp

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

	"github.com/xbahn-go/xbahn/internal/ws"
)

// wsConn presents a ZWS 2.0 connection (ZeroMQ RFC 45) as the byte
// stream of a ZMTP 3.0 connection, so that the handshake, the Reader and
// the pipes work on it as on TCP.
//
// ZWS has no greeting: the subprotocol chosen in the WebSocket handshake
// names the mechanism. Reading, wsConn first gives the greeting the peer
// would have sent, then turns each binary message, a flags byte (bit 0
// MORE, bit 1 COMMAND) and a body, into a ZMTP frame; writing, it
// swallows our greeting and turns each ZMTP frame into a binary message.
// It announces ZMTP 3.0, not 3.1, so that subscriptions travel as
// messages starting with 1 or 0, as libzmq and jszmq send them over ZWS.
//
// PING commands we write leave as WebSocket pings, which libzmq and
// browsers answer, and a pong that answers one comes back as a PONG
// command; a ping from the peer is answered here.
//
// Under the bare subprotocol "ZWS2.0" there is no mechanism at all: each
// side's first message is its routing id (jszmq speaks only this). wsConn
// then writes our READY as our routing id, and reads the peer's routing
// id as a READY with that Identity and a Socket-Type that our socket
// accepts: the peer's type is not known.
//
// A server may choose ZWS2.0/NULL, the first that a client offers, and
// yet speak bare ZWS2.0: jszmq does, through the ws package, which takes
// the first subprotocol offered. So a client under ZWS2.0/NULL holds its
// READY back until the server's first message shows which it speaks, or
// until the server has been silent for wsHoldWait, as one that waits for
// the client's READY first would be.
type wsConn struct {
	net.Conn // underneath: deadlines, addresses and Close go to it
	br       *bufio.Reader
	client   bool  // this side masks what it writes
	bare     bool  // subprotocol ZWS2.0, without a mechanism
	peerType Type  // bare: the Socket-Type given to the peer
	max      int64 // the longest message reassembled from fragments

	// The read side, used by one goroutine at a time.
	pend    []byte // made-up bytes delivered before the payload
	store   []byte // backs pend
	left    int64  // payload bytes of the current message still to read
	masked  bool
	mask    [4]byte
	mpos    int
	frag    []byte       // a fragmented message reassembled so far
	fragOn  bool         // frag holds the start of a message
	fragLft int64        // payload bytes of the current fragment still to read
	fragFin bool         // the current fragment is the last
	gotID   bool         // bare: the peer's routing id came
	typ     Type         // our socket's type
	readDL  atomic.Int64 // the read deadline set, in Unix nanoseconds; 0 for none
	holding atomic.Bool  // our READY is held back; see the type's comment
	ctlBuf  [ws.MaxControlPayload]byte
	rerr    error // sticky: reading is over

	pings atomic.Int32 // pings we sent that no pong answered yet

	// The write side, under wmu.
	wmu   sync.Mutex
	skip  int // bytes of our greeting still to swallow
	hdr   [MaxHeaderSize]byte
	hn    int
	wleft int64 // body bytes of the frame being passed on
	wdrop bool  // the body being passed on is dropped
	wmask [4]byte
	wmpos int
	cmd   []byte // a command frame's body gathered to look into
	cmdOn bool
	cmdFl Flags
	cmdSz int
	sent  bool   // bare: our routing id went
	held  []byte // the body of our READY, held back
	out   []byte
	rng   *mrand.ChaCha8
	wend  bool // a close frame went: nothing more may
	werr  error

	// Control frames the read side wants sent, waiting for wmu.
	ctlMu  sync.Mutex
	ctlQ   []byte // opcode, length, payload; again
	queued atomic.Bool
}

// ZWS 2.0's subprotocols: "ZWS2.0" alone is the NULL mechanism without
// its handshake; "ZWS2.0/" and a mechanism's name, that mechanism.
const (
	zwsBare   = "ZWS2.0"
	zwsPrefix = "ZWS2.0/"
)

// wsFlagMore and wsFlagCommand are the bits of a ZWS message's flags byte.
const (
	wsFlagMore    = 1 << 0
	wsFlagCommand = 1 << 1
)

// wsChunk bounds what one write to the connection carries.
const wsChunk = 32 << 10

// wsHoldWait is how long a client holds its READY back for a silent
// server.
const wsHoldWait = 100 * time.Millisecond

// pingBodyMax is the longest PING command body: name length, name, TTL
// and context.
const pingBodyMax = 1 + len(CmdPing) + 2 + MaxPingContext

// wsProtocols returns the subprotocols a client with mechanism mech
// offers, preferred first.
func wsProtocols(mech string) []string {
	if mech == "NULL" {
		return []string{zwsPrefix + "NULL", zwsBare}
	}
	return []string{zwsPrefix + mech}
}

// wsChoose returns the first of offered that mechanism mech can speak.
func wsChoose(mech string, offered []string) (string, error) {
	for _, p := range offered {
		if p == zwsPrefix+mech || (p == zwsBare && mech == "NULL") {
			return p, nil
		}
	}
	return "", errors.New("zmtp: no subprotocol for mechanism " + mech + " among the offered " + strconv.Quote(joinComma(offered)))
}

func joinComma(s []string) string {
	var b []byte
	for i, x := range s {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, x...)
	}
	return string(b)
}

// newWSConn wraps conn, whose WebSocket handshake chose proto, for a
// socket with options o and type t, reading frames through br.
func newWSConn(conn net.Conn, br *bufio.Reader, client bool, proto string, o *Options, t Type) *wsConn {
	mech := o.Mechanism
	c := &wsConn{
		Conn:   conn,
		br:     br,
		client: client,
		bare:   proto == zwsBare,
		max:    max(o.MaxMsgSize, int64(o.MaxCommandSize)) + 1,
		skip:   GreetingSize,
		typ:    t,
	}
	c.holding.Store(client && proto == zwsPrefix+"NULL")
	if c.bare {
		c.guessPeer()
	}
	name := mech.Name()
	if len(proto) > len(zwsPrefix) {
		name = proto[len(zwsPrefix):]
	}
	c.store = AppendGreeting(c.store[:0], name, !mech.Server())
	c.store[11] = 0 // ZMTP 3.0: see the type's comment
	c.pend = c.store
	if client {
		var seed [32]byte
		rand.Read(seed[:])
		c.rng = mrand.NewChaCha8(seed)
	}
	return c
}

// guessPeer gives the bare peer a type our socket accepts.
func (c *wsConn) guessPeer() {
	if c.typ.valid() && len(peers[c.typ]) > 0 {
		c.peerType = peers[c.typ][0]
	}
}

// SetDeadline sets the deadlines of the connection underneath, and keeps
// the read one.
func (c *wsConn) SetDeadline(t time.Time) error {
	c.keepReadDeadline(t)
	return c.Conn.SetDeadline(t)
}

func (c *wsConn) keepReadDeadline(t time.Time) {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	c.readDL.Store(ns)
}

// readDeadline returns the read deadline set.
func (c *wsConn) readDeadline() time.Time {
	if ns := c.readDL.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// SetReadDeadline sets the read deadline of the connection underneath,
// and keeps it.
func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.keepReadDeadline(t)
	return c.Conn.SetReadDeadline(t)
}

// waitHeld waits, up to wsHoldWait, for the server's first bytes while
// our READY is held back, and sends it when none come.
func (c *wsConn) waitHeld() error {
	if c.br.Buffered() > 0 {
		return nil
	}
	set := c.readDeadline()
	dl := time.Now().Add(wsHoldWait)
	if !set.IsZero() && set.Before(dl) {
		dl = set
	}
	c.Conn.SetReadDeadline(dl)
	_, err := c.br.Peek(1)
	set = c.readDeadline()
	c.Conn.SetReadDeadline(set)
	switch {
	case err == nil:
		return nil
	case isTimeout(err) && (set.IsZero() || time.Now().Before(set)):
		return c.release(false)
	}
	return err
}

// release sends our held READY: as a command, or as our routing id when
// the server turned out to speak bare ZWS2.0.
func (c *wsConn) release(bare bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.holding.Swap(false) {
		return nil
	}
	if bare {
		c.bare = true
		c.guessPeer()
	}
	held := c.held
	c.held = nil
	if held == nil {
		// The server spoke before our READY was written: it goes as
		// c.bare says when it is.
		return nil
	}
	if bare {
		c.sent = true
		var id []byte
		if cmd, err := ParseCommand(held); err == nil {
			if md, err := ParseMetadata(cmd.Data, DefaultMaxProperties); err == nil {
				id, _ = md.Get(PropIdentity)
			}
		}
		c.out = c.appendBody(c.startWS(c.out[:0], 0, int64(len(id))), id)
	} else {
		c.out = c.appendBody(c.startWS(c.out[:0], FlagCommand, int64(len(held))), held)
	}
	_, err := c.Conn.Write(c.out)
	c.out = c.out[:0]
	if err != nil {
		c.werr = err
	}
	return err
}

// errNoWait stops a read that would have to wait after it has bytes to
// return.
var errNoWait = errors.New("zmtp: websocket read would wait")

// Read returns the ZMTP bytes of the messages received.
func (c *wsConn) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(c.pend) > 0 {
			k := copy(p[n:], c.pend)
			c.pend = c.pend[k:]
			n += k
			if len(c.pend) == 0 && cap(c.store) > wsChunk {
				c.store = nil
			}
			continue
		}
		if c.left > 0 {
			k := int(min(c.left, int64(len(p)-n)))
			if n > 0 {
				if k = min(k, c.br.Buffered()); k == 0 {
					break
				}
			}
			m, err := c.br.Read(p[n : n+k])
			if c.masked {
				c.mpos = ws.MaskBytes(c.mask, c.mpos, p[n:n+m])
			}
			c.left -= int64(m)
			n += m
			if err != nil {
				if n > 0 {
					break
				}
				return 0, eofMidFrame(err)
			}
			continue
		}
		if c.rerr != nil {
			if n > 0 {
				break
			}
			return 0, c.rerr
		}
		var err error
		if n == 0 && c.holding.Load() {
			if err := c.waitHeld(); err != nil {
				return 0, err
			}
		}
		if c.fragLft > 0 {
			err = c.readFragment(n > 0)
		} else {
			err = c.next(n > 0)
		}
		if err != nil {
			// With bytes to return, nothing waited: err is errNoWait, or
			// one that c.rerr keeps for the next call. A timeout leaves
			// the state as it was, so that reading again goes on.
			if n > 0 || err == errNoWait {
				return n, nil
			}
			return 0, err
		}
	}
	return n, nil
}

// eofMidFrame turns io.EOF inside a WebSocket frame into
// io.ErrUnexpectedEOF.
func eofMidFrame(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// peek returns the next n bytes without consuming them. With noWait it
// returns errNoWait rather than wait for them.
func (c *wsConn) peek(n int, noWait bool) ([]byte, error) {
	if noWait && c.br.Buffered() < n {
		return nil, errNoWait
	}
	b, err := c.br.Peek(n)
	if err != nil && len(b) > 0 {
		err = eofMidFrame(err)
	}
	return b, err
}

// next reads the next frame's header, and control frames whole, and sets
// what Read delivers next. A fatal error is also kept in c.rerr.
func (c *wsConn) next(noWait bool) error {
	b, err := c.peek(2, noWait)
	if err != nil {
		return err
	}
	if b, err = c.peek(ws.HeaderSize(b), noWait); err != nil {
		return err
	}
	h, hn, err := ws.ParseHeader(b)
	if err == nil {
		err = ws.CheckHeader(h, c.client)
	}
	if err != nil {
		return c.fail(err)
	}
	if h.Op.Control() {
		b, err := c.peek(hn+int(h.Length), noWait)
		if err != nil {
			return err
		}
		payload := c.ctlBuf[:copy(c.ctlBuf[:], b[hn:])]
		if h.Masked {
			ws.MaskBytes(h.Mask, 0, payload)
		}
		c.br.Discard(len(b))
		return c.control(h.Op, payload)
	}
	switch {
	case h.Op == ws.OpText:
		return c.fail(&ws.ProtocolError{Code: ws.CloseUnsupportedData, Reason: "text message: ZWS carries binary ones"})
	case h.Op == ws.OpContinuation && !c.fragOn:
		return c.fail(&ws.ProtocolError{Code: ws.CloseProtocolError, Reason: "continuation frame outside a message"})
	case h.Op == ws.OpBinary && c.fragOn:
		return c.fail(&ws.ProtocolError{Code: ws.CloseProtocolError, Reason: "binary frame in the middle of a fragmented message"})
	}
	if c.fragOn || !h.Fin {
		if h.Length > c.max-int64(len(c.frag)) {
			return c.fail(&ws.ProtocolError{Code: ws.CloseTooBig, Reason: "message longer than " + strconv.FormatInt(c.max, 10) + " bytes"})
		}
		c.br.Discard(hn)
		c.fragOn, c.fragFin, c.fragLft = true, h.Fin, h.Length
		c.masked, c.mask, c.mpos = h.Masked, h.Mask, 0
		if h.Length == 0 {
			return c.fragmentDone()
		}
		return nil
	}
	if h.Length == 0 {
		return c.fail(&ws.ProtocolError{Code: ws.CloseProtocolError, Reason: "binary message without the ZWS flags byte"})
	}
	if c.bare && !c.gotID {
		if h.Length > 256 {
			return c.fail(protoErr("routing id", malformed("longer than 255 bytes")))
		}
		b, err := c.peek(hn+int(h.Length), noWait)
		if err != nil {
			return err
		}
		msg := append(c.frag[:0], b[hn:]...)
		if h.Masked {
			ws.MaskBytes(h.Mask, 0, msg)
		}
		c.br.Discard(len(b))
		c.frag = msg[:0]
		return c.routingID(msg)
	}
	b, err = c.peek(hn+1, noWait)
	if err != nil {
		return err
	}
	flags := b[hn]
	if h.Masked {
		flags ^= h.Mask[0]
	}
	if c.holding.Load() {
		// The server's first message: a command under ZWS2.0/NULL, a
		// routing id under bare ZWS2.0.
		bare := flags&wsFlagCommand == 0
		if err := c.release(bare); err != nil {
			return err
		}
		if bare {
			return c.next(noWait)
		}
	}
	c.br.Discard(hn + 1)
	c.masked, c.mask, c.mpos = h.Masked, h.Mask, 1
	c.left = h.Length - 1
	c.pend = AppendFrameHeader(c.store[:0], zmtpFlags(flags), int(c.left))
	return nil
}

// zmtpFlags returns the ZMTP flags of a ZWS flags byte.
func zmtpFlags(b byte) Flags {
	var f Flags
	if b&wsFlagMore != 0 {
		f |= FlagMore
	}
	if b&wsFlagCommand != 0 {
		f |= FlagCommand
	}
	return f
}

// readFragment reads the payload of the current fragment into c.frag.
func (c *wsConn) readFragment(noWait bool) error {
	n := len(c.frag)
	// The buffer grows with what arrives, not with what the peer
	// announced.
	k := int(min(c.fragLft, wsChunk))
	if noWait {
		if k = min(k, c.br.Buffered()); k == 0 {
			return errNoWait
		}
	}
	c.frag = grow(c.frag, k)[:n]
	m, err := c.br.Read(c.frag[n : n+k])
	if c.masked {
		c.mpos = ws.MaskBytes(c.mask, c.mpos, c.frag[n:n+m])
	}
	c.frag = c.frag[:n+m]
	c.fragLft -= int64(m)
	if err != nil {
		return eofMidFrame(err)
	}
	if c.fragLft == 0 {
		return c.fragmentDone()
	}
	return nil
}

// fragmentDone ends a fragment; after the last, it delivers the message.
func (c *wsConn) fragmentDone() error {
	if !c.fragFin {
		return nil
	}
	msg := c.frag
	c.fragOn, c.frag = false, c.frag[:0]
	if cap(c.frag) > wsChunk {
		c.frag = nil
	}
	if len(msg) == 0 {
		return c.fail(&ws.ProtocolError{Code: ws.CloseProtocolError, Reason: "binary message without the ZWS flags byte"})
	}
	if c.bare && !c.gotID {
		if len(msg) > 256 {
			return c.fail(protoErr("routing id", malformed("longer than 255 bytes")))
		}
		return c.routingID(msg)
	}
	c.store = AppendFrame(c.store[:0], zmtpFlags(msg[0]), msg[1:])
	c.pend = c.store
	return nil
}

// routingID turns the bare peer's first message, its routing id, into
// the READY it would have sent.
func (c *wsConn) routingID(msg []byte) error {
	c.gotID = true
	md := Metadata{{Name: PropSocketType, Value: []byte(c.peerType.String())}}
	if id := msg[1:]; len(id) > 0 {
		md = append(md, Property{Name: PropIdentity, Value: id})
	}
	c.store = AppendReady(c.store[:0], md)
	c.pend = c.store
	return nil
}

// control handles a control frame's payload.
func (c *wsConn) control(op ws.Opcode, payload []byte) error {
	switch op {
	case ws.OpPing:
		c.queueControl(ws.OpPong, payload)
		return nil
	case ws.OpPong:
		for {
			n := c.pings.Load()
			if n <= 0 {
				return nil // unsolicited: a heartbeat of its own
			}
			if c.pings.CompareAndSwap(n, n-1) {
				break
			}
		}
		c.store = AppendPong(c.store[:0], payload)
		c.pend = c.store
		return nil
	}
	ce, err := ws.ParseClose(payload)
	if err != nil {
		return c.fail(err)
	}
	code := ce.Code
	if code == ws.CloseNoStatus {
		code = ws.CloseNormal
	}
	c.queueClose(code)
	c.rerr = io.EOF
	return io.EOF
}

// fail ends reading with err, a *ws.ProtocolError (whose code the close
// frame sent carries) or a ZMTP one.
func (c *wsConn) fail(err error) error {
	code := ws.CloseProtocolError
	var pe *ws.ProtocolError
	if errors.As(err, &pe) {
		code = pe.Code
		err = protoErr("websocket", err)
	}
	c.queueClose(code)
	c.rerr = err
	return err
}

// queueClose has a close frame with code sent.
func (c *wsConn) queueClose(code int) {
	var p [2]byte
	binary.BigEndian.PutUint16(p[:], uint16(code))
	c.queueControl(ws.OpClose, p[:])
}

// queueControl has a control frame sent as soon as no write is under
// way: the read side must not wait for a write, which may be waiting for
// the peer to read, while the peer waits for us to read.
func (c *wsConn) queueControl(op ws.Opcode, payload []byte) {
	c.ctlMu.Lock()
	c.ctlQ = append(c.ctlQ, byte(op), byte(len(payload)))
	c.ctlQ = append(c.ctlQ, payload...)
	c.queued.Store(true)
	c.ctlMu.Unlock()
	c.kick()
}

// kick sends the queued control frames unless a write is under way,
// which sends them when it ends.
func (c *wsConn) kick() {
	for c.queued.Load() && c.wmu.TryLock() {
		c.out = c.appendQueued(c.out[:0])
		if len(c.out) > 0 && c.werr == nil {
			c.Conn.SetWriteDeadline(time.Now().Add(wsCloseTimeout))
			_, c.werr = c.Conn.Write(c.out)
			c.Conn.SetWriteDeadline(time.Time{})
		}
		c.out = c.out[:0]
		c.wmu.Unlock()
	}
}

// appendQueued appends the queued control frames to b; wmu is held.
func (c *wsConn) appendQueued(b []byte) []byte {
	c.ctlMu.Lock()
	defer c.ctlMu.Unlock()
	c.queued.Store(false)
	q := c.ctlQ
	for len(q) >= 2 {
		op, n := ws.Opcode(q[0]), int(q[1])
		if !c.wend {
			b = c.appendWS(b, op, q[2:2+n])
			c.wend = op == ws.OpClose
		}
		q = q[2+n:]
	}
	c.ctlQ = c.ctlQ[:0]
	return b
}

// appendWS appends a whole WebSocket frame, masked from a client.
func (c *wsConn) appendWS(b []byte, op ws.Opcode, payload []byte) []byte {
	h := ws.Header{Fin: true, Op: op, Length: int64(len(payload)), Masked: c.client}
	if c.client {
		binary.LittleEndian.PutUint32(h.Mask[:], uint32(c.rng.Uint64()))
	}
	b = ws.AppendHeader(b, h)
	n := len(b)
	b = append(b, payload...)
	if c.client {
		ws.MaskBytes(h.Mask, 0, b[n:])
	}
	return b
}

// startWS appends the header of a binary message with flags byte f and a
// body of size bytes, which follows through appendBody.
func (c *wsConn) startWS(b []byte, f Flags, size int64) []byte {
	var zf byte
	if f.Has(FlagMore) {
		zf |= wsFlagMore
	}
	if f.Has(FlagCommand) {
		zf |= wsFlagCommand
	}
	h := ws.Header{Fin: true, Op: ws.OpBinary, Length: size + 1, Masked: c.client}
	if c.client {
		binary.LittleEndian.PutUint32(h.Mask[:], uint32(c.rng.Uint64()))
		zf ^= h.Mask[0]
	}
	c.wmask, c.wmpos = h.Mask, 1
	return append(ws.AppendHeader(b, h), zf)
}

// appendBody appends body bytes of the message startWS began.
func (c *wsConn) appendBody(b, body []byte) []byte {
	n := len(b)
	b = append(b, body...)
	if c.client {
		c.wmpos = ws.MaskBytes(c.wmask, c.wmpos, b[n:])
	}
	return b
}

// Write takes ZMTP bytes, our greeting and then frames, and sends the
// frames as ZWS messages, those of one call together.
func (c *wsConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	n, err := c.write(b)
	c.wmu.Unlock()
	c.kick()
	return n, err
}

func (c *wsConn) write(b []byte) (int, error) {
	if c.werr != nil {
		return 0, c.werr
	}
	total := len(b)
	out := c.appendQueued(c.out[:0])
	if c.wend {
		// Our close frame went or goes now: nothing may follow it.
		if len(out) > 0 {
			c.Conn.Write(out)
		}
		c.out = out[:0]
		c.werr = net.ErrClosed
		return 0, c.werr
	}
	flush := func() error {
		if len(out) == 0 {
			return nil
		}
		_, err := c.Conn.Write(out)
		out = out[:0]
		return err
	}
	for len(b) > 0 {
		if len(out) >= wsChunk {
			if c.werr = flush(); c.werr != nil {
				return 0, c.werr
			}
		}
		switch {
		case c.skip > 0:
			k := min(c.skip, len(b))
			c.skip -= k
			b = b[k:]
		case c.wleft > 0:
			k := int(min(c.wleft, int64(len(b)), int64(wsChunk)))
			if !c.wdrop {
				out = c.appendBody(out, b[:k])
			}
			c.wleft -= int64(k)
			b = b[k:]
		case c.cmdOn:
			k := min(c.cmdSz-len(c.cmd), len(b))
			c.cmd = append(c.cmd, b[:k]...)
			b = b[k:]
			if len(c.cmd) == c.cmdSz {
				c.cmdOn = false
				out = c.command(out, c.cmd)
			}
		default:
			k := copy(c.hdr[c.hn:], b)
			flags, size, hn, err := ParseFrameHeader(c.hdr[:c.hn+k])
			if err != nil {
				c.werr = err
				return 0, err
			}
			if hn == 0 {
				c.hn += k
				b = b[k:]
				continue
			}
			b = b[hn-c.hn:]
			c.hn = 0
			out = c.frame(out, flags, int64(size))
		}
	}
	if c.werr = flush(); c.werr != nil {
		return 0, c.werr
	}
	if cap(out) > 2*wsChunk {
		out = nil
	}
	c.out = out[:0]
	return total, nil
}

// frame starts passing on a ZMTP frame of size bytes with flags.
func (c *wsConn) frame(out []byte, flags Flags, size int64) []byte {
	command := flags.Has(FlagCommand)
	gather := c.bare && !c.sent || c.holding.Load() && c.held == nil
	if command && (size <= int64(pingBodyMax) || gather && size <= int64(DefaultMaxCommandSize)) {
		c.cmdOn, c.cmdFl, c.cmdSz, c.cmd = true, flags, int(size), c.cmd[:0]
		if size == 0 {
			c.cmdOn = false
			return c.command(out, c.cmd)
		}
		return out
	}
	c.wleft, c.wdrop = size, command && c.bare
	if c.wdrop {
		return out
	}
	return c.startWS(out, flags, size)
}

// command passes on a small command frame: a PING as a WebSocket ping,
// under the bare subprotocol our READY as our routing id and nothing
// else, others as they are.
func (c *wsConn) command(out, body []byte) []byte {
	cmd, err := ParseCommand(body)
	if err == nil && cmd.Name == CmdPing {
		if _, ctx, err := ParsePing(cmd.Data); err == nil {
			c.pings.Add(1)
			return c.appendWS(out, ws.OpPing, ctx)
		}
	}
	if c.holding.Load() && c.held == nil && err == nil && cmd.Name == CmdReady {
		c.held = append([]byte(nil), body...)
		return out
	}
	if c.bare {
		if c.sent || err != nil || cmd.Name != CmdReady {
			return out
		}
		c.sent = true
		var id []byte
		if md, err := ParseMetadata(cmd.Data, DefaultMaxProperties); err == nil {
			id, _ = md.Get(PropIdentity)
		}
		out = c.startWS(out, 0, int64(len(id)))
		return c.appendBody(out, id)
	}
	out = c.startWS(out, c.cmdFl, int64(len(body)))
	return c.appendBody(out, body)
}

// Close sends a close frame, unless a write is under way or one went,
// and closes the connection.
func (c *wsConn) Close() error {
	if c.wmu.TryLock() {
		if !c.wend && c.werr == nil {
			c.wend = true
			var p [2]byte
			binary.BigEndian.PutUint16(p[:], ws.CloseNormal)
			c.out = c.appendWS(c.out[:0], ws.OpClose, p[:])
			c.Conn.SetWriteDeadline(time.Now().Add(wsCloseTimeout))
			c.Conn.Write(c.out)
		}
		c.wmu.Unlock()
	}
	return c.Conn.Close()
}

// grow extends b by n bytes, reallocating, to at least twice its
// capacity, when it is short.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), max(len(b)+n, 2*cap(b)))
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}
