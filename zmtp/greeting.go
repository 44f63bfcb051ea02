package zmtp

import "bytes"

// GreetingSize is the length of a ZMTP 3 greeting.
const GreetingSize = 64

// Greeting is the first thing each side of a ZMTP connection sends.
type Greeting struct {
	Major, Minor uint8
	Mechanism    string // at most 20 ASCII bytes, such as "NULL"
	AsServer     bool
}

// AppendGreeting appends the 64-byte greeting announcing ZMTP 3.1 with the
// given mechanism. The mechanism name is cut to 20 bytes.
func AppendGreeting(b []byte, mechanism string, asServer bool) []byte {
	var g [GreetingSize]byte
	g[0] = 0xFF
	g[9] = 0x7F
	g[10] = 3
	g[11] = 1
	copy(g[12:32], mechanism)
	if asServer {
		g[32] = 1
	}
	return append(b, g[:]...)
}

// ParseGreeting parses a peer's greeting. Padding and the as-server byte are
// reported but not validated. Major versions above 3 are reported as 3.1, the
// version both sides then speak. A peer of ZMTP 1.0 or 2.0 gets an error
// wrapping ErrVersion.
func ParseGreeting(b []byte) (Greeting, error) {
	if len(b) < GreetingSize {
		return Greeting{}, protoErr("greeting", malformed("greeting shorter than 64 bytes"))
	}
	if err := checkVersion(b); err != nil {
		return Greeting{}, err
	}
	g := Greeting{Major: b[10], Minor: b[11]}
	if g.Major > 3 {
		g.Major, g.Minor = 3, 1
	}
	mech := b[12:32]
	if i := bytes.IndexByte(mech, 0); i >= 0 {
		mech = mech[:i]
	}
	g.Mechanism = string(mech)
	g.AsServer = b[32] != 0
	return g, nil
}

// checkVersion checks the signature and major version in the first 11 bytes
// of a greeting, all a ZMTP 1.0 or 2.0 peer sends before it waits for ours.
func checkVersion(b []byte) error {
	if b[0] != 0xFF || b[9]&1 == 0 {
		return protoErr("greeting", versionError{"1.0", "a ZMTP 3 greeting was expected"})
	}
	switch b[10] {
	case 0, 1:
		// Revision 1 is ZMTP 2.0; libzmq treats 0 the same way.
		return protoErr("greeting", versionError{"2.0", "a ZMTP 3 greeting was expected"})
	case 2:
		return protoErr("greeting", versionError{"revision 2", "no version has that number"})
	}
	return nil
}

// versionError reports a peer of a ZMTP version that the socket does not
// speak with it, and why.
type versionError struct{ peer, why string }

func (e versionError) Error() string {
	return "zmtp: peer speaks ZMTP " + e.peer + ": " + e.why
}
func (e versionError) Unwrap() error { return ErrVersion }

// mechanismField returns the 20-byte mechanism field for a name, for exact
// comparison with a peer's.
func mechanismField(name string) [20]byte {
	var f [20]byte
	copy(f[:], name)
	return f
}
