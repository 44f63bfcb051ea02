package zmtp

import (
	"context"
	"errors"
	"net"
	"os"
	"time"
)

// Internal outcomes of a direct read that make the caller look again.
var (
	errInterrupted = errors.New("zmtp: read interrupted")
	errDetached    = errors.New("zmtp: pipe has no connection")
	errBusy        = errors.New("zmtp: another goroutine reads the pipe")
	errInboxFull   = errors.New("zmtp: inbox full")
	errWouldBlock  = errors.New("zmtp: no data without waiting")
)

// aLongTimeAgo is a read deadline that makes a blocked Read return at once.
var aLongTimeAgo = time.Unix(1, 0)

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// pump runs on the connection's own goroutine until conn ends. It reads
// whenever no caller does: at once after the handshake, after a caller
// kicks it, or once the connection has gone idleDelay without a reader.
func (p *pipe) pump(conn net.Conn) {
	for p.waitTurn(conn) {
		err := p.pumpRead(conn)
		if !p.endTurn(conn, err) {
			return
		}
	}
}

// waitTurn blocks until the pump holds the read role on conn, or conn ends.
func (p *pipe) waitTurn(conn net.Conn) bool {
	for {
		p.mu.Lock()
		if p.conn != conn {
			p.mu.Unlock()
			return false
		}
		n, hwm := int(p.inboxLen.Load()), p.s.opts.RecvHWM
		if p.role == roleFree && (n < hwm && !p.stalled.Load() || n <= hwm/2) {
			p.stalled.Store(false)
			p.role = rolePump
			p.prepareLocked()
			p.mu.Unlock()
			return true
		}
		down := p.down
		p.mu.Unlock()
		select {
		case <-p.kick:
		case <-p.idle.C:
			p.idleArmed.Store(false)
		case <-down:
			return false
		}
	}
}

// pumpRead reads messages into the inbox until the read fails, is
// interrupted, or the inbox is full.
func (p *pipe) pumpRead(conn net.Conn) error {
	for {
		if err := p.readMsg(conn, &p.cur); err != nil {
			return err
		}
		if p.s.deliver(p, &p.cur) {
			return errInboxFull
		}
	}
}

// endTurn gives up the pump's read role after pumpRead returned err. It
// reports whether the connection is still good.
func (p *pipe) endTurn(conn net.Conn, err error) bool {
	p.mu.Lock()
	if p.conn != conn {
		p.mu.Unlock()
		return false
	}
	switch {
	case err == errInboxFull:
		p.stalled.Store(true)
	case isTimeout(err) && p.intr:
		p.intr = false
	default:
		p.mu.Unlock()
		p.fail(conn, err)
		return false
	}
	if p.want {
		p.want = false
		p.role = roleCaller
		p.handback <- struct{}{}
	} else {
		p.role = roleFree
	}
	p.mu.Unlock()
	return true
}

// prepareLocked readies the pipe for the goroutine taking the read role:
// it clears a read deadline left by an earlier interrupt, unless an
// interrupt is still pending, and lets a large buffer go that trim asked
// for. p.mu is held.
func (p *pipe) prepareLocked() {
	p.trimCurLocked()
	if p.dlSet && !p.intr {
		p.conn.SetReadDeadline(time.Time{})
		p.dlSet = false
	}
}

// interruptEnded interrupts the caller that reads the pipe if its context
// has ended; it is what a watch runs.
func (p *pipe) interruptEnded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.role != roleCaller || p.readDone == nil {
		return
	}
	select {
	case <-p.readDone:
		p.interruptLocked()
	default:
	}
}

// interrupt makes the current reader of the pipe return from its Read.
func (p *pipe) interrupt() {
	p.mu.Lock()
	p.interruptLocked()
	p.mu.Unlock()
}

func (p *pipe) interruptLocked() {
	if p.conn == nil || p.intr {
		return
	}
	p.intr, p.dlSet = true, true
	p.conn.SetReadDeadline(aLongTimeAgo)
}

// wake asks the pump to read now rather than after idleDelay.
func (p *pipe) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// acquire gives the calling goroutine the read role, taking it from the
// pump if needed. With watch, the end of ctx interrupts the caller's reads
// (see watchLocked); without, the caller must not block in a read.
func (p *pipe) acquire(ctx context.Context, watch bool) (net.Conn, error) {
	p.mu.Lock()
	if p.conn == nil || !p.open {
		p.mu.Unlock()
		return nil, errDetached
	}
	switch p.role {
	case roleFree:
		p.role = roleCaller
		p.prepareLocked()
		p.readDone = nil
		if watch {
			p.watchLocked(ctx)
		}
		conn := p.conn
		p.mu.Unlock()
		return conn, nil
	case roleCaller:
		p.mu.Unlock()
		return nil, errBusy
	}
	p.want = true
	p.interruptLocked()
	p.mu.Unlock()
	select {
	case <-p.handback:
	case <-ctx.Done():
		p.mu.Lock()
		if p.want {
			p.want = false
			p.mu.Unlock()
			return nil, ctx.Err()
		}
		p.mu.Unlock()
		<-p.handback
		p.release(nil)
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.conn == nil {
		p.role = roleFree
		p.mu.Unlock()
		return nil, errDetached
	}
	p.prepareLocked()
	p.readDone = nil
	if watch {
		p.watchLocked(ctx)
	}
	conn := p.conn
	p.mu.Unlock()
	return conn, nil
}

// release gives up a caller's read role; the pump takes over within
// idleDelay if nobody reads.
func (p *pipe) release(conn net.Conn) {
	p.mu.Lock()
	var stop func() bool
	if p.role == roleCaller {
		p.role = roleFree
		p.readDone = nil
		if !p.watchKeep {
			stop = p.watchStop
			p.watchStop, p.watchDone = nil, nil
		}
	}
	p.mu.Unlock()
	if stop != nil {
		stop()
	}
	// Armed once per idle period, not reset by every release: resetting
	// a timer per message costs more than reading it.
	if !p.idleArmed.Swap(true) {
		p.idle.Reset(p.s.idleDelay)
	}
}

// drain reads and drops every whole message that the connection has
// already received, without waiting for more. A REQ socket calls it before
// it sends a request on the pipe, so that a reply the peer sent earlier,
// to an older request or to none, is never taken for the answer. The
// socket's filter drops what the pump reads meanwhile.
func (p *pipe) drain(ctx context.Context) {
	if p.memory.Load() {
		return
	}
	conn, err := p.acquire(ctx, false)
	if err != nil {
		return
	}
	if raw := p.raw; raw != nil {
		p.nb.raw = raw
		p.r.r = &p.nb
		for p.readMsg(conn, &p.cur) == nil {
			p.cur.reset()
		}
		p.r.r = conn
		p.nb.raw = nil
	}
	p.release(conn)
}

// watchLocked makes the end of ctx interrupt the read of the caller that
// just took the read role; when it fires, it interrupts only a caller
// whose own context has ended.
//
// A context used for one read, such as a call's, is watched for that read
// only: release drops the watch, so that the context's end, after the
// call, costs nothing. A context that comes back for the next read, such
// as a receive loop's, keeps its watch from then on, so that the loop
// allocates nothing. p.mu is held.
func (p *pipe) watchLocked(ctx context.Context) {
	done := ctx.Done()
	p.readDone = done
	if done == nil || done == p.watchDone {
		return
	}
	if p.watchStop != nil {
		p.watchStop()
	}
	p.watchKeep = done == p.lastDone
	p.watchDone, p.lastDone = done, done
	p.watchStop = context.AfterFunc(ctx, p.interruptFn)
}

// unwatch drops the watch of the last context.
func (p *pipe) unwatch() {
	p.mu.Lock()
	stop := p.watchStop
	p.watchStop, p.watchDone, p.lastDone = nil, nil, nil
	p.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// recvDirect reads the pipe's next message into m on the calling
// goroutine. It returns errInterrupted when something else asked the
// caller to look again, errDetached or errBusy when it cannot read, and a
// *lostError when the connection failed.
func (p *pipe) recvDirect(ctx context.Context, m *Msg) error {
	conn, err := p.acquire(ctx, true)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		// The context ended before this call: its watch fired for an
		// earlier one, and no interrupt will come.
		p.release(conn)
		return err
	}
	if p.s.queued.Load() > 0 {
		// A pump queued messages, maybe while this caller waited for
		// the read role: they come first.
		p.release(conn)
		return errInterrupted
	}
	err = p.readMsg(conn, &p.cur)
	if err == nil {
		m.swap(&p.cur)
		p.cur.reset()
		p.release(conn)
		return nil
	}
	p.mu.Lock()
	if isTimeout(err) && p.intr && p.conn == conn {
		p.intr = false
		p.mu.Unlock()
		p.release(conn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errInterrupted
	}
	p.mu.Unlock()
	p.fail(conn, err)
	p.release(conn)
	return &lostError{err}
}

// readMsg reads frames into m until a whole message is in, handling the
// commands that arrive on the way. It resumes a message that an earlier
// call left unfinished.
func (p *pipe) readMsg(conn net.Conn, m *Msg) error {
	maxMsg := uint64(p.s.opts.MaxMsgSize)
	for {
		start := m.frameStart()
		limit := maxMsg - uint64(start)
		if p.info.session != nil {
			// The limit is on what the frame carries, not on its
			// sealed form.
			limit += maxSealOverhead
		}
		flags, buf, err := p.r.ReadFrame(m.buf, limit)
		m.buf = buf
		if err != nil {
			return err
		}
		p.rcount.Add(1)
		if sess := p.info.session; sess != nil {
			p.sbuf = append(p.sbuf[:0], m.buf[start:]...)
			flags, m.buf, err = sess.Open(m.buf[:start], flags, p.sbuf)
			if cap(p.sbuf) > maxKeptBuffer {
				p.sbuf = nil // let one large frame's buffer go
			}
			if err != nil {
				return err
			}
			if uint64(len(m.buf)) > maxMsg {
				return protoErr("message", &sizeError{"message", uint64(len(m.buf)), maxMsg})
			}
		}
		if flags.Has(FlagCommand) {
			body := m.buf[start:]
			m.buf = m.buf[:start]
			if err := p.command(conn, body); err != nil {
				return err
			}
			continue
		}
		m.ends = append(m.ends, len(m.buf))
		if len(m.ends) > p.s.opts.MaxFrames {
			return protoErr("message", &sizeError{"frame count", uint64(len(m.ends)), uint64(p.s.opts.MaxFrames)})
		}
		if !flags.Has(FlagMore) {
			m.finish()
			if cap(m.buf) > maxKeptBuffer {
				p.keptLarge()
			}
			return nil
		}
	}
}

// command handles a command frame received after the handshake. Commands
// the pipe does not know are ignored, as libzmq does.
func (p *pipe) command(conn net.Conn, body []byte) error {
	if limit := p.s.opts.MaxCommandSize; len(body) > limit {
		return protoErr("command", &sizeError{"command", uint64(len(body)), uint64(limit)})
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		return err
	}
	switch cmd.Name {
	case CmdPing:
		ttl, context, err := ParsePing(cmd.Data)
		if err != nil {
			return err
		}
		if len(context) > MaxPingContext {
			return protoErr(CmdPing, &sizeError{"PING context", uint64(len(context)), MaxPingContext})
		}
		p.hb.peerTTL(p, conn, ttl)
		p.cbuf = AppendPong(p.cbuf[:0], context)
		p.w.control(conn, p.cbuf, true)
	case CmdError:
		reason, err := ParseError(cmd.Data)
		if err != nil {
			return err
		}
		return &PeerError{Reason: reason}
	case CmdSubscribe, CmdCancel:
		p.s.pat.command(p, cmd)
	}
	return nil
}

// lostError reports that a connection failed during a receive; errors.Is
// finds both ErrNoPeer and the cause in it.
type lostError struct{ err error }

func (e *lostError) Error() string {
	if e.err == ErrNoPeer {
		return ErrNoPeer.Error()
	}
	return ErrNoPeer.Error() + ": " + trimPrefix(e.err.Error())
}
func (e *lostError) Unwrap() []error { return []error{ErrNoPeer, e.err} }
