//go:build libzmq

package interop

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

// zapDomain is the ZAP domain of every libzmq server socket of these tests.
const zapDomain = "xbahn"

// Credentials of the security tests. libzmq's ZAP handler (pebbe/zmq4's)
// and our servers know the same ones.
const (
	plainUser = "admin"
	plainPass = "secret"
)

// secKeys are the CURVE keys of the tests: the server's, the one client
// key the servers accept, and a key they refuse.
type secKeys struct {
	serverPub, serverSec curve.Key
	goodPub, goodSec     curve.Key
	badPub, badSec       curve.Key
}

var (
	zapOnce    sync.Once
	zapErr     error
	zapStarted bool
	keys       secKeys
)

// TestMain stops libzmq's ZAP handler, if a test started it, once every
// test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if zapStarted {
		zmq.AuthStop()
	}
	os.Exit(code)
}

// requireZAP starts libzmq's ZAP handler once for the whole package, with
// the credentials of these tests, and returns the CURVE keys.
func requireZAP(t testing.TB) secKeys {
	t.Helper()
	requireLibzmq(t)
	if !zmq.HasCurve() {
		failOrSkip(t, "libzmq was built without CURVE")
	}
	zapOnce.Do(func() {
		gen := func(pub, sec *curve.Key) {
			if zapErr == nil {
				*pub, *sec, zapErr = curve.NewKeyPair()
			}
		}
		gen(&keys.serverPub, &keys.serverSec)
		gen(&keys.goodPub, &keys.goodSec)
		gen(&keys.badPub, &keys.badSec)
		if zapErr != nil {
			return
		}
		if zapErr = zmq.AuthStart(); zapErr != nil {
			return
		}
		zapStarted = true
		zmq.AuthAllow(zapDomain, "127.0.0.1")
		zmq.AuthPlainAdd(zapDomain, plainUser, plainPass)
		zmq.AuthCurveAdd(zapDomain, keys.goodPub.String())
	})
	if zapErr != nil {
		t.Fatalf("starting libzmq's ZAP handler: %v", zapErr)
	}
	return keys
}

// A secMech is one security mechanism as both libraries configure it.
type secMech struct {
	name string
	// ours returns our client or server mechanism; good selects
	// credentials the servers accept.
	oursClient func(k secKeys, good bool) zmtp.Mechanism
	oursServer func(k secKeys) zmtp.Mechanism
	// theirs configures a libzmq socket as client or server.
	theirsClient func(t testing.TB, s *zmq.Socket, k secKeys, good bool)
	theirsServer func(t testing.TB, s *zmq.Socket, k secKeys)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var secMechs = []secMech{
	{
		name: "PLAIN",
		oursClient: func(_ secKeys, good bool) zmtp.Mechanism {
			if good {
				return zmtp.PlainClient{Username: plainUser, Password: plainPass}
			}
			return zmtp.PlainClient{Username: plainUser, Password: "wrong"}
		},
		oursServer: func(secKeys) zmtp.Mechanism {
			return zmtp.PlainServer{Authenticate: func(user, pass string, _ net.Addr) (string, error) {
				if user == plainUser && pass == plainPass {
					return user, nil
				}
				return "", errors.New("wrong user name or password")
			}}
		},
		theirsClient: func(t testing.TB, s *zmq.Socket, _ secKeys, good bool) {
			pass := plainPass
			if !good {
				pass = "wrong"
			}
			must(t, s.ClientAuthPlain(plainUser, pass))
		},
		theirsServer: func(t testing.TB, s *zmq.Socket, _ secKeys) {
			must(t, s.ServerAuthPlain(zapDomain))
		},
	},
	{
		name: "CURVE",
		oursClient: func(k secKeys, good bool) zmtp.Mechanism {
			if good {
				return curve.Client{ServerKey: k.serverPub, PublicKey: k.goodPub, SecretKey: k.goodSec}
			}
			return curve.Client{ServerKey: k.serverPub, PublicKey: k.badPub, SecretKey: k.badSec}
		},
		oursServer: func(k secKeys) zmtp.Mechanism {
			return curve.Server{PublicKey: k.serverPub, SecretKey: k.serverSec, Authorize: func(client curve.Key, _ net.Addr) (string, error) {
				if client == k.goodPub {
					return "good", nil
				}
				return "", errors.New("unknown client key")
			}}
		},
		theirsClient: func(t testing.TB, s *zmq.Socket, k secKeys, good bool) {
			pub, sec := k.goodPub, k.goodSec
			if !good {
				pub, sec = k.badPub, k.badSec
			}
			must(t, s.ClientAuthCurve(k.serverPub.String(), pub.String(), sec.String()))
		},
		theirsServer: func(t testing.TB, s *zmq.Socket, k secKeys) {
			must(t, s.ServerAuthCurve(zapDomain, k.serverSec.String()))
		},
	},
}

// A secShape is a pair of socket types.
type secShape struct {
	name       string
	client     zmtp.Type
	server     zmtp.Type
	zc, zs     zmq.Type
	serverEnvs bool // the server sees a routing id frame first
}

var secShapes = []secShape{
	{"REQ-REP", zmtp.REQ, zmtp.REP, zmq.REQ, zmq.REP, false},
	{"DEALER-ROUTER", zmtp.DEALER, zmtp.ROUTER, zmq.DEALER, zmq.ROUTER, true},
}

// reply returns the frames a server answers to a request received as got.
func (sh secShape) reply(got [][]byte) [][]byte {
	if sh.serverEnvs && len(got) > 0 {
		return [][]byte{got[0], []byte("world")}
	}
	return frames("world")
}

// body returns the request's body as a server received it.
func (sh secShape) body(got [][]byte) [][]byte {
	if sh.serverEnvs && len(got) > 0 {
		return got[1:]
	}
	return got
}

func TestSecurityOursClient(t *testing.T) {
	for _, mech := range secMechs {
		for _, sh := range secShapes {
			t.Run(mech.name+"/"+sh.name, func(t *testing.T) {
				k := requireZAP(t)
				ctx := testContext(t, testTimeout)

				server := newZ(t, sh.zs)
				mech.theirsServer(t, server, k)
				ep := zbind(t, server)
				client := newOurs(t, sh.client, &zmtp.Options{Mechanism: mech.oursClient(k, true)})
				ourConnect(t, client, ep)
				must(t, client.Send(ctx, []byte("hello")))
				got, err := zrecv(server)
				if err != nil {
					t.Fatalf("libzmq server: %v", err)
				}
				if d := diffFrames(sh.body(got), frames("hello")); d != "" {
					t.Fatalf("libzmq server got %s", d)
				}
				must(t, zsend(server, sh.reply(got)...))
				back, err := client.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffFrames(back, frames("world")); d != "" {
					t.Fatalf("our client got %s", d)
				}
			})
			t.Run(mech.name+"/"+sh.name+"/refused", func(t *testing.T) {
				k := requireZAP(t)
				ctx := testContext(t, testTimeout)

				server := newZ(t, sh.zs)
				mech.theirsServer(t, server, k)
				mon := watch(t, server, zmq.EVENT_HANDSHAKE_FAILED_AUTH|zmq.EVENT_HANDSHAKE_SUCCEEDED)
				ep := zbind(t, server)
				client := newOurs(t, sh.client, &zmtp.Options{Mechanism: mech.oursClient(k, false), ReconnectInterval: 10 * time.Millisecond})
				ourConnect(t, client, ep)
				must(t, client.Send(ctx, []byte("hello")))
				if evs := mon.waitFor(zmq.EVENT_HANDSHAKE_FAILED_AUTH, opTimeout); count(evs, zmq.EVENT_HANDSHAKE_SUCCEEDED) > 0 {
					t.Errorf("libzmq reports a handshake that succeeded: %v", evs)
				}
				// Our client learns that it was refused: a
				// REQ's Recv and a DEALER's next Send return
				// the refusal, and it does not reconnect.
				var err error
				deadline := time.Now().Add(opTimeout)
				for time.Now().Before(deadline) {
					if sh.client == zmtp.REQ {
						_, err = client.Recv(ctx)
					} else {
						err = client.Send(ctx, []byte("again"))
					}
					if err != nil {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if !errors.Is(err, zmtp.ErrAuth) {
					t.Fatalf("our client's error = %v, want zmtp.ErrAuth", err)
				}
				var pe *zmtp.PeerError
				if !errors.As(err, &pe) {
					t.Errorf("our client's error = %v, want a *zmtp.PeerError", err)
				}
				time.Sleep(100 * time.Millisecond)
				if evs := mon.drain(); count(evs, zmq.EVENT_HANDSHAKE_FAILED_AUTH) > 0 {
					t.Errorf("our client tried again after the refusal: %v", evs)
				}
				server.SetRcvtimeo(50 * time.Millisecond)
				if got, err := zrecv(server); err == nil {
					t.Errorf("libzmq server received %q from a refused client", got)
				}
			})
		}
	}
}

func TestSecurityOursServer(t *testing.T) {
	for _, mech := range secMechs {
		for _, sh := range secShapes {
			t.Run(mech.name+"/"+sh.name, func(t *testing.T) {
				k := requireZAP(t)
				ctx := testContext(t, testTimeout)

				server := newOurs(t, sh.server, &zmtp.Options{Mechanism: mech.oursServer(k)})
				ep := ourBind(t, server)
				client := newZ(t, sh.zc)
				mech.theirsClient(t, client, k, true)
				zconnect(t, client, ep)
				must(t, zsend(client, []byte("hello")))
				got, err := server.Recv(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffFrames(sh.body(got), frames("hello")); d != "" {
					t.Fatalf("our server got %s", d)
				}
				must(t, server.Send(ctx, sh.reply(got)...))
				back, err := zrecv(client)
				if err != nil {
					t.Fatalf("libzmq client: %v", err)
				}
				if d := diffFrames(back, frames("world")); d != "" {
					t.Fatalf("libzmq client got %s", d)
				}
			})
			t.Run(mech.name+"/"+sh.name+"/refused", func(t *testing.T) {
				k := requireZAP(t)
				ctx := testContext(t, testTimeout)

				server := newOurs(t, sh.server, &zmtp.Options{Mechanism: mech.oursServer(k)})
				ep := ourBind(t, server)
				client := newZ(t, sh.zc)
				mech.theirsClient(t, client, k, false)
				// libzmq's PLAIN client does not recognize a
				// well-formed ERROR (see libzmqPlainError in
				// package zmtp): it reports a protocol error
				// instead of an authentication failure.
				failed := zmq.EVENT_HANDSHAKE_FAILED_AUTH
				if mech.name == "PLAIN" {
					failed = zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
				}
				mon := watch(t, client, failed|zmq.EVENT_HANDSHAKE_SUCCEEDED)
				zconnect(t, client, ep)
				must(t, zsend(client, []byte("hello")))
				evs := mon.waitFor(failed|zmq.EVENT_HANDSHAKE_SUCCEEDED, opTimeout)
				if count(evs, zmq.EVENT_HANDSHAKE_SUCCEEDED) > 0 {
					t.Fatalf("libzmq client reports a handshake that succeeded: %v", evs)
				}
				short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				if got, err := server.Recv(short); err == nil {
					t.Errorf("our server received %q from a refused client", got)
				}
			})
		}
	}
}

// TestCurveWrongServerKey checks both directions with a client that has
// the wrong server key: the server cannot open HELLO and closes the
// connection, and no message gets through.
func TestCurveWrongServerKey(t *testing.T) {
	k := requireZAP(t)
	ctx := testContext(t, testTimeout)
	wrong := k
	wrong.serverPub = k.badPub

	t.Run("ours client", func(t *testing.T) {
		server := newZ(t, zmq.REP)
		secMechs[1].theirsServer(t, server, k)
		mon := watch(t, server, zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL|zmq.EVENT_HANDSHAKE_SUCCEEDED)
		ep := zbind(t, server)
		client := newOurs(t, zmtp.REQ, &zmtp.Options{Mechanism: secMechs[1].oursClient(wrong, true)})
		ourConnect(t, client, ep)
		must(t, client.Send(ctx, []byte("hello")))
		if evs := mon.waitFor(zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL|zmq.EVENT_HANDSHAKE_SUCCEEDED, opTimeout); count(evs, zmq.EVENT_HANDSHAKE_SUCCEEDED) > 0 {
			t.Fatalf("libzmq accepted a client with the wrong server key: %v", evs)
		}
		server.SetRcvtimeo(100 * time.Millisecond)
		if got, err := zrecv(server); err == nil {
			t.Errorf("libzmq server received %q", got)
		}
	})
	t.Run("ours server", func(t *testing.T) {
		server := newOurs(t, zmtp.REP, &zmtp.Options{Mechanism: secMechs[1].oursServer(k)})
		ep := ourBind(t, server)
		client := newZ(t, zmq.REQ)
		secMechs[1].theirsClient(t, client, wrong, true)
		zconnect(t, client, ep)
		must(t, zsend(client, []byte("hello")))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if got, err := server.Recv(short); err == nil {
			t.Errorf("our server received %q", got)
		}
	})
}

// TestCurveHeartbeat checks that libzmq's PINGs, which travel inside
// MESSAGE under CURVE, are answered and keep the connection up, and that
// ours are answered by libzmq.
func TestCurveHeartbeat(t *testing.T) {
	k := requireZAP(t)
	ctx := testContext(t, testTimeout)
	server := newZ(t, zmq.REP)
	secMechs[1].theirsServer(t, server, k)
	must(t, server.SetHeartbeatIvl(20*time.Millisecond))
	must(t, server.SetHeartbeatTimeout(200*time.Millisecond))
	mon := watch(t, server, zmq.EVENT_DISCONNECTED|zmq.EVENT_ACCEPTED)
	ep := zbind(t, server)
	client := newOurs(t, zmtp.REQ, &zmtp.Options{
		Mechanism: secMechs[1].oursClient(k, true),
		Heartbeat: zmtp.Heartbeat{Interval: 20 * time.Millisecond, Timeout: 200 * time.Millisecond},
	})
	ourConnect(t, client, ep)
	for i := range 2 {
		must(t, client.Send(ctx, []byte("ping")))
		got, err := zrecv(server)
		if err != nil {
			t.Fatal(err)
		}
		must(t, zsend(server, got...))
		if _, err := client.Recv(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			time.Sleep(time.Second)
		}
	}
	evs := mon.drain()
	if n := count(evs, zmq.EVENT_DISCONNECTED); n > 0 {
		t.Errorf("libzmq saw %d disconnections during idle heartbeats: %v", n, evs)
	}
	if n := count(evs, zmq.EVENT_ACCEPTED); n != 1 {
		t.Errorf("libzmq accepted %d connections, want 1: %v", n, evs)
	}
}
