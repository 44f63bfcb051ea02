package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/zmtp"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

func TestCurveEngineer(t *testing.T) {
	pub, sec, err := curve.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := engineer.StartDemo("zmq://127.0.0.1:0/rep", &xbahn.Options{
		Socket: zmtp.Options{Mechanism: curve.Server{PublicKey: pub, SecretKey: sec}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	host := strings.TrimPrefix(conn.Remote(), "connect->")
	wrong, _, _ := curve.NewKeyPair()
	for _, tt := range []struct {
		key  string
		code int
		out  string
	}{
		{pub.String(), 0, "multiply> 42"},
		{wrong.String(), 1, ""},
		{"not a key", 2, ""},
	} {
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := engineer.Main(ctx, []string{"--timeout", "500ms", "--curve-server-key", tt.key, host, "multiply", "6", "7"},
			engineer.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Curve: client})
		cancel()
		if code != tt.code || !strings.Contains(out.String(), tt.out) {
			t.Errorf("key %.10q: exit %d, %q %q; want %d with %q", tt.key, code, out.String(), errOut.String(), tt.code, tt.out)
		}
		if strings.Contains(errOut.String(), sec.String()) {
			t.Error("a secret key was printed")
		}
	}
}

// TestClientKeys checks how the command line's keys make a CURVE client:
// a secret key alone is enough, the client works out the public one.
func TestClientKeys(t *testing.T) {
	server, _, _ := curve.NewKeyPair()
	pub, sec, _ := curve.NewKeyPair()
	for _, tt := range []struct {
		name, public, secret string
		ok                   bool
	}{
		{"both keys", pub.String(), sec.String(), true},
		{"secret key alone", "", sec.String(), true},
		{"public key alone", pub.String(), "", false},
		{"no keys: a new pair", "", "", true},
	} {
		m, err := client(server.String(), tt.public, tt.secret)
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if err != nil {
			continue
		}
		c := m.(curve.Client)
		derived, err := curve.PublicKey(c.SecretKey)
		if err != nil || c.ServerKey != server || c.PublicKey != (curve.Key{}) && c.PublicKey != derived {
			t.Errorf("%s: the client's keys do not belong together (%v)", tt.name, err)
		}
		if tt.secret != "" && c.SecretKey != sec {
			t.Errorf("%s: the client's secret key is not the one given", tt.name)
		}
	}
}
