package zmtp

// msgRing is a FIFO of messages that recycles their storage: a message
// moves in and out by swapping with a slot, and the storage a slot gets
// back goes to the next message pushed into it, so a steady flow allocates
// nothing. The ring's length is a power of two.
type msgRing struct {
	buf     []Msg
	head, n int
}

func (q *msgRing) len() int { return q.n }

// push moves the contents of m to the back of the queue and leaves m empty,
// with recycled storage when the slot had some.
func (q *msgRing) push(m *Msg) {
	q.back().swap(m)
	q.n++
	m.reset()
}

// back returns the empty slot behind the last message, with the storage it
// recycles. A message filled in there joins the queue with commit.
func (q *msgRing) back() *Msg {
	if q.n == len(q.buf) {
		q.grow()
	}
	return &q.buf[(q.head+q.n)&(len(q.buf)-1)]
}

// commit adds the message filled in at back to the queue.
func (q *msgRing) commit() { q.n++ }

// pop moves the front message into m; m's old storage stays in the slot for
// a later push.
func (q *msgRing) pop(m *Msg) bool {
	if q.n == 0 {
		return false
	}
	slot := &q.buf[q.head]
	m.swap(slot)
	slot.reset()
	q.n--
	if q.n == 0 {
		// The slot is the next one pushed into, so that its storage,
		// large or not, takes the next message: a flow of large
		// messages one at a time reuses it.
		return true
	}
	if cap(slot.buf) > maxKeptBuffer {
		*slot = Msg{} // a backlog's large buffers are let go
	}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	return true
}

// large reports whether the slot the next push takes holds a buffer over
// maxKeptBuffer.
func (q *msgRing) large() bool {
	return len(q.buf) > 0 && cap(q.buf[(q.head+q.n)&(len(q.buf)-1)].buf) > maxKeptBuffer
}

// trim lets go of the buffers over maxKeptBuffer that no queued message
// uses.
func (q *msgRing) trim() {
	for i := q.n; i < len(q.buf); i++ {
		if slot := &q.buf[(q.head+i)&(len(q.buf)-1)]; cap(slot.buf) > maxKeptBuffer {
			*slot = Msg{}
		}
	}
}

func (q *msgRing) grow() {
	nb := make([]Msg, max(4, 2*len(q.buf)))
	for i := range q.buf {
		nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = nb, 0
}

// release drops the ring's storage with its messages, for a pipe that is
// gone: what they held must not stay with it.
func (q *msgRing) release() { *q = msgRing{} }

// clear drops every queued message.
func (q *msgRing) clear() {
	for ; q.n > 0; q.n-- {
		q.buf[q.head].reset()
		q.head = (q.head + 1) & (len(q.buf) - 1)
	}
}
