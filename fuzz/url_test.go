package fuzz

import (
	"errors"
	"testing"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/zmtp"
)

// FuzzURL checks that ParseURL never panics, that an error is a
// *xbahn.URLError naming the input and the part at fault, and that a URL
// that parses comes back equal from its canonical form, which is itself
// stable; only a password comes back as the "xxxxx" that String writes in
// its place.
func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"zmq://127.0.0.1:7050/rep",
		"zmq://[::1]:7050/pub/news?transport=tcp",
		"zmq://name/pull?transport=inproc",
		"zmq://%2Ftmp%2Fx.sock/push?transport=ipc",
		"zmq://h:1/sub/a%20b",
		"zmq://h:1/rep?transport=tcp&transport=ipc",
		"zmq://admin:p%40ss@h:1/req",
		"zmq:///rep",
		"",
	} {
		f.Add(s)
	}
	parts := map[string]bool{"scheme": true, "credentials": true, "host": true, "type": true, "topic": true, "transport": true}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := xbahn.ParseURL(s)
		if err != nil {
			var ue *xbahn.URLError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseURL(%q) error %v (%T) is not a *URLError", s, err, err)
			}
			if ue.URL != s {
				t.Fatalf("ParseURL(%q) error names the URL %q", s, ue.URL)
			}
			if !parts[ue.Part] {
				t.Fatalf("ParseURL(%q) error blames an unknown part %q", s, ue.Part)
			}
			return
		}
		canon := u.String()
		back, err := xbahn.ParseURL(canon)
		if err != nil {
			t.Fatalf("ParseURL(%q) = %#v, whose String %q does not parse: %v", s, u, canon, err)
		}
		want := u
		if u.Password != "" {
			want.Password = "xxxxx"
		}
		if back != want {
			t.Fatalf("ParseURL(%q) = %#v, but ParseURL(%q) = %#v", s, u, canon, back)
		}
		if again := back.String(); again != canon {
			t.Fatalf("String is not stable: %q, then %q", canon, again)
		}
		if u.Transport == "tcp" {
			if _, err := zmtp.ParseEndpoint(u.Endpoint()); err != nil {
				t.Fatalf("ParseURL(%q) accepted a host whose endpoint %q does not parse: %v", s, u.Endpoint(), err)
			}
		}
	})
}
