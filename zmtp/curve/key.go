package curve

import (
	"crypto/rand"
	"errors"
	"strconv"

	"golang.org/x/crypto/curve25519"
)

// KeySize is the length of a CURVE key in bytes.
const KeySize = 32

// A Key is a Curve25519 public or secret key. As text it is written in Z85
// (RFC 32), 40 characters long, as libzmq writes keys.
type Key [KeySize]byte

// NewKeyPair returns a new long-term key pair drawn from crypto/rand.
func NewKeyPair() (public, secret Key, err error) {
	if _, err := rand.Read(secret[:]); err != nil {
		return Key{}, Key{}, err
	}
	public, err = PublicKey(secret)
	if err != nil {
		return Key{}, Key{}, err
	}
	return public, secret, nil
}

// PublicKey returns the public key of a secret key.
func PublicKey(secret Key) (Key, error) {
	var public Key
	b, err := curve25519.X25519(secret[:], curve25519.Basepoint)
	if err != nil {
		return public, err
	}
	copy(public[:], b)
	return public, nil
}

// ParseKey decodes a key from its 40 characters of Z85.
func ParseKey(s string) (Key, error) {
	var k Key
	if len(s) != Z85KeySize {
		return k, errors.New("curve: a Z85 key is " + strconv.Itoa(Z85KeySize) + " characters long, not " + strconv.Itoa(len(s)))
	}
	if _, err := decodeZ85(k[:0], s); err != nil {
		return Key{}, err
	}
	return k, nil
}

// MustParseKey is ParseKey for keys written in a program: it panics if s
// is not a key.
func MustParseKey(s string) Key {
	k, err := ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

// Z85KeySize is the length of a key in Z85.
const Z85KeySize = KeySize * 5 / 4

// String returns the key in Z85. For a secret key this is the secret
// itself: do not log it.
func (k Key) String() string {
	b, _ := AppendZ85(make([]byte, 0, Z85KeySize), k[:])
	return string(b)
}

// MarshalText returns the key in Z85.
func (k Key) MarshalText() ([]byte, error) { return AppendZ85(nil, k[:]) }

// UnmarshalText decodes a key from Z85.
func (k *Key) UnmarshalText(text []byte) error {
	v, err := ParseKey(string(text))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// z85Alphabet is the 85 characters of Z85, by value.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// z85Values maps a character to its value plus one; 0 marks a character
// outside the alphabet.
var z85Values = func() (t [256]byte) {
	for i := range len(z85Alphabet) {
		t[z85Alphabet[i]] = byte(i + 1)
	}
	return t
}()

// AppendZ85 appends the Z85 encoding of src (RFC 32) to dst. The length of
// src must be a multiple of 4.
func AppendZ85(dst, src []byte) ([]byte, error) {
	if len(src)%4 != 0 {
		return dst, errors.New("curve: Z85 encodes a multiple of 4 bytes, not " + strconv.Itoa(len(src)))
	}
	for i := 0; i < len(src); i += 4 {
		v := uint32(src[i])<<24 | uint32(src[i+1])<<16 | uint32(src[i+2])<<8 | uint32(src[i+3])
		var c [5]byte
		for j := 4; j >= 0; j-- {
			c[j] = z85Alphabet[v%85]
			v /= 85
		}
		dst = append(dst, c[:]...)
	}
	return dst, nil
}

// DecodeZ85 decodes Z85 text (RFC 32). Its length must be a multiple of 5.
func DecodeZ85(s string) ([]byte, error) {
	return decodeZ85(make([]byte, 0, len(s)/5*4), s)
}

func decodeZ85(dst []byte, s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, errors.New("curve: Z85 text is a multiple of 5 characters long, not " + strconv.Itoa(len(s)))
	}
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for j := i; j < i+5; j++ {
			d := z85Values[s[j]]
			if d == 0 {
				return nil, errors.New("curve: invalid Z85 character " + strconv.Quote(s[j:j+1]) + " at offset " + strconv.Itoa(j))
			}
			v = v*85 + uint64(d-1)
		}
		if v > 0xFFFFFFFF {
			return nil, errors.New("curve: Z85 group at offset " + strconv.Itoa(i) + " exceeds 32 bits")
		}
		dst = append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return dst, nil
}
