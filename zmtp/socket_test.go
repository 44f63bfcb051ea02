package zmtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustSocket(t testing.TB, typ Type, o *Options) *Socket {
	t.Helper()
	s, err := NewSocket(typ, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustBind(t testing.TB, s *Socket) string {
	t.Helper()
	ep, err := s.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func startEcho(t testing.TB, rep *Socket) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		echo(ctx, rep)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func TestReqRepShapes(t *testing.T) {
	req, rep := newPair(t, nil)
	startEcho(t, rep)
	ctx := testCtx(t)
	mib := make([]byte, 1<<20)
	for i := range mib {
		mib[i] = byte(i * 7)
	}
	tests := []struct {
		name   string
		frames [][]byte
	}{
		{"one empty frame", [][]byte{{}}},
		{"several empty frames", [][]byte{{}, {}, {}}},
		{"empty frames inside", [][]byte{[]byte("a"), {}, []byte("b"), {}}},
		{"255 bytes", [][]byte{bytes.Repeat([]byte{1}, 255)}},
		{"256 bytes", [][]byte{bytes.Repeat([]byte{2}, 256)}},
		{"1 MiB", [][]byte{mib}},
		{"3 parts", [][]byte{[]byte("one"), []byte("two"), []byte("three")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := req.Send(ctx, tt.frames...); err != nil {
				t.Fatal(err)
			}
			got, err := req.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.frames) {
				t.Fatalf("got %d frames, want %d", len(got), len(tt.frames))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.frames[i]) {
					t.Errorf("frame %d differs: %d bytes, want %d", i, len(got[i]), len(tt.frames[i]))
				}
			}
		})
	}
}

func TestLockstep(t *testing.T) {
	req, rep := newPair(t, nil)
	ctx := testCtx(t)
	if err := req.RecvMsg(ctx, &Msg{}); !errors.Is(err, ErrState) {
		t.Errorf("REQ Recv before Send: error = %v, want ErrState", err)
	}
	if err := rep.Send(ctx, []byte("x")); !errors.Is(err, ErrState) {
		t.Errorf("REP Send before Recv: error = %v, want ErrState", err)
	}
	if err := req.Send(ctx, []byte("q")); err != nil {
		t.Fatal(err)
	}
	if err := req.Send(ctx, []byte("q2")); !errors.Is(err, ErrState) {
		t.Errorf("REQ Send twice: error = %v, want ErrState", err)
	}
	if _, err := rep.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.Recv(ctx); !errors.Is(err, ErrState) {
		t.Errorf("REP Recv twice: error = %v, want ErrState", err)
	}
	if err := rep.Send(ctx, []byte("a")); err != nil {
		t.Fatal(err)
	}
	got, err := req.Recv(ctx)
	if err != nil || len(got) != 1 || string(got[0]) != "a" {
		t.Fatalf("reply = %q, %v; want [a]", got, err)
	}
}

func TestRepEnvelope(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	startEcho(t, rep)
	peer := dialRaw(t, ep)
	if md := peer.handshake("DEALER"); string(mustGet(t, md, PropSocketType)) != "REP" {
		t.Fatalf("REP announced %q", mustGet(t, md, PropSocketType))
	}
	// No delimiter: dropped. Then a request through two hops whose body
	// holds empty frames: the envelope ends at the first empty frame.
	peer.sendMsg("no", "delimiter")
	peer.sendMsg("hop1", "hop2", "", "body", "", "tail")
	got := peer.readMsg()
	want := []string{"hop1", "hop2", "", "body", "", "tail"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("reply = %q, want %q", got, want)
	}
}

func mustGet(t testing.TB, md Metadata, name string) []byte {
	t.Helper()
	v, ok := md.Get(name)
	if !ok {
		t.Fatalf("no %s property", name)
	}
	return v
}

func TestReqRejectsReplyWithoutDelimiter(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, nil)
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.handshake("REP")
	if got := peer.readMsg(); len(got) != 2 || len(got[0]) != 0 || string(got[1]) != "hi" {
		t.Fatalf("request on the wire = %q, want [\"\" hi]", got)
	}
	peer.sendMsg("no delimiter")
	if _, err := req.Recv(ctx); !errors.Is(err, ErrMalformed) {
		t.Errorf("Recv error = %v, want ErrMalformed", err)
	}
	peer.waitClosed(5 * time.Second)
}

func TestReqCorrelateRelaxed(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{ReqCorrelate: true, ReqRelaxed: true})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("first")); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.handshake("ROUTER")
	first := peer.readMsg()
	if len(first) != 3 || len(first[0]) != 4 || len(first[1]) != 0 || string(first[2]) != "first" {
		t.Fatalf("request on the wire = %q, want [id \"\" first]", first)
	}
	// Relaxed: send again without a reply; the first is abandoned.
	if err := req.Send(ctx, []byte("second")); err != nil {
		t.Fatal(err)
	}
	second := peer.readMsg()
	if bytes.Equal(second[0], first[0]) {
		t.Fatalf("both requests carry id % x", first[0])
	}
	// A late reply to the first request is dropped; the reply to the
	// second is received.
	peer.sendMsg(string(first[0]), "", "late")
	peer.sendMsg(string(second[0]), "", "answer")
	got, err := req.Recv(ctx)
	if err != nil || len(got) != 1 || string(got[0]) != "answer" {
		t.Errorf("Recv = %q, %v; want [answer]", got, err)
	}
}

func TestReconnectAfterServerRestart(t *testing.T) {
	rep1 := mustSocket(t, REP, nil)
	ep := mustBind(t, rep1)
	req := mustSocket(t, REQ, &Options{ReconnectInterval: 10 * time.Millisecond})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	roundTrip := func(want string) {
		t.Helper()
		got, err := req.Recv(ctx)
		if err != nil || len(got) != 1 || string(got[0]) != want {
			t.Fatalf("Recv = %q, %v; want [%s]", got, err, want)
		}
	}
	if err := req.Send(ctx, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if _, err := rep1.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	rep1.Send(ctx, []byte("one"))
	roundTrip("one")

	// The server dies while a request is in flight: Recv ends with
	// ErrNoPeer instead of waiting forever.
	if err := req.Send(ctx, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if _, err := rep1.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	rep1.Close()
	if _, err := req.Recv(ctx); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Recv after the server died: error = %v, want ErrNoPeer", err)
	}

	// A new server on the same endpoint: the next request gets through.
	rep2 := mustSocket(t, REP, nil)
	if _, err := rep2.Bind(ep); err != nil {
		t.Fatal(err)
	}
	startEcho(t, rep2)
	if err := req.Send(ctx, []byte("three")); err != nil {
		t.Fatal(err)
	}
	roundTrip("three")
}

func TestSendBeforeConnect(t *testing.T) {
	// Reserve a port, then free it so nobody listens yet.
	probe := mustSocket(t, REP, nil)
	ep := mustBind(t, probe)
	probe.Close()

	req := mustSocket(t, REQ, &Options{ReconnectInterval: 10 * time.Millisecond})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("early")); err != nil {
		t.Fatal(err)
	}
	rep := mustSocket(t, REP, nil)
	if _, err := rep.Bind(ep); err != nil {
		t.Fatal(err)
	}
	startEcho(t, rep)
	got, err := req.Recv(ctx)
	if err != nil || len(got) != 1 || string(got[0]) != "early" {
		t.Fatalf("Recv = %q, %v; want [early]", got, err)
	}
}

func TestRecvContext(t *testing.T) {
	req, rep := newPair(t, nil)
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("never answered")); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := req.Recv(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv error = %v, want context.DeadlineExceeded", err)
	}
	// The reply still comes through to a later Recv.
	rep.Send(ctx, []byte("late"))
	got, err := req.Recv(ctx)
	if err != nil || string(got[0]) != "late" {
		t.Fatalf("Recv = %q, %v; want [late]", got, err)
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	_, rep := newPair(t, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := rep.Recv(context.Background())
		errc <- err
	}()
	// Make sure Recv is blocked before closing: it is, once the socket
	// has a waiter or a direct reader.
	waitRecvBlocked(t, rep)
	rep.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Recv error = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Recv still blocked 5s after Close")
	}
}

// waitRecvBlocked waits up to 5s until a goroutine waits in s.Recv,
// either for a queued message or reading a connection directly.
func waitRecvBlocked(t *testing.T, s *Socket) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		blocked := s.waiters > 0 || s.direct != nil
		s.mu.Unlock()
		if blocked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Recv not blocked after 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestManyClients(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	ep := mustBind(t, rep)
	startEcho(t, rep)
	ctx := testCtx(t)
	const clients, rounds = 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		req := mustSocket(t, REQ, nil)
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m Msg
			for i := 0; i < rounds; i++ {
				want := fmt.Sprintf("client %d request %d", c, i)
				if err := req.Send(ctx, []byte(want)); err != nil {
					errs <- err
					return
				}
				if err := req.RecvMsg(ctx, &m); err != nil {
					errs <- err
					return
				}
				if len(m.Frames) != 1 || string(m.Frames[0]) != want {
					errs <- fmt.Errorf("client %d got %q, want %q", c, m.Frames, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestReadHandover makes the pumps compete with the callers for every read,
// so that messages cross between direct reads and inboxes all the time.
func TestReadHandover(t *testing.T) {
	rep := mustSocket(t, REP, nil)
	rep.idleDelay = time.Microsecond
	ep := mustBind(t, rep)
	startEcho(t, rep)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for c := 0; c < 3; c++ {
		req := mustSocket(t, REQ, nil)
		req.idleDelay = time.Microsecond
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m Msg
			for i := 0; i < 300; i++ {
				want := fmt.Sprintf("%d/%d", c, i)
				if err := req.Send(ctx, []byte(want)); err != nil {
					errs <- err
					return
				}
				if i%7 == 0 {
					runtime.Gosched()
				}
				if err := req.RecvMsg(ctx, &m); err != nil {
					errs <- fmt.Errorf("client %d request %d: %w", c, i, err)
					return
				}
				if string(m.Frames[0]) != want {
					errs <- fmt.Errorf("client %d got %q, want %q", c, m.Frames[0], want)
					return
				}
			}
		}()
		if c == 0 {
			// One client alone first: direct reads on both sides.
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSteadyStateAllocs(t *testing.T) {
	for _, size := range []int{64, 64 << 10, 1 << 20} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			req, rep := newPair(t, nil)
			startEcho(t, rep)
			ctx := context.Background()
			payload := make([]byte, size)
			var m Msg
			roundTrip := func() {
				if err := req.Send(ctx, payload); err != nil {
					t.Fatal(err)
				}
				if err := req.RecvMsg(ctx, &m); err != nil {
					t.Fatal(err)
				}
			}
			for range 100 {
				roundTrip() // warm up buffers on both sides
			}
			if allocs := testing.AllocsPerRun(200, roundTrip); allocs > 0.05 {
				t.Errorf("a REQ/REP round trip of %d bytes allocates %v times, want 0", size, allocs)
			}
		})
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	// Every goroutine of the sockets below must end once their cleanups
	// have closed them.
	leakCheck(t)
	opts := &Options{Heartbeat: Heartbeat{Interval: 10 * time.Millisecond}}
	rep := mustSocket(t, REP, opts)
	ep := mustBind(t, rep)
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		req := mustSocket(t, REQ, opts)
		connect(t, req, ep)
		connect(t, req, "tcp://127.0.0.1:1") // a dialer that never succeeds
		// The request goes to the peer that is up; the dialer that never
		// succeeds holds none.
		if err := req.Send(ctx, []byte("x")); err != nil {
			t.Fatalf("REQ %d Send: %v", i, err)
		}
	}
	for i := 0; i < 3; i++ {
		if _, err := rep.Recv(ctx); err != nil {
			t.Fatal(err)
		}
		if err := rep.Send(ctx, []byte("y")); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
}

func TestReqDropsStaleReplies(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, nil)
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("one"))
	peer := accept()
	peer.handshake("ROUTER")
	peer.readMsg()
	// The peer answers twice; the duplicate must not answer "two".
	peer.sendMsg("", "reply to one")
	peer.sendMsg("", "duplicate reply to one")
	if msg, err := req.Recv(ctx); err != nil || string(msg[0]) != "reply to one" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	// Make sure the duplicate has arrived before the next request.
	peer.write(AppendPing(nil, 0, []byte("sync")))
	for {
		flags, body, err := peer.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		if flags.Has(FlagCommand) && string(body) == "\x04PONGsync" {
			break
		}
	}
	req.Send(ctx, []byte("two"))
	peer.readMsg()
	peer.sendMsg("", "reply to two")
	if msg, err := req.Recv(ctx); err != nil || string(msg[0]) != "reply to two" {
		t.Fatalf("Recv = %q, %v; want [reply to two]", msg, err)
	}
}

func TestLostConnectionKeepsCause(t *testing.T) {
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{MaxMsgSize: 100})
	connect(t, req, ep)
	ctx := testCtx(t)
	req.Send(ctx, []byte("q"))
	peer := accept()
	peer.handshake("REP")
	peer.readMsg()
	peer.sendMsg("", string(make([]byte, 200)))
	_, err := req.Recv(ctx)
	if !errors.Is(err, ErrNoPeer) || !errors.Is(err, ErrTooLarge) {
		t.Errorf("Recv = %v, want ErrNoPeer and ErrTooLarge", err)
	}
}
