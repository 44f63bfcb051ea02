package zmtp

import (
	"net"
	"strconv"
)

// Msg is a multipart message whose storage is reused from one receive to
// the next: Socket.RecvMsg fills it without allocating once its buffers have
// grown to the sizes of the traffic.
//
// The frames of a Msg filled by RecvMsg stay valid until the next RecvMsg
// into the same Msg.
type Msg struct {
	Frames [][]byte

	// Peer is the peer a received message came from. It is shared by
	// every message of the same connection and must not be modified.
	Peer *Peer

	buf    []byte   // backing store of Frames
	ends   []int    // end offset in buf of each frame
	frames [][]byte // every frame; Frames may be a suffix of it

	until <-chan struct{} // ends the receive under way; see RecvMsgUntil
}

// reset empties m, keeping its storage.
func (m *Msg) reset() {
	m.buf = m.buf[:0]
	m.ends = m.ends[:0]
	m.frames = m.frames[:0]
	m.Frames = m.frames
}

// frameStart returns the offset where the next frame begins.
func (m *Msg) frameStart() int {
	if len(m.ends) == 0 {
		return 0
	}
	return m.ends[len(m.ends)-1]
}

// finish sets Frames from the frame boundaries, once the last frame is in.
func (m *Msg) finish() {
	m.frames = m.frames[:0]
	start := 0
	for _, end := range m.ends {
		m.frames = append(m.frames, m.buf[start:end:end])
		start = end
	}
	m.Frames = m.frames
}

// trim drops the first n frames from Frames.
func (m *Msg) trim(n int) { m.Frames = m.Frames[n:] }

// prepend makes Frames start with f, which m does not own.
func (m *Msg) prepend(f []byte) {
	m.frames = append(m.frames, nil)
	copy(m.frames[1:], m.frames)
	m.frames[0] = f
	m.Frames = m.frames
}

// Peer describes the other end of a connection, as its handshake made it
// known.
type Peer struct {
	// Addr is the peer's network address; for inproc, the endpoint.
	Addr net.Addr
	// Type is the peer's socket type; zero for a ZMTP 1.0 peer, which
	// does not say.
	Type Type
	// Version is the major ZMTP version the connection speaks: 3, or 2
	// or 1 for an older peer (see Options.NoDowngrade).
	Version int
	// Identity is the Identity the peer announced, or nil.
	Identity []byte
	// Metadata holds the properties of the peer's READY, and a User-Id
	// when the security mechanism authenticated the peer. A peer in this
	// process (inproc) sends no READY; Metadata then holds what it would
	// have sent: Socket-Type, Identity and its Options.Properties.
	Metadata Metadata
}

// swap exchanges the contents of m and o.
func (m *Msg) swap(o *Msg) {
	m.Frames, o.Frames = o.Frames, m.Frames
	m.Peer, o.Peer = o.Peer, m.Peer
	m.buf, o.buf = o.buf, m.buf
	m.ends, o.ends = o.ends, m.ends
	m.frames, o.frames = o.frames, m.frames
}

// fill makes m, which is empty, the message of head then body frames. With
// owned set m takes the frames themselves; otherwise it copies them.
func (m *Msg) fill(head, body [][]byte, owned bool) {
	if owned {
		m.frames = append(append(m.frames, head...), body...)
		m.Frames = m.frames
		return
	}
	for _, part := range [2][][]byte{head, body} {
		for _, f := range part {
			m.buf = append(m.buf, f...)
			m.ends = append(m.ends, len(m.buf))
		}
	}
	m.finish()
}

// String describes the peer: its type, version, identity and address.
func (p *Peer) String() string {
	s := p.Type.String() + " ZMTP " + strconv.Itoa(p.Version)
	if len(p.Identity) > 0 {
		s += " " + strconv.QuoteToASCII(string(p.Identity))
	}
	if p.Addr != nil {
		s += " at " + p.Addr.String()
	}
	return s
}
