package zmtp

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    Endpoint
		wantErr string
	}{
		{"tcp://127.0.0.1:5555", Endpoint{"tcp", "127.0.0.1:5555"}, ""},
		{"tcp://*:*", Endpoint{"tcp", "*:*"}, ""},
		{"tcp://[::1]:0", Endpoint{"tcp", "[::1]:0"}, ""},
		{"tcp://localhost:080", Endpoint{"tcp", "localhost:80"}, ""},
		{"ipc:///tmp/a.sock", Endpoint{"ipc", "/tmp/a.sock"}, ""},
		{"ipc://rel/path", Endpoint{"ipc", "rel/path"}, ""},
		{"inproc://name", Endpoint{"inproc", "name"}, ""},
		{"127.0.0.1:5555", Endpoint{}, "missing transport"},
		{"://x", Endpoint{}, "missing transport"},
		{"udp://1.2.3.4:5", Endpoint{}, `unknown transport "udp"`},
		{"tcp://127.0.0.1", Endpoint{}, "must be host:port"},
		{"tcp://:5555", Endpoint{}, "has no host"},
		{"tcp://1.2.3.4:99999", Endpoint{}, `port "99999"`},
		{"tcp://1.2.3.4:-1", Endpoint{}, `port "-1"`},
		{"tcp://1.2.3.4:+1", Endpoint{}, `port "+1"`},
		{"tcp://a b:1", Endpoint{}, "not a host name"},
		{"ipc://", Endpoint{}, "no path"},
		{"inproc://", Endpoint{}, "no name"},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseEndpoint(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			continue
		}
		var ee *EndpointError
		if !errors.As(err, &ee) || ee.Endpoint != tt.in || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseEndpoint(%q) error = %v, want one naming the endpoint and %q", tt.in, err, tt.wantErr)
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseEndpoint(%q) error does not wrap ErrMalformed", tt.in)
		}
	}
	if err := mustSocket(t, REQ, nil).Connect("tcp://*:5555"); err == nil {
		t.Error("Connect to a wildcard host succeeded")
	}
}

func TestIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback on this machine:", err)
	}
	ln.Close()
	rep := mustSocket(t, REP, nil)
	ep, err := rep.Bind("tcp://[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ep, "tcp://[::1]:") {
		t.Errorf("bound endpoint = %q", ep)
	}
	startEcho(t, rep)
	req := mustSocket(t, REQ, nil)
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("six"))
	if msg, err := req.Recv(ctx); err != nil || string(msg[0]) != "six" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
}

func TestIPC(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rep.sock")
	ep := "ipc://" + path

	// A socket file left by a process that is gone is replaced.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket file missing: %v", err)
	}

	rep := mustSocket(t, REP, nil)
	got, err := rep.Bind(ep)
	if err != nil || got != ep {
		t.Fatalf("Bind over a stale file = %q, %v", got, err)
	}
	startEcho(t, rep)

	// A live one is not stolen.
	thief := mustSocket(t, REP, nil)
	if _, err := thief.Bind(ep); err == nil {
		t.Fatal("a second Bind took over a live ipc endpoint")
	}

	req := mustSocket(t, REQ, nil)
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("over ipc"))
	if msg, err := req.Recv(ctx); err != nil || string(msg[0]) != "over ipc" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	// A regular file is never removed.
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("data"), 0o600)
	if _, err := mustSocket(t, REP, nil).Bind("ipc://" + plain); err == nil {
		t.Error("Bind replaced a regular file")
	}
	if b, _ := os.ReadFile(plain); string(b) != "data" {
		t.Error("regular file changed")
	}
}

func inprocPair(t testing.TB, a, b Type, oa, ob *Options) (*Socket, *Socket) {
	t.Helper()
	hub := &Hub{}
	if oa == nil {
		oa = &Options{}
	}
	if ob == nil {
		ob = &Options{}
	}
	oa.Hub, ob.Hub = hub, hub
	sa := mustSocket(t, a, oa)
	sb := mustSocket(t, b, ob)
	if _, err := sa.Bind("inproc://x"); err != nil {
		t.Fatal(err)
	}
	connect(t, sb, "inproc://x")
	return sa, sb
}

func TestInprocReqRep(t *testing.T) {
	rep, req := inprocPair(t, REP, REQ, nil, nil)
	startEcho(t, rep)
	ctx := testCtx(t)
	for i := 0; i < 100; i++ {
		if err := req.Send(ctx, []byte("a"), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		msg, err := req.Recv(ctx)
		if err != nil || len(msg) != 2 || msg[1][0] != byte(i) {
			t.Fatalf("round trip %d = %q, %v", i, msg, err)
		}
	}
}

func TestInprocConnectBeforeBind(t *testing.T) {
	hub := &Hub{}
	ctx := testCtx(t)
	push := mustSocket(t, PUSH, &Options{Hub: hub})
	connect(t, push, "inproc://later")
	if err := push.Send(ctx, []byte("queued")); err != nil {
		t.Fatal(err)
	}
	pull := mustSocket(t, PULL, &Options{Hub: hub})
	if _, err := pull.Bind("inproc://later"); err != nil {
		t.Fatal(err)
	}
	if msg, err := pull.Recv(ctx); err != nil || string(msg[0]) != "queued" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	// The binder goes away and another takes the name: the connected
	// side follows.
	pull.Close()
	pull2 := mustSocket(t, PULL, &Options{Hub: hub})
	if _, err := pull2.Bind("inproc://later"); err != nil {
		t.Fatalf("rebinding a released name: %v", err)
	}
	if err := push.Send(ctx, []byte("again")); err != nil {
		t.Fatal(err)
	}
	if msg, err := pull2.Recv(ctx); err != nil || string(msg[0]) != "again" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
}

func TestInprocHandOver(t *testing.T) {
	pull, push := inprocPair(t, PULL, PUSH, nil, nil)
	ctx := testCtx(t)
	frame := []byte("no copy")
	m := &Msg{Frames: [][]byte{frame}}
	if err := push.SendMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	if m.Frames != nil {
		t.Error("SendMsg left the frames in m")
	}
	var got Msg
	if err := pull.RecvMsg(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if &got.Frames[0][0] != &frame[0] {
		t.Error("SendMsg copied the frame over inproc")
	}
	// Send copies: the caller keeps its buffer.
	buf := []byte("copy")
	push.Send(ctx, buf)
	if err := pull.RecvMsg(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if &got.Frames[0][0] == &buf[0] || string(got.Frames[0]) != "copy" {
		t.Error("Send handed the caller's buffer over")
	}
}

// TestInprocOrder checks that messages handed over in-process arrive once
// each and in order while the sender keeps meeting the high-water mark.
func TestInprocOrder(t *testing.T) {
	pull, push := inprocPair(t, PULL, PUSH, &Options{RecvHWM: 50}, &Options{SendHWM: 50})
	ctx := testCtx(t)
	const n = 20000
	go func() {
		var b [8]byte
		for i := range n {
			binary.LittleEndian.PutUint64(b[:], uint64(i))
			if push.Send(ctx, b[:]) != nil {
				return
			}
		}
	}()
	var m Msg
	for i := range n {
		if err := pull.RecvMsg(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint64(m.Frames[0]); got != uint64(i) {
			t.Fatalf("message %d is %d", i, got)
		}
	}
}

func TestInprocHWM(t *testing.T) {
	pull, push := inprocPair(t, PULL, PUSH, &Options{RecvHWM: 2}, &Options{SendHWM: 3})
	ctx := testCtx(t)
	for i := 0; i < 5; i++ {
		if err := push.Send(ctx, []byte{byte(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := push.Send(short, []byte{5}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send over the high-water mark = %v, want a wait ended by the context", err)
	}
	// A blocked sender resumes once the receiver has made room: as in
	// libzmq, when the queue is down to its low-water mark, not after
	// every message.
	done := make(chan error, 1)
	go func() { done <- push.Send(ctx, []byte{6}) }()
	for i := 0; i < 5; i++ {
		if msg, err := pull.Recv(ctx); err != nil || msg[0][0] != byte(i) {
			t.Fatalf("Recv %d = %q, %v", i, msg, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Send after room was made: %v", err)
	}
	if msg, err := pull.Recv(ctx); err != nil || msg[0][0] != 6 {
		t.Fatalf("Recv after the wait = %q, %v; want 6", msg, err)
	}
}

func TestInprocPubSub(t *testing.T) {
	pub, sub := inprocPair(t, PUB, SUB, nil, nil)
	sub.Subscribe([]byte("a"))
	waitSubscriptions(t, pub, 1)
	ctx := testCtx(t)
	pub.Send(ctx, []byte("b-skip"))
	pub.Send(ctx, []byte("a-keep"))
	if msg, err := sub.Recv(ctx); err != nil || string(msg[0]) != "a-keep" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
}

func TestInprocRefusals(t *testing.T) {
	hub := &Hub{}
	pub := mustSocket(t, PUB, &Options{Hub: hub})
	pub.Bind("inproc://p")
	if _, err := mustSocket(t, PULL, &Options{Hub: hub}).Bind("inproc://p"); err == nil {
		t.Error("two sockets bound the same inproc name")
	}
	req := mustSocket(t, REQ, &Options{Hub: hub})
	connect(t, req, "inproc://p")
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("x")); !errors.Is(err, ErrSocketType) {
		t.Errorf("REQ to PUB over inproc: Send = %v, want ErrSocketType", err)
	}
	if err := mustSocket(t, REQ, nil).Connect("inproc://p"); err == nil {
		t.Error("inproc without a hub succeeded")
	}
}

func TestInprocCloseStopsPeers(t *testing.T) {
	rep, req := inprocPair(t, REP, REQ, nil, nil)
	ctx := testCtx(t)
	req.Send(ctx, []byte("q"))
	if _, err := rep.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	rep.Close()
	if _, err := req.Recv(ctx); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Recv after the REP closed = %v, want ErrNoPeer", err)
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := req.Send(short, []byte("q")); err != nil {
		t.Errorf("Send while waiting for a new bind = %v, want queued", err)
	}
}

func TestServeConn(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	startEcho(t, rep)
	a, b := net.Pipe()
	if err := rep.Serve(a); err != nil {
		t.Fatal(err)
	}
	// net.Pipe has no buffer: the raw peer reads the greeting as it
	// writes its own. The goroutines hand their errors back rather than
	// fail the test themselves.
	peer := newRawPeer(t, b)
	greeted := make(chan error, 1)
	go func() {
		g, err := peer.r.next(GreetingSize)
		if err == nil {
			_, err = ParseGreeting(g)
		}
		greeted <- err
	}()
	peer.write(AppendGreeting(nil, "NULL", false))
	if err := <-greeted; err != nil {
		t.Fatalf("reading the greeting: %v", err)
	}
	// write writes b from a goroutine and reports the error on the
	// returned channel.
	write := func(b []byte) <-chan error {
		wrote := make(chan error, 1)
		go func() {
			_, err := peer.conn.Write(b)
			wrote <- err
		}()
		return wrote
	}
	wrote := write(AppendReady(nil, Metadata{{PropSocketType, []byte("REQ")}}))
	if cmd := peer.readCommand(); cmd.Name != CmdReady {
		t.Fatalf("got %s", cmd.Name)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("writing READY: %v", err)
	}
	wrote = write(AppendFrame(AppendFrame(nil, FlagMore, nil), 0, []byte("over a pipe")))
	if got := peer.readMsg(); len(got) != 2 || string(got[1]) != "over a pipe" {
		t.Fatalf("echo = %q", got)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("writing the request: %v", err)
	}
	rep.Close()
	if err := rep.Serve(a); !errors.Is(err, ErrClosed) {
		t.Errorf("Serve on a closed socket = %v", err)
	}
}
