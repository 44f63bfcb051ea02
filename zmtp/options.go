package zmtp

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Defaults of the Options fields left zero.
const (
	DefaultHWM              = 1000
	DefaultMaxMsgSize       = 64 << 20
	DefaultMaxFrames        = 4096
	DefaultHandshakeTimeout = 5 * time.Second
	DefaultMaxCommandSize   = 64 << 10
	DefaultMaxProperties    = 64
	DefaultReconnect        = 100 * time.Millisecond
	DefaultLinger           = time.Second
)

// MaxPropertiesSize bounds the encoded size of Options.Properties, where
// each property takes 5 bytes besides its name and value. It is
// DefaultMaxCommandSize less 1 KiB, room enough for Socket-Type, the
// longest Identity and the envelope of the largest command that carries
// metadata (CURVE's INITIATE, 257 bytes), so that a peer with default
// limits accepts the handshake.
const MaxPropertiesSize = DefaultMaxCommandSize - 1<<10

// maxAppProperties is the most properties Options.Properties may hold:
// together with Socket-Type and Identity they stay within the
// DefaultMaxProperties a peer with default limits accepts.
const maxAppProperties = DefaultMaxProperties - 2

// Options configures a Socket. The zero value gives libzmq's defaults where
// libzmq has bounded ones, and safe limits where it has none.
type Options struct {
	// Identity is sent to the peer in READY; a ROUTER peer routes to this
	// socket by it. At most 255 bytes, and not starting with a zero byte.
	Identity []byte
	// Mechanism secures connections; nil means Null.
	Mechanism Mechanism
	// Properties are application metadata sent to every peer in the
	// handshake, after Socket-Type and Identity, whatever the Mechanism;
	// the peer finds them in Peer.Metadata (libzmq's ZMQ_METADATA). Each
	// name starts with "X-" or "x-", the prefix RFC 37 leaves to
	// applications, and has at most 255 letters, digits and "-_.+"; no
	// two names are equal ignoring case. There are at most
	// DefaultMaxProperties-2 of them, and they encode to at most
	// MaxPropertiesSize bytes. NewSocket copies them.
	Properties Metadata
	// NoDowngrade refuses peers of ZMTP 2.0 and 1.0, such as JeroMQ 0.3
	// and libzmq 2.x, which a socket with the NULL mechanism otherwise
	// talks to in their own version. Under PLAIN and CURVE they are
	// always refused, as RFC 37 asks: an older version has no security.
	NoDowngrade bool
	// Hub is the namespace of inproc:// endpoints the socket binds and
	// connects to; nil means the socket cannot use inproc.
	Hub *Hub

	// SendHWM and RecvHWM bound, in messages, the queue of each peer in
	// each direction (default DefaultHWM). At the mark, sending blocks or
	// drops as the socket type says, and a full receive queue stops
	// reading the connection, which pushes back on the peer through TCP.
	SendHWM, RecvHWM int

	// MaxMsgSize bounds the bytes of one received message (default
	// DefaultMaxMsgSize); a peer that exceeds it is disconnected.
	MaxMsgSize int64
	// MaxFrames bounds the frames of one received message (default
	// DefaultMaxFrames).
	MaxFrames int
	// MaxCommandSize bounds a command, during the handshake and after it
	// (default DefaultMaxCommandSize), and MaxProperties the metadata
	// properties in it (default DefaultMaxProperties). A peer that
	// exceeds it is disconnected, as one whose PING carries more than
	// MaxPingContext bytes of context is. A ZMTP 3 peer that breaks
	// such a limit, or the protocol in any other way, is sent an ERROR
	// saying which before its connection closes.
	MaxCommandSize int
	MaxProperties  int
	// HandshakeTimeout bounds the greeting and security handshake of each
	// connection (default DefaultHandshakeTimeout).
	HandshakeTimeout time.Duration
	// ReadBufferSize is the size of each connection's read buffer
	// (default DefaultReadBufferSize).
	ReadBufferSize int

	// ConnectTimeout is how long a socket that connects tries before it
	// gives up on reaching its first peer: every dial and handshake in
	// that time failed, and none ever succeeded. Calls that wait for a
	// peer then fail with ErrUnreachable and the last failure (see
	// Socket.Unreachable); the socket goes on dialling, and once it is
	// connected the rule no longer applies. It also bounds each dial.
	// Zero waits as ZeroMQ does, as long as the caller does.
	ConnectTimeout time.Duration

	// Logger receives the socket's events (see Socket.Monitor): failed
	// handshakes and accepts at Warn, lost connections at Info, the rest
	// at Debug. Nil is silent.
	Logger *slog.Logger

	// Linger is how long Close waits for messages already sent to be
	// written to their connections (libzmq's ZMQ_LINGER), so that, say, a
	// reply sent just before Close reaches its requester (default
	// DefaultLinger; negative: Close drops them at once). Messages
	// waiting for a connection that is not up are dropped.
	Linger time.Duration

	// ReconnectInterval is the wait before reconnecting a lost or failed
	// connection (default DefaultReconnect). When ReconnectMax is larger,
	// the wait doubles after each failed attempt up to ReconnectMax.
	ReconnectInterval time.Duration
	ReconnectMax      time.Duration

	// Heartbeat configures PINGs to peers and the detection of dead
	// connections.
	Heartbeat Heartbeat

	// ReqRelaxed lets a REQ socket send a new request before the reply to
	// the last one arrived, abandoning it (libzmq's ZMQ_REQ_RELAXED).
	ReqRelaxed bool
	// ReqCorrelate makes a REQ socket tag each request with an id and
	// drop replies that do not carry the id of the request in progress
	// (libzmq's ZMQ_REQ_CORRELATE).
	ReqCorrelate bool

	// Waiting, when set, is called each time a message is queued for
	// receiving while no goroutine receives from the socket, on the
	// goroutine that queued it, which it must not hold up. A program that
	// handles each message on the goroutine that received it can use it to
	// start receiving on another when a handler takes long.
	Waiting func()

	// TLSConfig secures wss:// endpoints: for Bind, a server
	// configuration with its certificates; for Connect, a client one,
	// whose ServerName defaults to the endpoint's host. It is needed for
	// wss only, and neither copied nor modified.
	TLSConfig *tls.Config

	// WSOrigin, when set, is asked about the Origin of every WebSocket
	// handshake that a bound ws:// or wss:// endpoint receives with one,
	// as browsers send it: the page a connection comes from. A false
	// refuses the connection with 403 Forbidden. Without it any page
	// that a browser on a machine reaching the endpoint has open may
	// connect, as to libzmq's ws transport; clients that are not
	// browsers send no Origin and are not asked about.
	WSOrigin func(origin string) bool

	// RouterMandatory makes a ROUTER socket return ErrHostUnreachable for
	// a message to an unknown routing id, and ErrAgain for a peer whose
	// queue is full, instead of dropping the message (libzmq's
	// ZMQ_ROUTER_MANDATORY).
	RouterMandatory bool
}

// withDefaults returns o with zero fields set to their defaults, or an
// error for values that make no sense.
func (o Options) withDefaults() (Options, error) {
	if len(o.Identity) > 255 {
		return o, errors.New("zmtp: identity longer than 255 bytes")
	}
	if len(o.Identity) > 0 && o.Identity[0] == 0 {
		return o, errors.New("zmtp: identity starts with a zero byte, which ZMTP reserves")
	}
	for _, v := range []int64{int64(o.SendHWM), int64(o.RecvHWM), o.MaxMsgSize, int64(o.MaxFrames),
		int64(o.MaxCommandSize), int64(o.MaxProperties), int64(o.HandshakeTimeout),
		int64(o.ReconnectInterval), int64(o.ReconnectMax), int64(o.ReadBufferSize),
		int64(o.Heartbeat.Interval), int64(o.Heartbeat.Timeout), int64(o.Heartbeat.TTL)} {
		if v < 0 {
			return o, errors.New("zmtp: negative option value")
		}
	}
	o.Identity = append([]byte(nil), o.Identity...)
	if len(o.Properties) > 0 {
		// Check the copy, so that what is checked is what is sent.
		o.Properties = cloneMetadata(o.Properties)
		if err := validProperties(o.Properties); err != nil {
			return o, err
		}
	}
	if o.Mechanism == nil {
		o.Mechanism = Null{}
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.SendHWM, DefaultHWM)
	def(&o.RecvHWM, DefaultHWM)
	def(&o.MaxFrames, DefaultMaxFrames)
	def(&o.MaxCommandSize, DefaultMaxCommandSize)
	def(&o.MaxProperties, DefaultMaxProperties)
	def(&o.ReadBufferSize, DefaultReadBufferSize)
	if o.MaxMsgSize == 0 {
		o.MaxMsgSize = DefaultMaxMsgSize
	}
	if o.HandshakeTimeout == 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.ReconnectInterval == 0 {
		o.ReconnectInterval = DefaultReconnect
	}
	if o.Linger == 0 {
		o.Linger = DefaultLinger
	}
	return o, nil
}

// validProperties checks the application properties m of Options.
func validProperties(m Metadata) error {
	if len(m) > maxAppProperties {
		return errors.New("zmtp: more than " + strconv.Itoa(maxAppProperties) + " properties")
	}
	for i, p := range m {
		if p.Name == "" {
			return errors.New("zmtp: property with an empty name")
		}
		for _, r := range [...]string{PropSocketType, PropIdentity, PropResource, PropUserID} {
			if strings.EqualFold(p.Name, r) {
				return errors.New("zmtp: property " + quoteName(p.Name) + " is set by ZMTP, not by the application")
			}
		}
		if len(p.Name) < 2 || !strings.EqualFold(p.Name[:2], "X-") {
			return errors.New("zmtp: property name " + quoteName(p.Name) + " does not start with X-")
		}
		if len(p.Name) > 255 {
			return errors.New("zmtp: property name " + quoteName(p.Name) + " is longer than 255 bytes")
		}
		if !validPropertyName(p.Name) {
			return errors.New("zmtp: property name " + quoteName(p.Name) + " has a character other than letters, digits and -_.+")
		}
		for _, q := range m[:i] {
			if strings.EqualFold(p.Name, q.Name) {
				return errors.New("zmtp: property " + quoteName(p.Name) + " appears twice")
			}
		}
	}
	if n := m.size(); n > MaxPropertiesSize {
		return errors.New("zmtp: properties take " + strconv.Itoa(n) + " bytes, more than MaxPropertiesSize (" + strconv.Itoa(MaxPropertiesSize) + ")")
	}
	return nil
}

// quoteName returns a property name for an error message: quoted, escaped
// and cut short.
func quoteName(name string) string {
	q := `"` + quoteASCII(name)
	if len(name) > 64 {
		q += "..."
	}
	return q + `"`
}

// validPropertyName reports whether name is made of the characters RFC 37
// allows in a property name: letters, digits and "-_.+".
func validPropertyName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == '+':
		default:
			return false
		}
	}
	return true
}
