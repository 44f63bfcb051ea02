package zmtp

// Type is a ZeroMQ socket type.
type Type uint8

// Socket types.
const (
	PAIR Type = iota + 1
	PUB
	SUB
	REQ
	REP
	DEALER
	ROUTER
	PULL
	PUSH
	XPUB
	XSUB
	// STREAM talks to plain TCP peers, not ZMTP ones (libzmq's
	// ZMQ_STREAM): each message is a connection's routing id and bytes.
	STREAM
)

var typeNames = [...]string{
	PAIR:   "PAIR",
	PUB:    "PUB",
	SUB:    "SUB",
	REQ:    "REQ",
	REP:    "REP",
	DEALER: "DEALER",
	ROUTER: "ROUTER",
	PULL:   "PULL",
	PUSH:   "PUSH",
	XPUB:   "XPUB",
	XSUB:   "XSUB",
	STREAM: "STREAM",
}

// String returns the name sent as the Socket-Type property, such as "REQ".
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "UNKNOWN"
}

// ParseType returns the type with the given Socket-Type name. Names are
// compared exactly, as libzmq does.
func ParseType(name string) (Type, bool) {
	for t, n := range typeNames {
		if n != "" && n == name {
			return Type(t), true
		}
	}
	return 0, false
}

// valid reports whether t is a known type of ZMTP peer.
func (t Type) valid() bool { return t >= PAIR && t <= XSUB }

// announcesIdentity reports whether a socket of type t sends an Identity
// in its READY: the types whose peers may route to them by it.
func (t Type) announcesIdentity() bool { return t == REQ || t == DEALER || t == ROUTER }

// peers lists, for each type, the peer types it may talk to (RFC 37, and
// libzmq's check_socket_type).
var peers = [...][]Type{
	PAIR:   {PAIR},
	PUB:    {SUB, XSUB},
	SUB:    {PUB, XPUB},
	REQ:    {REP, ROUTER},
	REP:    {REQ, DEALER},
	DEALER: {REP, DEALER, ROUTER},
	ROUTER: {REQ, DEALER, ROUTER},
	PULL:   {PUSH},
	PUSH:   {PULL},
	XPUB:   {SUB, XSUB},
	XSUB:   {PUB, XPUB},
}

// Compatible reports whether a socket of type t may talk to a peer of type
// peer.
func (t Type) Compatible(peer Type) bool {
	if !t.valid() {
		return false
	}
	for _, p := range peers[t] {
		if p == peer {
			return true
		}
	}
	return false
}
