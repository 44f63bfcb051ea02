package xbahn

import (
	"context"
	"testing"

	"github.com/xbahn-go/xbahn/zmtp"
)

// benchmarkSendAndWait measures a SendAndWait round trip to a REP server
// that answers every message, as the message layer adds it on top of a
// REQ/REP round trip (zmtp's BenchmarkReqRep64).
func benchmarkSendAndWait(b *testing.B, listen, connect string, o *Options) {
	server, err := Listen(listen, o)
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		return w.Respond(m, NewMessage(m.Data))
	})
	if connect == "" {
		connect = peerURL(server)
	}
	client, err := Connect(connect, o)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	w := NewLink(Conns{Send: client, Receive: client}).Main()
	ctx := context.Background()
	payload := string(make([]byte, 64))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.SendAndWait(ctx, "echo", NewMessage(payload)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSendAndWaitTCP(b *testing.B) {
	benchmarkSendAndWait(b, "zmq://127.0.0.1:0/rep", "", nil)
}

func BenchmarkSendAndWaitInproc(b *testing.B) {
	benchmarkSendAndWait(b, "zmq://bench/rep?transport=inproc", "zmq://bench/req?transport=inproc", &Options{Hub: &zmtp.Hub{}})
}
