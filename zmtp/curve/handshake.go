package curve

import (
	"crypto/subtle"
	"encoding/binary"

	"golang.org/x/crypto/nacl/box"
	"golang.org/x/crypto/nacl/secretbox"
)

// The handshake of RFC 26, one method per command and side. Each parser
// takes the data of a command, after its name, and returns ErrInvalid for
// any data it does not accept.
//
// Key names follow the RFC: C and c are the client's long-term public and
// secret keys, C' and c' its short-term ones; S, s, S' and s' the
// server's.

// clientHandshake is the client's state during one handshake.
type clientHandshake struct {
	server         Key      // S
	public, secret Key      // C, c
	tpub, tsec     Key      // C', c'
	helloKey       [32]byte // box key of C' and S: HELLO and WELCOME
	serverT        Key      // S', from WELCOME
	cookie         [cookieSize]byte
	key            [32]byte // box key of C' and S': INITIATE, READY, MESSAGE
	nonce          uint64   // the last short nonce sent
	peerNonce      uint64   // the last short nonce received
}

func newClientHandshake(server, public, secret Key) (*clientHandshake, error) {
	h := &clientHandshake{server: server, public: public, secret: secret}
	var err error
	if h.tpub, h.tsec, err = NewKeyPair(); err != nil {
		return nil, err
	}
	if h.helloKey, err = sharedKey(&h.server, &h.tsec); err != nil {
		return nil, err
	}
	return h, nil
}

// hello returns the data of HELLO: the version, the anti-amplification
// padding, C', a short nonce and a box of 64 zero bytes from C' to S.
func (h *clientHandshake) hello() []byte {
	h.nonce++
	b := make([]byte, 0, helloData)
	b = append(b, 1, 0)
	b = append(b, make([]byte, 72)...)
	b = append(b, h.tpub[:]...)
	b = binary.BigEndian.AppendUint64(b, h.nonce)
	var zero [64]byte
	return box.SealAfterPrecomputation(b, zero[:], shortNonce(prefixHello, h.nonce), &h.helloKey)
}

// welcome opens WELCOME and keeps S' and the cookie.
func (h *clientHandshake) welcome(data []byte) error {
	if len(data) != welcomeData {
		return ErrInvalid
	}
	var plain [32 + cookieSize]byte
	if _, ok := box.OpenAfterPrecomputation(plain[:0], data[16:], randomNonce(prefixWelcome, data[:16]), &h.helloKey); !ok {
		return ErrInvalid
	}
	copy(h.serverT[:], plain[:32])
	copy(h.cookie[:], plain[32:])
	var err error
	h.key, err = sharedKey(&h.serverT, &h.tsec)
	return err
}

// initiate returns the data of INITIATE carrying the encoded metadata md:
// the cookie, a short nonce and a box from C' to S' of C, the vouch and md.
// The vouch, a box from C to S' of C' and S, proves that the owner of C
// made C'.
func (h *clientHandshake) initiate(md []byte) ([]byte, error) {
	vouchKey, err := sharedKey(&h.serverT, &h.secret)
	if err != nil {
		return nil, err
	}
	var vn [16]byte
	randomBytes(vn[:])
	var vouchPlain [64]byte
	copy(vouchPlain[:32], h.tpub[:])
	copy(vouchPlain[32:], h.server[:])

	plain := make([]byte, 0, 32+16+vouchSize+len(md))
	plain = append(plain, h.public[:]...)
	plain = append(plain, vn[:]...)
	plain = box.SealAfterPrecomputation(plain, vouchPlain[:], randomNonce(prefixVouch, vn[:]), &vouchKey)
	plain = append(plain, md...)

	h.nonce++
	b := make([]byte, 0, cookieSize+8+len(plain)+boxOverhead)
	b = append(b, h.cookie[:]...)
	b = binary.BigEndian.AppendUint64(b, h.nonce)
	return box.SealAfterPrecomputation(b, plain, shortNonce(prefixInitiate, h.nonce), &h.key), nil
}

// ready opens READY and returns the server's encoded metadata.
func (h *clientHandshake) ready(data []byte) ([]byte, error) {
	if len(data) < readyMinData {
		return nil, ErrInvalid
	}
	n := binary.BigEndian.Uint64(data)
	md, ok := box.OpenAfterPrecomputation(nil, data[8:], shortNonce(prefixReady, n), &h.key)
	if !ok {
		return nil, ErrInvalid
	}
	h.peerNonce = n
	return md, nil
}

// session returns the client's session after READY.
func (h *clientHandshake) session() *session {
	return &session{key: h.key, sendPrefix: prefixClient, recvPrefix: prefixServer, sendNonce: h.nonce, recvNonce: h.peerNonce}
}

// serverHandshake is the server's state during one handshake.
type serverHandshake struct {
	public, secret Key      // S, s
	clientT        Key      // C', from HELLO
	helloKey       [32]byte // box key of C' and S
	tpub, tsec     Key      // S', s'
	cookieKey      [32]byte // secretbox key of the cookie, new for each connection
	key            [32]byte // box key of C' and S'
	nonce          uint64   // the last short nonce sent
	peerNonce      uint64   // the last short nonce received
}

func newServerHandshake(public, secret Key) *serverHandshake {
	return &serverHandshake{public: public, secret: secret}
}

// hello checks HELLO: its size, the version and that the box opens, which
// proves that the client knows S.
func (h *serverHandshake) hello(data []byte) error {
	if len(data) != helloData || data[0] != 1 || data[1] != 0 {
		return ErrInvalid
	}
	copy(h.clientT[:], data[74:106])
	n := binary.BigEndian.Uint64(data[106:114])
	var err error
	if h.helloKey, err = sharedKey(&h.clientT, &h.secret); err != nil {
		return err
	}
	var plain [64]byte
	if _, ok := box.OpenAfterPrecomputation(plain[:0], data[114:], shortNonce(prefixHello, n), &h.helloKey); !ok {
		return ErrInvalid
	}
	h.peerNonce = n
	return nil
}

// welcome returns the data of WELCOME: a random nonce and a box from S to
// C' of S' and the cookie. The cookie is a random nonce and a secretbox of
// C' and s' under a key only this handshake knows.
func (h *serverHandshake) welcome() ([]byte, error) {
	var err error
	if h.tpub, h.tsec, err = NewKeyPair(); err != nil {
		return nil, err
	}
	if h.key, err = sharedKey(&h.clientT, &h.tsec); err != nil {
		return nil, err
	}
	randomBytes(h.cookieKey[:])
	var cookiePlain [64]byte
	copy(cookiePlain[:32], h.clientT[:])
	copy(cookiePlain[32:], h.tsec[:])

	plain := make([]byte, 0, 32+cookieSize)
	plain = append(plain, h.tpub[:]...)
	var cn [16]byte
	randomBytes(cn[:])
	plain = append(plain, cn[:]...)
	plain = secretbox.Seal(plain, cookiePlain[:], randomNonce(prefixCookie, cn[:]), &h.cookieKey)

	b := make([]byte, 16, welcomeData)
	randomBytes(b)
	return box.SealAfterPrecomputation(b, plain, randomNonce(prefixWelcome, b[:16]), &h.helloKey), nil
}

// initiate checks INITIATE: the cookie, the nonce, the box and the vouch.
// It returns C and the client's encoded metadata.
func (h *serverHandshake) initiate(data []byte) (Key, []byte, error) {
	if len(data) < initiateMinData {
		return Key{}, nil, ErrInvalid
	}
	var cookie [64]byte
	if _, ok := secretbox.Open(cookie[:0], data[16:cookieSize], randomNonce(prefixCookie, data[:16]), &h.cookieKey); !ok {
		return Key{}, nil, ErrInvalid
	}
	if subtle.ConstantTimeCompare(cookie[:32], h.clientT[:])&subtle.ConstantTimeCompare(cookie[32:], h.tsec[:]) != 1 {
		return Key{}, nil, ErrInvalid
	}
	n := binary.BigEndian.Uint64(data[cookieSize:])
	if n <= h.peerNonce {
		return Key{}, nil, ErrInvalid
	}
	plain, ok := box.OpenAfterPrecomputation(nil, data[cookieSize+8:], shortNonce(prefixInitiate, n), &h.key)
	if !ok || len(plain) < 32+16+vouchSize {
		return Key{}, nil, ErrInvalid
	}
	var client Key
	copy(client[:], plain[:32])
	vouchKey, err := sharedKey(&client, &h.tsec)
	if err != nil {
		return Key{}, nil, err
	}
	var vouch [64]byte
	if _, ok := box.OpenAfterPrecomputation(vouch[:0], plain[48:48+vouchSize], randomNonce(prefixVouch, plain[32:48]), &vouchKey); !ok {
		return Key{}, nil, ErrInvalid
	}
	if subtle.ConstantTimeCompare(vouch[:32], h.clientT[:])&subtle.ConstantTimeCompare(vouch[32:], h.public[:]) != 1 {
		return Key{}, nil, ErrInvalid
	}
	h.peerNonce = n
	return client, plain[48+vouchSize:], nil
}

// ready returns the data of READY carrying the encoded metadata md.
func (h *serverHandshake) ready(md []byte) []byte {
	h.nonce++
	b := make([]byte, 0, 8+len(md)+boxOverhead)
	b = binary.BigEndian.AppendUint64(b, h.nonce)
	return box.SealAfterPrecomputation(b, md, shortNonce(prefixReady, h.nonce), &h.key)
}

// session returns the server's session after READY.
func (h *serverHandshake) session() *session {
	return &session{key: h.key, sendPrefix: prefixServer, recvPrefix: prefixClient, sendNonce: h.nonce, recvNonce: h.peerNonce}
}
