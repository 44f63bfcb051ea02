package xbahn

import (
	"crypto/rand"
	"sync"
	"sync/atomic"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Message is an xbahn message. Its wire.Message is what travels; the rest
// is known only locally: callbacks for its response, and, for a received
// message, the connection it came from, so that it can be answered.
type Message struct {
	wire.Message

	callbacks *callbacks // set by OnResponse

	// The data, args and kwargs left encoded for a handler of
	// Link.OnPathEncoded, and their decoding by Expand.
	body         *wire.Body
	expand       sync.Once
	expandErr    error
	keepResponse bool // see KeepResponseEncoded

	from delivery // conn is nil for a message made locally
}

// delivery records where a received message came from.
type delivery struct {
	conn      *Conn
	enc       wire.Encoding // a response uses the request's encoding
	route     [][]byte      // ROUTER: the envelope to answer with
	peer      *zmtp.Peer
	responded atomic.Bool
	deferred  atomic.Bool // a handler will answer later (Defer)
	rx        *receiver   // the receive loop dispatching the message, if any
}

// NewMessage returns a message with the given data and positional
// arguments, as the original's Message(data, *args).
func NewMessage(data any, args ...any) *Message {
	m := &Message{}
	m.Data, m.Args = data, args
	return m
}

// callbacks holds the functions OnResponse registered.
type callbacks struct {
	mu sync.Mutex
	fs []func(resp *Message)
}

// OnResponse registers f to run when the response to m arrives, after the
// handlers of the link and the wire. It must be called before m is sent,
// and not concurrently with Send.
func (m *Message) OnResponse(f func(resp *Message)) {
	if m.callbacks == nil {
		m.callbacks = &callbacks{}
	}
	m.callbacks.mu.Lock()
	m.callbacks.fs = append(m.callbacks.fs, f)
	m.callbacks.mu.Unlock()
}

func (m *Message) responseCallbacks() []func(*Message) {
	if m.callbacks == nil {
		return nil
	}
	m.callbacks.mu.Lock()
	defer m.callbacks.mu.Unlock()
	return m.callbacks.fs
}

// Peer returns the peer a received message came from, or nil.
func (m *Message) Peer() *zmtp.Peer { return m.from.peer }

// Defer tells the connection that m, a received request, will be answered
// later, from another goroutine: a REP connection then sends no automatic
// reply when its handlers return. The answer must come, with Respond.
func (m *Message) Defer() { m.from.deferred.Store(true) }

// Handoff lets the handler of m, a request being dispatched by its
// connection's receive loop, keep the goroutine it runs on for as long as
// it takes, answering m itself: when another message comes while the
// handler runs, the connection receives it on another goroutine, so that
// it is handled meanwhile. m is deferred (see Defer). Handoff reports
// false, and changes nothing, where m was not dispatched by a receive
// loop, Handoff was called already, or the connection is closing.
func (m *Message) Handoff() bool {
	r := m.from.rx
	if r == nil || r.c.ctx.Err() != nil || !r.arm() {
		return false
	}
	m.Defer()
	return true
}

// Received reports whether m came from a connection rather than being made
// locally.
func (m *Message) Received() bool { return m.from.conn != nil }

// answer makes m the response to req, a received message, unless req has
// been answered already: m's response id becomes req's id and its path
// "xbahn.response.<id>". It reports whether m is the response.
func (m *Message) answer(req *Message) bool {
	if !req.from.responded.CompareAndSwap(false, true) {
		return false
	}
	m.ResponseID = req.ID
	m.Path = "xbahn.response." + req.ID
	return true
}

// NewID returns a random version 4 UUID, the form of the original's
// message ids, which rpc also uses for client ids.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(s[:])
}
