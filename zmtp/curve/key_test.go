package curve

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

// Key pairs published in libzmq's zmq_curve documentation.
const (
	docServerPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
	docServerSecret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
	docClientPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
	docClientSecret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
)

func TestZ85KnownAnswer(t *testing.T) {
	// RFC 32's example.
	raw := []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}
	got, err := AppendZ85(nil, raw)
	if err != nil || string(got) != "HelloWorld" {
		t.Fatalf("AppendZ85(%x) = %q, %v; want HelloWorld", raw, got, err)
	}
	back, err := DecodeZ85("HelloWorld")
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("DecodeZ85(HelloWorld) = %x, %v; want %x", back, err, raw)
	}
	for _, tt := range []struct {
		raw  []byte
		text string
	}{
		{nil, ""},
		{[]byte{0, 0, 0, 0}, "00000"},
		{[]byte{0xFF, 0xFF, 0xFF, 0xFF}, "%nSc0"},
	} {
		got, err := AppendZ85(nil, tt.raw)
		if err != nil || string(got) != tt.text {
			t.Errorf("AppendZ85(%x) = %q, %v; want %q", tt.raw, got, err, tt.text)
		}
		back, err := DecodeZ85(tt.text)
		if err != nil || !bytes.Equal(back, tt.raw) {
			t.Errorf("DecodeZ85(%q) = %x, %v; want %x", tt.text, back, err, tt.raw)
		}
	}
}

func TestZ85RoundTrip(t *testing.T) {
	for n := 0; n <= 64; n += 4 {
		raw := make([]byte, n)
		rand.Read(raw)
		text, err := AppendZ85([]byte("prefix"), raw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(text), "prefix") || len(text) != 6+n*5/4 {
			t.Fatalf("AppendZ85 of %d bytes gave %q", n, text)
		}
		back, err := DecodeZ85(string(text[6:]))
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatalf("round trip of %x gave %x, %v", raw, back, err)
		}
	}
}

func TestZ85Errors(t *testing.T) {
	if _, err := AppendZ85(nil, []byte{1, 2, 3}); err == nil {
		t.Error("AppendZ85 of 3 bytes succeeded")
	}
	for _, s := range []string{
		"Hello",      // fine, as a control
		"HelloWorl",  // 9 characters
		"Hello Worl", // space is not in the alphabet
		"Hello\"orld",
		"Hell\x80World"[:10],
		"%nSc1", // 2^32
		"#####", // 85^5 - 1
	} {
		_, err := DecodeZ85(s)
		if s == "Hello" {
			if err != nil {
				t.Errorf("DecodeZ85(%q): %v", s, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("DecodeZ85(%q) succeeded, want an error", s)
		} else if !strings.HasPrefix(err.Error(), "curve: ") {
			t.Errorf("DecodeZ85(%q) error %q lacks the package prefix", s, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	for _, pair := range [][2]string{{docServerPublic, docServerSecret}, {docClientPublic, docClientSecret}} {
		pub, err := ParseKey(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		sec, err := ParseKey(pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := PublicKey(sec); err != nil || got != pub {
			t.Errorf("PublicKey(%s) = %s, %v; want %s", pair[1], got, err, pair[0])
		}
		if pub.String() != pair[0] {
			t.Errorf("String() = %q, want %q", pub.String(), pair[0])
		}
		text, err := sec.MarshalText()
		if err != nil || string(text) != pair[1] {
			t.Errorf("MarshalText() = %q, %v", text, err)
		}
		var k Key
		if err := k.UnmarshalText([]byte(pair[0])); err != nil || k != pub {
			t.Errorf("UnmarshalText(%q) = %s, %v", pair[0], k, err)
		}
	}
	for _, s := range []string{"", docServerPublic[:35], docServerPublic + "00000", docServerPublic[:39] + " ", "%nSc1" + docServerPublic[5:]} {
		if k, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) = %s, want an error", s, k)
		}
	}
	var k Key
	if err := k.UnmarshalText([]byte("short")); err == nil {
		t.Error("UnmarshalText of a short key succeeded")
	}
}

func TestNewKeyPair(t *testing.T) {
	pub1, sec1, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	pub2, sec2, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if pub1 == pub2 || sec1 == sec2 || pub1 == (Key{}) {
		t.Fatal("NewKeyPair returned equal or zero keys")
	}
	if got, _ := PublicKey(sec1); got != pub1 {
		t.Errorf("PublicKey(secret) = %s, want %s", got, pub1)
	}
}
