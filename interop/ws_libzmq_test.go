//go:build libzmq

package interop

import (
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// zbindWS binds a libzmq socket to a free ws port on loopback.
func zbindWS(t testing.TB, s *zmq.Socket) string {
	t.Helper()
	if err := s.Bind("ws://127.0.0.1:*" + wsPath); err != nil {
		failOrSkip(t, "libzmq Bind on ws: %v (libzmq built without its WebSocket transport, a draft in 4.3?)", err)
	}
	ep, err := s.GetLastEndpoint()
	if err != nil {
		t.Fatalf("libzmq GetLastEndpoint: %v", err)
	}
	return ep
}

// theirEnd is a libzmq socket's end.
func theirEnd(s *zmq.Socket) wsEnd {
	return wsEnd{
		send: func(f [][]byte) error { return zsend(s, f...) },
		recv: func(d time.Duration) ([][]byte, error) {
			s.SetRcvtimeo(d)
			defer s.SetRcvtimeo(opTimeout)
			return zrecv(s)
		},
	}
}

// zmqType is the libzmq socket type of t.
func zmqType(t zmtp.Type) zmq.Type {
	return map[zmtp.Type]zmq.Type{
		zmtp.REQ: zmq.REQ, zmtp.REP: zmq.REP, zmtp.DEALER: zmq.DEALER, zmtp.ROUTER: zmq.ROUTER,
		zmtp.PUB: zmq.PUB, zmtp.SUB: zmq.SUB, zmtp.PUSH: zmq.PUSH, zmtp.PULL: zmq.PULL, zmtp.PAIR: zmq.PAIR,
	}[t]
}

// TestWSLibzmq runs each shape over ws with libzmq on either side, and
// either side binding.
func TestWSLibzmq(t *testing.T) {
	for _, sh := range wsShapes {
		for _, oursFirst := range []bool{true, false} {
			for _, oursBind := range []bool{true, false} {
				name := sh.name + map[bool]string{true: "/ours " + sh.first.String(), false: "/ours " + sh.second.String()}[oursFirst] +
					map[bool]string{true: "/ours binds", false: "/libzmq binds"}[oursBind]
				t.Run(name, func(t *testing.T) {
					ctx := testContext(t, testTimeout)
					ourType, theirType := sh.second, sh.first
					if oursFirst {
						ourType, theirType = sh.first, sh.second
					}
					o := &zmtp.Options{ReconnectInterval: 10 * time.Millisecond}
					if oursFirst {
						o.Identity = []byte("first")
					}
					ours := newOurs(t, ourType, o)
					theirs := newZ(t, zmqType(theirType))
					if !oursFirst {
						must(t, theirs.SetIdentity("first"))
					}
					if theirType == zmtp.SUB {
						must(t, theirs.SetSubscribe("news"))
					}
					if ourType == zmtp.SUB {
						must(t, ours.Subscribe([]byte("news")))
					}
					if oursBind {
						zconnect(t, theirs, ourBindWS(t, ours))
					} else {
						ourConnect(t, ours, zbindWS(t, theirs))
					}
					a, b := ourEnd(ctx, ours), theirEnd(theirs)
					if !oursFirst {
						a, b = b, a
					}
					wsExchange(t, sh, a, b, "first")
				})
			}
		}
	}
}

// TestWSLibzmqSecurity runs PLAIN and CURVE over ws, with our socket as
// the mechanism's client and as its server; the server binds.
func TestWSLibzmqSecurity(t *testing.T) {
	for _, mech := range secMechs {
		for _, sh := range secShapes {
			for _, oursServer := range []bool{false, true} {
				name := mech.name + "/" + sh.name + map[bool]string{false: "/ours client", true: "/ours server"}[oursServer]
				t.Run(name, func(t *testing.T) {
					k := requireZAP(t)
					ctx := testContext(t, testTimeout)
					var client, server wsEnd
					if oursServer {
						s := newOurs(t, sh.server, &zmtp.Options{Mechanism: mech.oursServer(k)})
						ep := ourBindWS(t, s)
						c := newZ(t, zmqType(sh.client))
						mech.theirsClient(t, c, k, true)
						zconnect(t, c, ep)
						client, server = theirEnd(c), ourEnd(ctx, s)
					} else {
						s := newZ(t, zmqType(sh.server))
						mech.theirsServer(t, s, k)
						ep := zbindWS(t, s)
						c := newOurs(t, sh.client, &zmtp.Options{Mechanism: mech.oursClient(k, true)})
						ourConnect(t, c, ep)
						client, server = ourEnd(ctx, c), theirEnd(s)
					}
					must(t, client.send(frames("hello")))
					got, err := server.recv(opTimeout)
					if err != nil {
						t.Fatalf("server: %v", err)
					}
					if d := diffFrames(sh.body(got), frames("hello")); d != "" {
						t.Fatalf("server got %s", d)
					}
					must(t, server.send(sh.reply(got)))
					back, err := client.recv(opTimeout)
					if err != nil {
						t.Fatalf("client: %v", err)
					}
					if d := diffFrames(back, frames("world")); d != "" {
						t.Fatalf("client got %s", d)
					}
				})
			}
		}
	}
}

// TestWSLibzmqHeartbeat keeps a ws connection quiet for several
// heartbeat timeouts of both sides: libzmq's pings (WebSocket pings) are
// answered, and so are ours, so that neither side drops the connection.
func TestWSLibzmqHeartbeat(t *testing.T) {
	for _, oursBind := range []bool{true, false} {
		t.Run(map[bool]string{true: "ours binds", false: "libzmq binds"}[oursBind], func(t *testing.T) {
			ctx := testContext(t, testTimeout)
			ours := newOurs(t, zmtp.REP, &zmtp.Options{Heartbeat: zmtp.Heartbeat{Interval: 20 * time.Millisecond, Timeout: 150 * time.Millisecond}})
			theirs := newZ(t, zmq.REQ)
			must(t, theirs.SetHeartbeatIvl(20*time.Millisecond))
			must(t, theirs.SetHeartbeatTimeout(150*time.Millisecond))
			mon := watch(t, theirs, zmq.EVENT_DISCONNECTED|zmq.EVENT_HANDSHAKE_SUCCEEDED)
			if oursBind {
				zconnect(t, theirs, ourBindWS(t, ours))
			} else {
				ourConnect(t, ours, zbindWS(t, theirs))
			}
			a, b := theirEnd(theirs), ourEnd(ctx, ours)
			must(t, a.send(frames("before")))
			got, err := b.recv(opTimeout)
			if err != nil {
				t.Fatal(err)
			}
			must(t, b.send(got))
			if _, err := a.recv(opTimeout); err != nil {
				t.Fatal(err)
			}
			mon.waitFor(zmq.EVENT_HANDSHAKE_SUCCEEDED, opTimeout)
			time.Sleep(600 * time.Millisecond) // the quiet spell under test, not a synchronisation
			if evs := mon.drain(); count(evs, zmq.EVENT_DISCONNECTED) > 0 {
				t.Errorf("libzmq saw the connection drop during a quiet spell: %v", evs)
			}
			must(t, a.send(frames("after")))
			got, err = b.recv(opTimeout)
			if err != nil {
				t.Fatal(err)
			}
			must(t, b.send(got))
			if _, err := a.recv(opTimeout); err != nil {
				t.Fatal(err)
			}
		})
	}
}
