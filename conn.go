package xbahn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Options configures a connection. The zero value negotiates the
// encoding over a socket with zmtp's default options.
type Options struct {
	// Encoding forces the encoding of every message the connection
	// sends: wire.JSON, the original Python xbahn's, or wire.Binary. The
	// zero value negotiates (see the package documentation): binary to
	// peers that announced they read it, JSON to all others. A URL with
	// an encoding query forces it too. Received messages may come in
	// either encoding.
	Encoding wire.Encoding
	// Hub is the namespace of inproc connections; connections that share
	// a Hub reach each other's inproc URLs.
	Hub *zmtp.Hub
	// Socket configures the ZeroMQ socket. A connection that connects
	// gives up on its first peer after Socket.ConnectTimeout (default
	// DefaultConnectTimeout; negative: never): a request made while no
	// dial has succeeded fails then, with zmtp.ErrUnreachable and the
	// dial's error (errors.Is finds syscall.ECONNREFUSED, errors.As a
	// *net.DNSError). Its Hub field is taken from
	// Hub, and REQ sockets always use ReqRelaxed and ReqCorrelate, so
	// that a request whose reply never came does not block the next.
	// Socket.Mechanism secures the connection: zmtp.PlainClient and
	// zmtp.PlainServer, or the CURVE mechanism of module zmtp/curve. A
	// URL with credentials sets a PlainClient when Mechanism is nil.
	Socket zmtp.Options
	// Limits bounds the decoding of received messages.
	Limits wire.Limits
}

// DefaultConnectTimeout is how long a connection that connects tries to
// reach its first peer before requests fail (see Options.Socket).
const DefaultConnectTimeout = 2 * time.Second

// Conn is a connection opened from an xbahn URL: a ZeroMQ socket that
// sends and receives encoded Messages.
type Conn struct {
	url      URL
	listen   bool
	endpoint string // the bound or connected endpoint, any port filled in
	sock     *zmtp.Socket
	typ      zmtp.Type // the socket's: ROUTER for a REP URL
	enc      wire.Encoding
	limits   wire.Limits

	reqMu sync.Mutex // REQ: one request and reply at a time

	bufs sync.Pool // *[]byte encoding scratch; the socket copies what it sends
	// reading holds a value while a goroutine reads into rmsg: a lock
	// that a waiter can give up on (see Wire.SendAndWait).
	reading chan struct{}
	rmsg    zmtp.Msg // receive scratch; decoding copies what it keeps

	mu     sync.Mutex
	sinks  []*Wire // wires that receive from the connection
	loop   bool    // the receive loop runs
	closed bool
	ctx    context.Context // ends when the connection closes
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// handling counts the receive goroutines running handlers, one of
	// which may be the caller of Close.
	handling atomic.Int32
	// A receive goroutine whose handler handed the reading off waits on
	// resume, once its handler returns, to take the reading over again at
	// the next handoff; spares counts those waiting.
	resume chan struct{}
	spares atomic.Int32
	rxMu   sync.Mutex
	armed  []*receiver // receive goroutines whose handler may hand off

	// Lone SendAndWait calls (see lone.go): how many calls await their
	// response, and the state of the receive loop, which stands aside
	// while its context is cancelled.
	calls   atomic.Int32
	alone   atomic.Int32 // calls in a row that had c to themselves, up to loneAfter
	loners  atomic.Int32 // calls that may read their own response
	runMu   sync.Mutex
	runCtx  context.Context
	runStop context.CancelFunc
	resumed chan struct{}
}

// Errors of connections.
var (
	// ErrClosed is returned by operations on a closed connection. It is a
	// *zmtp.ClosedError: errors.Is matches it with zmtp.ErrClosed,
	// rpc.ErrClosed and net.ErrClosed, and they with it.
	ErrClosed error = &zmtp.ClosedError{What: "xbahn: connection closed"}
	// ErrCannotSend is returned by Send on a connection type that does
	// not send on its own (SUB, PULL, REP and ROUTER answer with Respond).
	ErrCannotSend = errors.New("xbahn: this connection type does not send")
)

// Listen opens a connection that binds the URL's endpoint and waits for
// peers, as the original's listen(url).
func Listen(rawurl string, o *Options) (*Conn, error) { return open(rawurl, o, true) }

// Connect opens a connection to the URL's endpoint, as the original's
// connect(url). It returns at once; the connection is made in the
// background and remade when it is lost.
func Connect(rawurl string, o *Options) (*Conn, error) { return open(rawurl, o, false) }

func open(rawurl string, o *Options, listen bool) (*Conn, error) {
	u, err := ParseURL(rawurl)
	if err != nil {
		return nil, err
	}
	var opts Options
	if o != nil {
		opts = *o
	}
	so := opts.Socket
	so.Hub = opts.Hub
	if u.User != "" {
		if listen {
			return nil, &URLError{URL: rawurl, Part: "credentials", Reason: "a listening URL takes none; set Options.Socket.Mechanism to a zmtp.PlainServer"}
		}
		if so.Mechanism == nil {
			so.Mechanism = zmtp.PlainClient{Username: u.User, Password: u.Password}
		}
	}
	if u.Type == zmtp.REQ {
		so.ReqRelaxed, so.ReqCorrelate = true, true
	}
	if !listen && so.ConnectTimeout == 0 {
		so.ConnectTimeout = DefaultConnectTimeout
	}
	enc := opts.Encoding
	switch {
	case u.Encoding == wire.Unknown:
	case enc == wire.Unknown || enc == u.Encoding:
		enc = u.Encoding
	default:
		return nil, &URLError{URL: rawurl, Part: "encoding", Reason: u.Encoding.String() + " contradicts Options.Encoding " + enc.String()}
	}
	so.Properties = append(so.Properties[:len(so.Properties):len(so.Properties)], zmtp.Property{Name: PropEncoding, Value: []byte(encodingsRead)})
	// A REP URL is served by a ROUTER socket, which answers each request
	// on its own envelope: requests are handled concurrently, and REQ
	// peers see the same strict request and reply.
	typ := u.Type
	if typ == zmtp.REP {
		typ = zmtp.ROUTER
	}
	c := &Conn{url: u, listen: listen, typ: typ, enc: enc, limits: opts.Limits, resume: make(chan struct{}), reading: make(chan struct{}, 1)}
	if user := so.Waiting; user != nil {
		so.Waiting = func() { c.unattended(); user() }
	} else {
		so.Waiting = c.unattended
	}
	c.sock, err = zmtp.NewSocket(typ, &so)
	if err != nil {
		return nil, err
	}
	sock := c.sock
	if listen {
		c.endpoint, err = sock.Bind(u.Endpoint())
	} else {
		c.endpoint, err = u.Endpoint(), sock.Connect(u.Endpoint())
	}
	if err == nil && u.Type == zmtp.SUB {
		// The topic and the space that ends it, or everything: the
		// original subscribed to nothing without a topic.
		err = sock.Subscribe(c.topicPrefix())
	}
	if err != nil {
		sock.Close()
		return nil, err
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// URL returns the URL the connection was opened with.
func (c *Conn) URL() URL { return c.url }

// Endpoint returns the ZeroMQ endpoint of the connection; for a listening
// connection on port 0 it has the port that was picked.
func (c *Conn) Endpoint() string { return c.endpoint }

// Socket returns the ZeroMQ socket underneath: a ROUTER for a REP URL.
func (c *Conn) Socket() *zmtp.Socket { return c.sock }

// Remote returns how a peer reaches this connection, in the original's
// form: "connect->zmq://HOST/TYPE?transport=T" when this side listens (the
// peer connects), "listen->..." when it connects, with the peer's type.
func (c *Conn) Remote() string {
	u := c.url
	if ep, err := zmtp.ParseEndpoint(c.endpoint); err == nil {
		u.Host = ep.Addr
	}
	verb := "listen->"
	if c.listen {
		verb = "connect->"
	}
	return verb + u.format(opposite(u.Type))
}

// Close closes the connection and stops its goroutines: it waits for the
// receive loop to end, unless a handler is running, which may be the
// caller. A handler may close its own connection; the loop then ends as
// soon as the handler returns.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	err := c.sock.Close()
	if c.handling.Load() == 0 {
		c.wg.Wait()
	}
	return err
}

// Done returns a channel closed when the connection closes.
func (c *Conn) Done() <-chan struct{} { return c.ctx.Done() }

// WaitForSignal blocks until one of sigs arrives (SIGINT or SIGTERM if
// none are given) or the connection is closed, then closes it. For a
// graceful end of an rpc server, see its Shutdown.
func (c *Conn) WaitForSignal(sigs ...os.Signal) error {
	if len(sigs) == 0 {
		sigs = []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)
	select {
	case <-ch:
	case <-c.ctx.Done():
	}
	return c.Close()
}

// topicPrefix returns what starts every message of the connection's
// topic: the topic and a space, or nothing.
func (c *Conn) topicPrefix() []byte {
	if c.url.Topic == "" {
		return nil
	}
	return []byte(c.url.Topic + " ")
}

// encode appends m, encoded in enc, to b after the topic of a PUB
// connection.
func (c *Conn) encode(b []byte, m *Message, enc wire.Encoding) ([]byte, error) {
	if c.url.Type == zmtp.PUB && c.url.Topic != "" {
		b = append(append(b, c.url.Topic...), ' ')
	}
	if enc == wire.JSON {
		return m.AppendJSON(b)
	}
	return m.AppendBinary(b)
}

// Send sends m as it is. On REQ it must be followed by Recv of the reply,
// which Wire.Send does by itself; REP, ROUTER, SUB and PULL connections
// do not send on their own.
func (c *Conn) Send(ctx context.Context, m *Message) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	return c.send(ctx, m, c.sendEncoding(), nil)
}

// sendTracked sends m from a DEALER or PAIR connection and returns the
// channel that is closed if the connection that took it ends (see
// zmtp.Socket.SendTracked).
func (c *Conn) sendTracked(ctx context.Context, m *Message) (<-chan struct{}, error) {
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	payload, err := c.encode((*bp)[:0], m, c.sendEncoding())
	if err == nil {
		var lost <-chan struct{}
		if c.typ == zmtp.DEALER {
			lost, err = c.sock.SendTracked(ctx, nil, payload)
		} else {
			lost, err = c.sock.SendTracked(ctx, payload)
		}
		c.keep(bp, payload)
		return lost, err
	}
	c.bufs.Put(bp)
	return nil, err
}

// keep returns the encoding buffer of payload to the pool, unless it grew
// large.
func (c *Conn) keep(bp *[]byte, payload []byte) {
	if cap(payload) <= 64<<10 {
		*bp = payload
		c.bufs.Put(bp)
	}
}

// send sends m in enc; route is the envelope of a ROUTER's response: the
// peer's routing id, and any frames its request had before the delimiter.
func (c *Conn) send(ctx context.Context, m *Message, enc wire.Encoding, route [][]byte) error {
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	payload, err := c.encode((*bp)[:0], m, enc)
	if err != nil {
		c.bufs.Put(bp)
		return err
	}
	defer c.keep(bp, payload)
	switch c.typ {
	case zmtp.DEALER:
		return c.sock.Send(ctx, nil, payload)
	case zmtp.ROUTER:
		if route == nil {
			return ErrCannotSend
		}
		var fbuf [6][]byte
		frames := append(append(fbuf[:0], route...), nil, payload)
		return c.sock.Send(ctx, frames...)
	case zmtp.SUB, zmtp.PULL:
		return ErrCannotSend
	}
	return c.sock.Send(ctx, payload)
}

// Recv receives and decodes the next message. A message that does not
// decode is an error; the Message returned with it, if any, is empty.
func (c *Conn) Recv(ctx context.Context) (*Message, error) {
	m, err := c.recv(ctx)
	if err == nil {
		err = m.Expand()
	}
	return m, err
}

// recv is Recv for the receive loop, which leaves a message's body
// encoded for its handlers (see Link.OnPathEncoded).
func (c *Conn) recv(ctx context.Context) (*Message, error) {
	c.reading <- struct{}{}
	defer func() { <-c.reading }()
	return c.recvLocked(ctx, nil)
}

// recvLocked is Recv for the holder of c.reading; it gives up with an error wrapping
// zmtp.ErrNoPeer when stop is signalled or a connection comes or goes
// (see zmtp.Socket.RecvMsgUntil). While a SendAndWait of c is under way,
// it claims the request a response answers (see awaitLone).
func (c *Conn) recvLocked(ctx context.Context, stop <-chan struct{}) (*Message, error) {
	for {
		if err := c.sock.RecvMsgUntil(ctx, &c.rmsg, stop); err != nil {
			if c.ctx.Err() != nil {
				return nil, ErrClosed
			}
			return nil, err
		}
		m, err := c.decode(c.rmsg.Frames)
		if m != nil {
			m.from.peer = c.rmsg.Peer
			m.from.enc = c.replyEncoding(m.from.peer, m.from.enc)
			// Only while a call may read its own response does it
			// need to know that another goroutine received it.
			if m.ResponseID != "" && c.loners.Load() > 0 {
				for _, w := range c.receivers() {
					w.link.claim(m.ResponseID)
				}
			}
		}
		if err == errSkip {
			continue
		}
		return m, err
	}
}

// errSkip marks a message that is not for this connection, such as a
// published message of another topic.
var errSkip = errors.New("xbahn: not for this connection")

// errFrames is a received message of several frames: an xbahn message is
// one, after any envelope.
var errFrames = errors.New("xbahn: a message is one frame")

// envelope splits what a ROUTER received into the envelope to answer with,
// copied: the routing id and what precedes the first empty frame (a REQ's
// request id, say), and the frames after that empty frame. Without an empty
// frame, the envelope is the routing id alone.
func envelope(frames [][]byte) (route, rest [][]byte) {
	k := 1
	for i := 1; i < len(frames); i++ {
		if len(frames[i]) == 0 {
			k = i
			break
		}
	}
	n := 0
	for _, f := range frames[:k] {
		n += len(f)
	}
	store := make([]byte, 0, n)
	route = make([][]byte, k)
	for i, f := range frames[:k] {
		start := len(store)
		store = append(store, f...)
		route[i] = store[start:len(store):len(store)]
	}
	rest = frames[k:]
	if len(rest) > 0 && len(rest[0]) == 0 {
		rest = rest[1:]
	}
	return route, rest
}

// decode turns the frames of a received message into a Message. A message
// that does not decode comes back empty with the error, but for where it
// came from, so that it can be answered.
func (c *Conn) decode(frames [][]byte) (*Message, error) {
	m := &Message{}
	d := &m.from
	d.conn = c
	if c.typ == zmtp.ROUTER && len(frames) > 0 {
		d.route, frames = envelope(frames)
	}
	if c.url.Type == zmtp.DEALER && len(frames) > 1 && len(frames[0]) == 0 {
		frames = frames[1:]
	}
	if len(frames) == 0 {
		return nil, errSkip
	}
	if len(frames) > 1 {
		return m, fmt.Errorf("%w, not %d", errFrames, len(frames))
	}
	payload := frames[0]
	if c.url.Type == zmtp.SUB {
		if prefix := c.topicPrefix(); prefix != nil {
			// The exact topic, not a set of characters as the
			// original's lstrip did.
			if !bytes.HasPrefix(payload, prefix) {
				return nil, errSkip
			}
			payload = payload[len(prefix):]
		} else if wire.Sniff(payload) == wire.Unknown {
			// A SUB without a topic also gets messages published
			// under one: drop "topic ".
			if i := bytes.IndexByte(payload, ' '); i >= 0 {
				payload = payload[i+1:]
			}
		}
	}
	d.enc = wire.Sniff(payload) // made the reply's encoding by Recv
	if c.anyEncoded() {
		body := new(wire.Body)
		if err := c.limits.DecodeHead(payload, &m.Message, body); err != nil {
			return m, err // empty, but for where it came from
		}
		if !c.keepsEncoded(m) {
			if err := body.Fill(&m.Message, c.limits); err != nil {
				return m, err
			}
		} else {
			m.body = body
		}
	} else if err := c.limits.Decode(payload, &m.Message); err != nil {
		return m, err // empty, but for where it came from
	}
	if m.ID == "" {
		// The original's receiver makes up an id for a message that
		// has none, so that it can be answered.
		m.ID = NewID()
	}
	return m, nil
}
