package xbahn

import (
	"errors"
	"strings"
	"testing"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// rawPeer returns a bare zmtp socket of type t, announcing props in its
// handshake; closed when the test ends.
func rawPeer(t *testing.T, typ zmtp.Type, props zmtp.Metadata) *zmtp.Socket {
	t.Helper()
	s, err := zmtp.NewSocket(typ, &zmtp.Options{Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var announce = zmtp.Metadata{{Name: PropEncoding, Value: []byte("binary,json")}}

// TestSendEncoding checks what a connection sends to peers that announce
// the binary encoding and to peers that do not, and what a URL or the
// options force.
func TestSendEncoding(t *testing.T) {
	ctx := testCtx(t)
	tests := []struct {
		name  string
		props zmtp.Metadata // what the peer announces
		query string
		opt   wire.Encoding
		want  wire.Encoding
	}{
		{"a peer that announces nothing", nil, "", wire.Unknown, wire.JSON},
		{"an xbahn peer", announce, "", wire.Unknown, wire.Binary},
		{"a peer that reads json only", zmtp.Metadata{{Name: PropEncoding, Value: []byte("json")}}, "", wire.Unknown, wire.JSON},
		{"a peer that lists binary second", zmtp.Metadata{{Name: "x-xbahn-encoding", Value: []byte("json, binary")}}, "", wire.Unknown, wire.Binary},
		{"json forced by the URL", announce, "?encoding=json", wire.Unknown, wire.JSON},
		{"binary forced by the URL", nil, "?encoding=binary", wire.Unknown, wire.Binary},
		{"json forced by the options", announce, "", wire.JSON, wire.JSON},
		{"the URL and the options agree", announce, "?encoding=json", wire.JSON, wire.JSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := rawPeer(t, zmtp.REP, tt.props)
			ep, err := peer.Bind("tcp://127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			conn := mustConnect(t, "zmq://"+strings.TrimPrefix(ep, "tcp://")+"/req"+tt.query, &Options{Encoding: tt.opt})
			w := NewLink(Conns{Send: conn, Receive: conn}).Main()
			answer := make(chan []byte, 2)
			go func() {
				for range 2 {
					frames, err := peer.Recv(ctx)
					if err != nil {
						answer <- nil
						return
					}
					answer <- frames[0]
					peer.Send(ctx, []byte(`{"meta": {"id": "r"}}`))
				}
			}()
			// The first request may leave before the connection is up;
			// the second follows a reply that came over it.
			for i := range 2 {
				if err := w.Send(ctx, "a.b", NewMessage(i)); err != nil {
					t.Fatal(err)
				}
				got := wire.Sniff(<-answer)
				if i == 1 && got != tt.want || got == wire.Binary && tt.want != wire.Binary {
					t.Errorf("request %d went as %v, want %v", i, got, tt.want)
				}
			}
		})
	}
	if _, err := Connect("zmq://127.0.0.1:1/push?encoding=json", &Options{Encoding: wire.Binary}); err == nil {
		t.Error("a URL that contradicts the options was accepted")
	}
	var ue *URLError
	if _, err := Connect("zmq://127.0.0.1:1/push?encoding=xml", nil); !errors.As(err, &ue) || ue.Part != "encoding" {
		t.Errorf("encoding=xml: %v, want a URLError on the encoding", err)
	}
}

// TestSendEncodingBeforeConnect checks that a message sent before its
// peer is known goes out as JSON, which every peer reads.
func TestSendEncodingBeforeConnect(t *testing.T) {
	ctx := testCtx(t)
	hub := &zmtp.Hub{}
	conn := mustConnect(t, "zmq://late/push?transport=inproc", &Options{Hub: hub})
	w := NewLink(Conns{Send: conn}).Main()
	if err := w.Send(ctx, "early", NewMessage(1)); err != nil {
		t.Fatal(err)
	}
	peer, err := zmtp.NewSocket(zmtp.PULL, &zmtp.Options{Hub: hub, Properties: announce})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.Bind("inproc://late"); err != nil {
		t.Fatal(err)
	}
	frames, err := peer.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := wire.Sniff(frames[0]); got != wire.JSON {
		t.Errorf("a message sent before the peer was known went as %v, want json", got)
	}
	// Now the peer is known, and reads binary.
	if err := w.Send(ctx, "late", NewMessage(2)); err != nil {
		t.Fatal(err)
	}
	if frames, err = peer.Recv(ctx); err != nil || wire.Sniff(frames[0]) != wire.Binary {
		t.Errorf("a message to a known xbahn peer: %q, %v; want binary", frames, err)
	}
}

// TestReplyEncoding checks the encoding of replies: binary to a peer
// that announced it or asked in binary, JSON to others.
func TestReplyEncoding(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		return w.Respond(m, NewMessage("ok"))
	})
	req := &Message{}
	req.ID, req.Path = "r1", "x"
	jsonReq, err := req.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	binReq, err := req.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		props zmtp.Metadata
		req   []byte
		want  wire.Encoding
	}{
		{"json from a peer that announces nothing", nil, jsonReq, wire.JSON},
		{"binary from a peer that announces nothing", nil, binReq, wire.Binary},
		{"json from an xbahn peer", announce, jsonReq, wire.Binary},
	} {
		peer := rawPeer(t, zmtp.REQ, tt.props)
		if err := peer.Connect(server.Endpoint()); err != nil {
			t.Fatal(err)
		}
		if err := peer.Send(ctx, tt.req); err != nil {
			t.Fatal(err)
		}
		frames, err := peer.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := wire.Sniff(frames[0]); got != tt.want {
			t.Errorf("%s: reply in %v, want %v", tt.name, got, tt.want)
		}
		peer.Close()
	}
}
