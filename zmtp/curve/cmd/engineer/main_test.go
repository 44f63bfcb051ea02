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
