package zmtp

import (
	"context"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// writer is the send side of a pipe. A Send encodes its frames into buf and,
// when no write is in progress, writes them to the connection at once on
// its own goroutine without blocking. Bytes the kernel does not take at
// once are written by a goroutine of the pipe, and frames sent meanwhile
// join the next write, so that many small messages leave in few system
// calls. Where several goroutines send on one pipe, as the callers of an
// RPC client or the handlers of a server do, the sender first yields the
// processor once, so that those ready to run add their messages to the
// same write.
type writer struct {
	p *pipe

	mu       sync.Mutex
	conn     net.Conn // nil while detached
	peer     *pipe    // the other end, for a pipe within the process
	raw      syscall.RawConn
	sess     Session
	buf      []byte // encoded frames not yet handed to a write
	spare    []byte // the other buffer, recycled between writes
	pending  []byte // unsealed frames sent while detached (persistent pipes)
	npending int    // messages in pending
	queued   int    // messages in buf
	inflight int    // messages in the write under way
	flushing bool   // a goroutine is writing
	rest     []byte // what a direct write left for the writer goroutine
	restBuf  []byte // the buffer rest is part of
	last     time.Time
	// Yielding before a direct write: writes to make without, and
	// how many the last yield that gained nothing set.
	yieldSkip, yieldMiss int
	wake                 chan struct{}
	removed              bool
	gen                  uint64          // connections attached so far
	down                 <-chan struct{} // closed when connection gen ends
	next                 chan struct{}   // down of connection gen+1, once asked for
	space                chan struct{}   // closed when the queue shrinks; nil if nobody waits

	// The non-blocking write under way, owned by the flushing goroutine.
	wb      []byte
	wn      int
	werr    error
	writeFn func(fd uintptr) bool
}

// generation returns the number of the current or last connection, and
// whether it is up.
func (w *writer) generation() (uint64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gen, w.conn != nil || w.peer != nil
}

// send queues one message, head frames then body frames, and starts writing
// it. With block set it waits while the queue is at the high-water mark;
// otherwise it returns ErrAgain. It returns errDetached when the pipe has no
// connection and cannot hold messages for a later one.
func (w *writer) send(ctx context.Context, head, body [][]byte, block, owned bool) error {
	_, err := w.sendGen(ctx, head, body, block, owned)
	return err
}

// sendGen is send that also returns the number of the connection that will
// carry the message.
func (w *writer) sendGen(ctx context.Context, head, body [][]byte, block, owned bool) (uint64, error) {
	hwm := w.p.s.opts.SendHWM
	w.mu.Lock()
	for !w.removed && w.queued+w.inflight+w.npending >= hwm {
		if !block {
			w.mu.Unlock()
			return 0, ErrAgain
		}
		if w.space == nil {
			w.space = make(chan struct{})
		}
		ch := w.space
		w.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		w.mu.Lock()
	}
	switch {
	case w.removed:
		w.mu.Unlock()
		return 0, errDetached
	case w.peer != nil:
		peer, gen := w.peer, w.gen
		w.mu.Unlock()
		return gen, w.p.s.handOver(ctx, w.p, peer, head, body, owned, block)
	case w.conn == nil:
		if !w.p.persistent {
			w.mu.Unlock()
			return 0, errDetached
		}
		w.pending = appendFrames(w.pending, nil, head, body)
		w.npending++
		gen := w.gen + 1
		w.mu.Unlock()
		return gen, nil
	}
	w.buf = appendFrames(w.buf, w.sess, head, body)
	w.queued++
	gen := w.gen
	w.flushLocked()
	return gen, nil
}

// appendFrames encodes head and body as one message, sealing each frame
// when sess is set.
func appendFrames(b []byte, sess Session, head, body [][]byte) []byte {
	n := len(head) + len(body)
	i := 0
	for _, part := range [2][][]byte{head, body} {
		for _, f := range part {
			i++
			var flags Flags
			if i < n {
				flags = FlagMore
			}
			if sess != nil {
				b = sess.Seal(b, flags, f)
			} else {
				b = AppendFrame(b, flags, f)
			}
		}
	}
	return b
}

// control queues a frame on conn, if it is still the connection, outside
// the high-water mark: commands, and subscriptions for ZMTP 3.0 peers.
//
// A reply such as a PONG is dropped instead when more than maxOwed bytes
// wait to be written: a peer that sends PINGs and never reads gets no more
// than that, as libzmq keeps at most one PONG pending.
func (w *writer) control(conn net.Conn, frame []byte, reply bool) {
	w.mu.Lock()
	if w.conn != conn || reply && len(w.buf) > maxOwed {
		w.mu.Unlock()
		return
	}
	if w.sess == nil {
		w.buf = append(w.buf, frame...)
	} else if flags, size, n, err := ParseFrameHeader(frame); err == nil && n > 0 && uint64(len(frame)-n) == size {
		w.buf = w.sess.Seal(w.buf, flags, frame[n:])
	}
	w.flushLocked()
}

// refuse writes an ERROR command with reason on conn, which is about to
// end because the peer broke the protocol, so that the peer learns why.
// It writes only at a message boundary, when no write is under way, and
// waits at most refuseTimeout for the kernel to take the command.
func (w *writer) refuse(conn net.Conn, reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != conn || w.flushing {
		return
	}
	frame := AppendError(nil, reason)
	if w.sess != nil {
		_, size, n, _ := ParseFrameHeader(frame)
		frame = w.sess.Seal(nil, FlagCommand, frame[n:n+int(size)])
	}
	conn.SetWriteDeadline(time.Now().Add(refuseTimeout))
	n, _ := conn.Write(frame)
	w.p.s.bytesOut.Add(uint64(n))
}

// refuseTimeout bounds the write of the ERROR that ends a connection.
const refuseTimeout = 100 * time.Millisecond

// batchWindow is how soon after a direct write a Send counts as part of a
// burst: its bytes are left to the pipe's writer goroutine, which sends
// them together with whatever else arrives meanwhile in one write, instead
// of costing a system call each.
const batchWindow = 5 * time.Microsecond

// flushLocked starts writing buf unless a write is under way. An isolated
// message is written at once on the calling goroutine, without blocking;
// bursts, and bytes the kernel does not take at once, go to the writer
// goroutine. It is called with mu held and returns with it released.
func (w *writer) flushLocked() {
	if w.flushing || w.conn == nil || len(w.buf) == 0 {
		w.mu.Unlock()
		return
	}
	w.flushing = true
	now := time.Now()
	if w.raw == nil || now.Sub(w.last) < batchWindow {
		w.mu.Unlock()
		w.signal()
		return
	}
	w.last = now
	conn, raw, gen := w.conn, w.raw, w.gen
	if w.yieldSkip > 0 {
		w.yieldSkip--
	} else {
		// Let goroutines that are ready to run first: those about to
		// send on this pipe, such as handlers replying to a batch of
		// requests or callers woken by a batch of replies, join this
		// write instead of each making their own.
		queued := w.queued
		w.mu.Unlock()
		runtime.Gosched()
		w.mu.Lock()
		if w.gen != gen {
			w.mu.Unlock()
			return
		}
		w.yielded(w.queued > queued)
	}
	// What other goroutines queue during a write goes out with the next
	// one, written by this goroutine too, a few times at most.
	for range maxCombined {
		b := w.take()
		w.mu.Unlock()

		n, err := w.tryWrite(raw, b)
		w.mu.Lock()
		if w.gen != gen {
			// The connection was replaced meanwhile; detach reset
			// the rest.
			w.mu.Unlock()
			return
		}
		switch {
		case err != nil:
			w.wrote(b)
			w.flushing = false
			w.mu.Unlock()
			w.p.fail(conn, err)
			return
		case n < len(b):
			// The kernel's buffer is full: the writer goroutine
			// finishes.
			w.rest, w.restBuf = b[n:], b
			w.mu.Unlock()
			w.signal()
			return
		}
		w.wrote(b)
		if len(w.buf) == 0 {
			w.flushing = false
			w.mu.Unlock()
			return
		}
	}
	w.mu.Unlock()
	w.signal()
}

// maxYieldSkip bounds the direct writes made without yielding after
// yields that gained nothing.
const maxYieldSkip = 1024

// yielded adapts how often flushLocked yields before a direct write: every
// time while yielding lets other senders join the write, and ever more
// rarely, down to once per maxYieldSkip writes, while it does not, as for
// a lone sender. mu is held.
func (w *writer) yielded(joined bool) {
	if joined {
		w.yieldMiss = 0
		return
	}
	w.yieldMiss = min(max(1, 2*w.yieldMiss), maxYieldSkip)
	w.yieldSkip = w.yieldMiss
}

// maxCombined bounds the writes one sender makes for others before it
// leaves the rest to the writer goroutine.
const maxCombined = 4

// take moves buf out for writing; mu is held.
func (w *writer) take() []byte {
	b := w.buf
	w.buf, w.spare = w.spare[:0], nil
	w.inflight, w.queued = w.queued, 0
	return b
}

// signal wakes the writer goroutine.
func (w *writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// loop is the writer goroutine of conn. It writes, with blocking writes,
// whatever flushLocked hands it, until conn ends.
func (w *writer) loop(conn net.Conn, down <-chan struct{}) {
	for {
		select {
		case <-w.wake:
		case <-down:
			return
		}
		w.mu.Lock()
		for w.flushing && w.conn == conn {
			b, whole := w.rest, w.restBuf
			w.rest, w.restBuf = nil, nil
			if b == nil {
				if len(w.buf) == 0 {
					w.flushing = false
					break
				}
				whole = w.take()
				b = whole
			}
			w.mu.Unlock()
			n, err := conn.Write(b)
			w.p.s.bytesOut.Add(uint64(n))
			w.mu.Lock()
			if w.conn != conn {
				break
			}
			w.wrote(whole)
			if err != nil {
				w.flushing = false
				w.mu.Unlock()
				w.p.fail(conn, err)
				return
			}
		}
		w.mu.Unlock()
	}
}

// wrote records that the write of b ended; mu is held.
func (w *writer) wrote(b []byte) {
	w.spare = b[:0]
	if cap(b) > maxKeptBuffer {
		w.p.keptLarge()
	}
	w.inflight = 0
	if w.space != nil {
		close(w.space)
		w.space = nil
	}
}

// maxOwed bounds the bytes waiting to be written beyond which replies to
// the peer's commands are dropped.
const maxOwed = 64 << 10

// maxKeptBuffer bounds the buffers a pipe keeps for good, for writing or
// reading. Larger ones, grown for large messages, are kept while such
// messages follow each other, and let go once the pipe has used none for
// trimDelay (see pipe.keptLarge).
const maxKeptBuffer = 1 << 20

// trim lets go of the write buffers over maxKeptBuffer that hold nothing
// to write.
func (w *writer) trim() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if cap(w.spare) > maxKeptBuffer {
		w.spare = nil
	}
	if len(w.buf) == 0 && cap(w.buf) > maxKeptBuffer {
		w.buf = nil
	}
}

// tryWrite writes as much of b as the kernel takes without blocking. With
// no raw connection it writes nothing, leaving the job to a goroutine.
func (w *writer) tryWrite(raw syscall.RawConn, b []byte) (int, error) {
	if raw == nil || w.writeFn == nil {
		return 0, nil
	}
	w.wb, w.wn, w.werr = b, 0, nil
	err := raw.Write(w.writeFn)
	n := w.wn
	w.p.s.bytesOut.Add(uint64(n))
	if err == nil {
		err = w.werr
	}
	w.wb = nil
	return n, err
}

// attach makes conn the writer's connection and queues what waited for it.
func (w *writer) attach(conn net.Conn, sess Session, down <-chan struct{}) {
	w.mu.Lock()
	w.conn, w.sess, w.down = conn, sess, down
	w.gen++
	w.raw = rawConn(conn)
	if w.raw != nil && w.writeFn == nil {
		w.writeFn = w.rawWrite
	}
	if w.npending > 0 {
		if sess == nil {
			w.buf = append(w.buf, w.pending...)
		} else {
			w.buf = resealFrames(w.buf, sess, w.pending)
		}
		w.queued += w.npending
		w.pending, w.npending = w.pending[:0], 0
		if cap(w.pending) > maxKeptBuffer {
			w.pending = nil
		}
	}
	w.flushLocked()
}

// resealFrames seals every frame of the unsealed frames in src.
func resealFrames(b []byte, sess Session, src []byte) []byte {
	for len(src) > 0 {
		flags, size, n, err := ParseFrameHeader(src)
		if err != nil || n == 0 || uint64(len(src)-n) < size {
			return b
		}
		b = sess.Seal(b, flags, src[n:n+int(size)])
		src = src[n+int(size):]
	}
	return b
}

// lostSignal returns a channel closed when connection gen, which took a
// message, ends (for a message that waits for a connection: the next
// one); nil for a message that went to a peer in this process.
func (w *writer) lostSignal(gen uint64) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.peer != nil:
		return nil
	case gen > w.gen:
		// The message waits for the next connection.
		if w.next == nil {
			w.next = make(chan struct{})
		}
		return w.next
	case gen < w.gen || w.conn == nil:
		return closedChan
	}
	return w.down
}

// nextDown returns the channel to close when the connection about to be
// attached ends: the one lostSignal gave out already, if any.
func (w *writer) nextDown() chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	down := w.next
	w.next = nil
	if down == nil {
		down = make(chan struct{})
	}
	return down
}

// closedChan is a channel that is closed.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// flushed reports whether everything queued for the connection has been
// handed to the kernel; a writer without a connection has nothing to flush.
func (w *writer) flushed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn == nil || len(w.buf) == 0 && !w.flushing && w.rest == nil
}

// detach forgets conn and drops the bytes queued for it.
func (w *writer) detach(conn net.Conn) {
	w.mu.Lock()
	if w.conn == conn {
		w.conn, w.raw, w.sess = nil, nil, nil
		w.buf = w.buf[:0]
		w.queued, w.inflight = 0, 0
		w.flushing, w.rest, w.restBuf = false, nil, nil
		if w.space != nil {
			close(w.space)
			w.space = nil
		}
	}
	w.mu.Unlock()
}

// remove ends the writer for good, dropping what waits in it.
func (w *writer) remove() {
	w.mu.Lock()
	w.removed = true
	w.pending, w.npending = nil, 0
	w.buf, w.spare = nil, nil
	if w.space != nil {
		close(w.space)
		w.space = nil
	}
	w.mu.Unlock()
}
