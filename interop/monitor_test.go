//go:build libzmq

package interop

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// nextEvent returns the next event of kind want from ch, skipping others.
func nextEvent(t *testing.T, ch <-chan zmtp.Event, want zmtp.EventKind) zmtp.Event {
	t.Helper()
	timeout := time.After(opTimeout)
	for {
		select {
		case e := <-ch:
			if e.Kind == want {
				return e
			}
		case <-timeout:
			t.Fatalf("no %v event within %v", want, opTimeout)
		}
	}
}

// TestMonitorLibzmqClients watches our PLAIN server while libzmq clients
// come with good and bad credentials and go.
func TestMonitorLibzmqClients(t *testing.T) {
	k := requireZAP(t)
	events := make(chan zmtp.Event, 64)
	server := newOurs(t, zmtp.REP, &zmtp.Options{Mechanism: secMechs[0].oursServer(k)})
	server.Monitor(events)
	ep := ourBind(t, server)
	if e := nextEvent(t, events, zmtp.EventListening); e.Endpoint != ep {
		t.Errorf("listening on %q, want %q", e.Endpoint, ep)
	}

	bad := newZ(t, zmq.REQ)
	secMechs[0].theirsClient(t, bad, k, false)
	zconnect(t, bad, ep)
	nextEvent(t, events, zmtp.EventAccepted)
	if e := nextEvent(t, events, zmtp.EventHandshakeFailed); !errors.Is(e.Err, zmtp.ErrAuth) {
		t.Errorf("a refused libzmq client: handshake failed with %v, want ErrAuth", e.Err)
	}
	bad.Close()

	good := newZ(t, zmq.REQ)
	secMechs[0].theirsClient(t, good, k, true)
	zconnect(t, good, ep)
	e := nextEvent(t, events, zmtp.EventHandshakeSucceeded)
	if e.Peer == nil || e.Peer.Type != zmtp.REQ || e.Peer.Version != 3 {
		t.Fatalf("handshake with %+v, want a libzmq REQ of ZMTP 3", e.Peer)
	}
	if user, _ := e.Peer.Metadata.Get(zmtp.PropUserID); string(user) != plainUser {
		t.Errorf("User-Id %q, want %q", user, plainUser)
	}
	good.Close()
	if e := nextEvent(t, events, zmtp.EventDisconnected); e.Addr == nil || e.Err == nil {
		t.Errorf("disconnected %+v, want the peer and a cause", e)
	}
}

// TestMonitorLibzmqServers watches our clients of libzmq servers: one
// that refuses the credentials, one that cannot open HELLO because the
// client has the wrong server key, and one that takes the client, and
// reads our READY properties there with zmq_msg_gets.
func TestMonitorLibzmqServers(t *testing.T) {
	k := requireZAP(t)
	ctx := testContext(t, testTimeout)

	t.Run("refused credentials", func(t *testing.T) {
		server := newZ(t, zmq.REP)
		secMechs[0].theirsServer(t, server, k)
		ep := zbind(t, server)
		events := make(chan zmtp.Event, 64)
		client := newOurs(t, zmtp.REQ, &zmtp.Options{Mechanism: secMechs[0].oursClient(k, false)})
		client.Monitor(events)
		ourConnect(t, client, ep)
		if e := nextEvent(t, events, zmtp.EventConnected); e.Addr == nil {
			t.Errorf("connected %+v", e)
		}
		if e := nextEvent(t, events, zmtp.EventHandshakeFailed); !errors.Is(e.Err, zmtp.ErrAuth) {
			t.Errorf("handshake failed with %v, want ErrAuth", e.Err)
		}
	})

	t.Run("wrong server key", func(t *testing.T) {
		server := newZ(t, zmq.REP)
		secMechs[1].theirsServer(t, server, k)
		ep := zbind(t, server)
		wrong := k
		wrong.serverPub = k.badPub
		events := make(chan zmtp.Event, 64)
		client := newOurs(t, zmtp.REQ, &zmtp.Options{Mechanism: secMechs[1].oursClient(wrong, true), ReconnectInterval: 20 * time.Millisecond})
		client.Monitor(events)
		ourConnect(t, client, ep)
		first := nextEvent(t, events, zmtp.EventHandshakeFailed)
		nextEvent(t, events, zmtp.EventConnectRetried)
		// A call made meanwhile ends with its deadline and says why.
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		must(t, client.Send(short, []byte("hello")))
		_, err := client.Recv(short)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "server key") {
			t.Errorf("Recv = %v, want the deadline with the handshake's failure", err)
		}
		if !strings.Contains(first.Err.Error(), "closed the connection during the CURVE handshake") {
			t.Errorf("handshake failed with %v, want the peer closing it", first.Err)
		}
	})

	for _, mech := range []string{"NULL", "CURVE"} {
		t.Run("properties read by libzmq/"+mech, func(t *testing.T) {
			server := newZ(t, zmq.REP)
			o := &zmtp.Options{Properties: zmtp.Metadata{
				{Name: "X-Role", Value: []byte("monitor test")},
				{Name: "X-Empty", Value: nil},
			}}
			if mech == "CURVE" {
				secMechs[1].theirsServer(t, server, k)
				o.Mechanism = secMechs[1].oursClient(k, true)
			}
			ep := zbind(t, server)
			client := newOurs(t, zmtp.REQ, o)
			ourConnect(t, client, ep)
			must(t, client.Send(ctx, []byte("hello")))
			msg, md, err := server.RecvMessageWithMetadata(0, "X-Role", "X-Empty", "Socket-Type")
			if err != nil {
				t.Fatal(err)
			}
			if len(msg) != 1 || msg[0] != "hello" || md["X-Role"] != "monitor test" || md["Socket-Type"] != "REQ" {
				t.Errorf("libzmq got %q with metadata %q", msg, md)
			}
			if v, ok := md["X-Empty"]; !ok || v != "" {
				t.Errorf("X-Empty = %q, %v; want an empty value", v, ok)
			}
		})
	}
}
