package xbahn_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/zmtp"
)

// TestClosedErrorsMatch checks that whichever layer reports a closed
// connection, every layer's ErrClosed, and net.ErrClosed, match it.
func TestClosedErrorsMatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hub := &zmtp.Hub{}
	opts := &xbahn.Options{Hub: hub}
	server, err := xbahn.Listen("zmq://closed/rep?transport=inproc", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	s, _ := rpc.NewServer(nil)
	defer s.Close()
	s.Register("ping", func() string { return "pong" })
	s.Attach(xbahn.NewLink(xbahn.Conns{Receive: server, Respond: server}))
	conn, err := xbahn.Connect("zmq://closed/req?transport=inproc", opts)
	if err != nil {
		t.Fatal(err)
	}
	w := xbahn.NewLink(xbahn.Conns{Send: conn, Receive: conn}).Main()
	client, err := rpc.NewClient(ctx, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	_, callErr := client.Call(ctx, "ping")
	sendErr := w.Send(ctx, "x", xbahn.NewMessage(1))
	for _, tt := range []struct {
		what string
		err  error
	}{
		{"an rpc call after conn.Close", callErr},
		{"a Send after conn.Close", sendErr},
		{"xbahn.ErrClosed", xbahn.ErrClosed},
		{"rpc.ErrClosed", rpc.ErrClosed},
		{"zmtp.ErrClosed", zmtp.ErrClosed},
	} {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.what)
			continue
		}
		for _, target := range []error{xbahn.ErrClosed, rpc.ErrClosed, zmtp.ErrClosed, net.ErrClosed} {
			if !errors.Is(tt.err, target) {
				t.Errorf("%s: errors.Is(%v, %v) = false", tt.what, tt.err, target)
			}
		}
	}
}
