package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// jeromqJar is JeroMQ 0.3.6 as Debian's libjeromq-java installs it: a
// pure-Java ZeroMQ that speaks ZMTP 2.0.
const jeromqJar = "/usr/share/java/jeromq.jar"

// jeromqPeers compiles testdata/JeromqPeer.java and returns a function
// that starts a peer of JeroMQ sockets from it.
func jeromqPeers(t *testing.T) func(t *testing.T) *linePeer {
	t.Helper()
	for _, need := range []string{"javac", "java"} {
		if _, err := exec.LookPath(need); err != nil {
			peerMissing(t, "the JeroMQ peer tests cannot run: no "+need+" (Debian: apt-get install default-jdk-headless)")
		}
	}
	if _, err := os.Stat(jeromqJar); err != nil {
		peerMissing(t, "the JeroMQ peer tests cannot run: "+err.Error()+" (Debian: apt-get install libjeromq-java)")
	}
	dir := t.TempDir()
	out, err := exec.Command("javac", "-cp", jeromqJar, "-d", dir, filepath.Join("testdata", "JeromqPeer.java")).CombinedOutput()
	if err != nil {
		t.Fatalf("compiling the JeroMQ peer: %v\n%s", err, out)
	}
	return func(t *testing.T) *linePeer {
		t.Helper()
		return startLinePeer(t, exec.Command("java", "-cp", jeromqJar+string(os.PathListSeparator)+dir, "JeromqPeer"))
	}
}

// jeromqCell is one pairing of our socket type with JeroMQ's.
type jeromqCell struct {
	ours, theirs zmtp.Type
	// exchange moves messages between our socket s and the peer's
	// socket 1, in the pattern's directions, and checks them.
	exchange func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer)
}

// payload is a message of every shape a pattern carries: an empty frame,
// a short one and one over 255 bytes, which takes a long frame header.
func payload(tag string) [][]byte {
	return [][]byte{[]byte(tag), {}, bytes.Repeat([]byte("L"), 300)}
}

func sameFrames(got, want [][]byte) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			return false
		}
	}
	return true
}

// oursToTheirs sends from our socket and checks what the peer receives.
func oursToTheirs(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer, send, want [][]byte) {
	t.Helper()
	if err := s.Send(ctx, send...); err != nil {
		t.Fatalf("our Send: %v", err)
	}
	got, err := peer.Recv(ctx, 1)
	if err != nil || !sameFrames(got, want) {
		t.Fatalf("JeroMQ received %s, %v; want %s", brief(got), err, brief(want))
	}
}

// theirsToOurs sends from the peer and checks what our socket receives.
func theirsToOurs(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer, send, want [][]byte) [][]byte {
	t.Helper()
	if err := peer.Send(ctx, 1, send); err != nil {
		t.Fatalf("JeroMQ send: %v", err)
	}
	var m zmtp.Msg
	if err := s.RecvMsg(ctx, &m); err != nil {
		t.Fatalf("our Recv: %v", err)
	}
	if want != nil && !sameFrames(m.Frames, want) {
		t.Fatalf("we received %s, want %s", brief(m.Frames), brief(want))
	}
	if m.Peer == nil || m.Peer.Version != 2 {
		t.Fatalf("the peer's connection is %+v, want ZMTP 2", m.Peer)
	}
	return append([][]byte(nil), m.Frames...)
}

var jeromqCells = []jeromqCell{
	{zmtp.REQ, zmtp.REP, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		oursToTheirs(ctx, t, s, peer, payload("request"), payload("request"))
		theirsToOurs(ctx, t, s, peer, payload("reply"), payload("reply"))
	}},
	{zmtp.REP, zmtp.REQ, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		theirsToOurs(ctx, t, s, peer, payload("request"), payload("request"))
		oursToTheirs(ctx, t, s, peer, payload("reply"), payload("reply"))
	}},
	{zmtp.DEALER, zmtp.ROUTER, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		if err := s.Send(ctx, payload("job")...); err != nil {
			t.Fatal(err)
		}
		got, err := peer.Recv(ctx, 1)
		if err != nil || len(got) != 4 || !sameFrames(got[1:], payload("job")) {
			t.Fatalf("JeroMQ ROUTER received %s, %v; want a routing id and the job", brief(got), err)
		}
		theirsToOurs(ctx, t, s, peer, append([][]byte{got[0]}, payload("done")...), payload("done"))
	}},
	{zmtp.ROUTER, zmtp.DEALER, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		got := theirsToOurs(ctx, t, s, peer, payload("job"), nil)
		if len(got) != 4 || !sameFrames(got[1:], payload("job")) {
			t.Fatalf("our ROUTER received %s, want a routing id and the job", brief(got))
		}
		oursToTheirs(ctx, t, s, peer, append([][]byte{got[0]}, payload("done")...), payload("done"))
	}},
	{zmtp.PUSH, zmtp.PULL, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		oursToTheirs(ctx, t, s, peer, payload("task"), payload("task"))
	}},
	{zmtp.PULL, zmtp.PUSH, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		theirsToOurs(ctx, t, s, peer, payload("task"), payload("task"))
	}},
	{zmtp.PUB, zmtp.SUB, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		// The subscription arrives some time after the connection:
		// publish until the subscriber has one, as a publisher does.
		for {
			if err := s.Send(ctx, [][]byte{[]byte("news: tick"), {}}...); err != nil {
				t.Fatal(err)
			}
			if err := s.Send(ctx, []byte("sports: off topic")); err != nil {
				t.Fatal(err)
			}
			wait, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			got, err := peer.Recv(wait, 1)
			cancel()
			if err == nil {
				if !sameFrames(got, [][]byte{[]byte("news: tick"), {}}) {
					t.Fatalf("JeroMQ SUB received %s", brief(got))
				}
				return
			}
			if ctx.Err() != nil {
				t.Fatal("JeroMQ SUB received nothing")
			}
		}
	}},
	{zmtp.SUB, zmtp.PUB, func(ctx context.Context, t *testing.T, s *zmtp.Socket, peer *linePeer) {
		if err := s.Subscribe([]byte("news")); err != nil {
			t.Fatal(err)
		}
		got := make(chan [][]byte, 1)
		go func() {
			m, err := s.Recv(ctx)
			if err != nil {
				m = nil
			}
			got <- m
		}()
		for {
			if err := peer.Send(ctx, 1, [][]byte{[]byte("sports: off topic")}); err != nil {
				t.Fatal(err)
			}
			if err := peer.Send(ctx, 1, [][]byte{[]byte("news: tick"), {}}); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-got:
				if !sameFrames(m, [][]byte{[]byte("news: tick"), {}}) {
					t.Fatalf("our SUB received %s", brief(m))
				}
				return
			case <-ctx.Done():
				t.Fatal("our SUB received nothing")
			case <-time.After(20 * time.Millisecond): // the publisher's pace
			}
		}
	}},
}

// TestJeromq runs every pattern against JeroMQ 0.3.6, a ZMTP 2.0 peer,
// with each side binding in turn: our sockets talk to it in its version.
func TestJeromq(t *testing.T) {
	start := jeromqPeers(t)
	for _, c := range jeromqCells {
		for _, weBind := range []bool{true, false} {
			role := "JeroMQ binds"
			if weBind {
				role = "we bind"
			}
			t.Run(fmt.Sprintf("%v-%v/%s", c.ours, c.theirs, role), func(t *testing.T) {
				ctx := peerCtx(t)
				peer := start(t)
				s, err := zmtp.NewSocket(c.ours, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				topic := ""
				if c.theirs == zmtp.SUB {
					topic = "news"
				}
				if weBind {
					ep, err := s.Bind("tcp://127.0.0.1:0")
					if err != nil {
						t.Fatal(err)
					}
					if err := peer.Connect(ctx, 1, c.theirs, ep, topic); err != nil {
						t.Fatal(err)
					}
				} else {
					ep, err := peer.Bind(ctx, 1, c.theirs)
					if err != nil {
						t.Fatal(err)
					}
					if topic != "" {
						if err := peer.Subscribe(1, topic); err != nil {
							t.Fatal(err)
						}
					}
					if err := s.Connect(ep); err != nil {
						t.Fatal(err)
					}
				}
				c.exchange(ctx, t, s, peer)
			})
		}
	}
}

// TestJeromqRefusedUnderPlain checks RFC 37's rule against a real ZMTP
// 2.0 peer: a socket with PLAIN does not talk to it, and says why.
func TestJeromqRefusedUnderPlain(t *testing.T) {
	start := jeromqPeers(t)
	ctx := peerCtx(t)
	peer := start(t)
	ep, err := peer.Bind(ctx, 1, zmtp.REP)
	if err != nil {
		t.Fatal(err)
	}
	s, err := zmtp.NewSocket(zmtp.REQ, &zmtp.Options{Mechanism: zmtp.PlainClient{Username: "u", Password: "p"}, ReconnectInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, []byte("q")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(ctx); err == nil || !strings.Contains(err.Error(), "ZMTP 2.0") {
		t.Fatalf("Recv = %v, want the refusal of a ZMTP 2.0 peer under PLAIN", err)
	}
}
