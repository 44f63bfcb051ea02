package zmtp

import "time"

// trimDelay is how long a pipe keeps buffers over maxKeptBuffer that no
// message has used before it lets them go.
const trimDelay = 100 * time.Millisecond

// keptLarge records that the pipe used a buffer over maxKeptBuffer, for
// a message read or written, and makes sure trim runs while it may keep
// one: a flow of large messages reuses its buffers, and an idle pipe
// holds none.
func (p *pipe) keptLarge() {
	p.largeUsed.Store(true)
	if !p.trimArmed.Swap(true) {
		p.trimmer.Reset(trimDelay)
	}
}

// trim lets go of the pipe's buffers over maxKeptBuffer, unless one was
// used since the last look: then it looks again after trimDelay.
func (p *pipe) trim() {
	if p.dead.Load() {
		return
	}
	if p.largeUsed.Swap(false) {
		p.trimmer.Reset(trimDelay)
		return
	}
	p.trimArmed.Store(false)
	p.w.trim()
	p.mu.Lock()
	// The buffer that the next message is read into belongs to whoever
	// reads: a reader, maybe waiting for that message, is interrupted,
	// to find the request when it takes the read role again (see
	// prepareLocked).
	p.trimCur = true
	if p.role == roleFree {
		p.trimCurLocked()
	} else {
		p.interruptLocked()
	}
	p.mu.Unlock()
	p.s.mu.Lock()
	p.inbox.trim()
	p.s.mu.Unlock()
	if p.largeUsed.Load() && !p.trimArmed.Swap(true) {
		// Used again meanwhile: look again later.
		p.trimmer.Reset(trimDelay)
	}
}

// trimCurLocked lets the buffer of the message being read go, if trim
// asked for it and no message is half read; p.mu is held, and nobody
// reads.
func (p *pipe) trimCurLocked() {
	if !p.trimCur {
		return
	}
	p.trimCur = false
	if len(p.cur.buf) == 0 && cap(p.cur.buf) > maxKeptBuffer {
		p.cur = Msg{}
	}
}
