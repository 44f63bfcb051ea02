package curve

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"

	"golang.org/x/crypto/nacl/box"
)

// ErrInvalid is returned for a CURVE command that is malformed, fails
// authentication or repeats a nonce. It deliberately does not tell which
// check failed.
var ErrInvalid = errors.New("curve: invalid command")

// Nonce prefixes of RFC 26. A long nonce is one of the 16-byte prefixes and
// an 8-byte big-endian counter (a short nonce), or one of the 8-byte
// prefixes and 16 random bytes.
const (
	prefixHello    = "CurveZMQHELLO---"
	prefixInitiate = "CurveZMQINITIATE"
	prefixReady    = "CurveZMQREADY---"
	prefixClient   = "CurveZMQMESSAGEC" // MESSAGE from client to server
	prefixServer   = "CurveZMQMESSAGES" // MESSAGE from server to client
	prefixWelcome  = "WELCOME-"
	prefixCookie   = "COOKIE--"
	prefixVouch    = "VOUCH---"
)

// boxOverhead is what a box adds to its plaintext: the Poly1305 tag.
const boxOverhead = box.Overhead

// Sizes of the commands' data, after the name, as libzmq checks them.
const (
	helloData       = 200 - 6 // exactly
	welcomeData     = 168 - 8 // exactly
	initiateMinData = 257 - 9 // at least
	readyMinData    = 30 - 6  // at least
	cookieSize      = 16 + 64 + boxOverhead
	vouchSize       = 64 + boxOverhead
)

// message is the start of a MESSAGE command body; messageOverhead is what a
// MESSAGE body adds to the frame it carries: the name, the short nonce,
// the tag and the flags byte.
const (
	message         = "\x07MESSAGE"
	messageOverhead = len(message) + 8 + boxOverhead + 1
)

// shortNonce returns the long nonce of a 16-byte prefix and a counter.
func shortNonce(prefix string, n uint64) *[24]byte {
	var b [24]byte
	copy(b[:16], prefix)
	binary.BigEndian.PutUint64(b[16:], n)
	return &b
}

// randomNonce returns the long nonce of an 8-byte prefix and 16 bytes.
func randomNonce(prefix string, random []byte) *[24]byte {
	var b [24]byte
	copy(b[:8], prefix)
	copy(b[8:], random)
	return &b
}

// sharedKey returns the key of boxes between the owner of secret and the
// owner of peer, as crypto_box_beforenm computes it. A peer key of low
// order, which makes the X25519 shared secret all zeros whatever the
// secret key, is refused.
func sharedKey(peer, secret *Key) ([32]byte, error) {
	var k [32]byte
	box.Precompute(&k, (*[32]byte)(peer), (*[32]byte)(secret))
	if subtle.ConstantTimeCompare(k[:], lowOrderKey[:]) == 1 {
		return [32]byte{}, ErrInvalid
	}
	return k, nil
}

// lowOrderKey is the box key that a zero X25519 shared secret gives.
var lowOrderKey = func() (k [32]byte) {
	var zero, one [32]byte
	one[0] = 1
	box.Precompute(&k, &zero, &one)
	return k
}()

// randomBytes fills b from crypto/rand.
func randomBytes(b []byte) {
	// crypto/rand.Read does not fail: it aborts the program when the
	// system's source is broken.
	rand.Read(b)
}
