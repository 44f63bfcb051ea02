package zmtp

// msgRing is a FIFO of messages that recycles their storage: a message
// moves in and out by swapping, so a steady flow allocates nothing.
type msgRing struct {
	buf     []Msg
	head, n int
	free    []Msg // emptied messages whose buffers wait for reuse
}

const maxFreeMsgs = 8

func (q *msgRing) len() int { return q.n }

// push moves the contents of m to the back of the queue and leaves m empty,
// with recycled storage when there is some.
func (q *msgRing) push(m *Msg) {
	if q.n == len(q.buf) {
		q.grow()
	}
	slot := &q.buf[(q.head+q.n)%len(q.buf)]
	slot.swap(m)
	q.n++
	m.reset()
	if len(m.buf) == 0 && cap(m.buf) == 0 && len(q.free) > 0 {
		*m = q.free[len(q.free)-1]
		q.free[len(q.free)-1] = Msg{}
		q.free = q.free[:len(q.free)-1]
	}
}

// pop moves the front message into m and keeps m's old storage for reuse.
func (q *msgRing) pop(m *Msg) bool {
	if q.n == 0 {
		return false
	}
	slot := &q.buf[q.head]
	m.swap(slot)
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if cap(slot.buf) > 0 && len(q.free) < maxFreeMsgs {
		slot.reset()
		q.free = append(q.free, *slot)
	}
	*slot = Msg{}
	return true
}

func (q *msgRing) grow() {
	nb := make([]Msg, max(4, 2*len(q.buf)))
	for i := 0; i < q.n; i++ {
		nb[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = nb, 0
}

// clear drops every queued message.
func (q *msgRing) clear() {
	for q.n > 0 {
		q.buf[q.head] = Msg{}
		q.head = (q.head + 1) % len(q.buf)
		q.n--
	}
}
