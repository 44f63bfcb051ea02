package fuzz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// The connection targets hand a socket one end of a net.Pipe and write the
// fuzzed bytes into the other, as a peer would, while an application
// goroutine uses the socket and the test reads and drops whatever the socket
// writes back. Whatever the bytes, the socket must not panic, a receive must
// fail only because the socket closed, Close must return promptly, and no
// goroutine may be left behind. Seeds start with a well-formed greeting and
// READY, so that the fuzzer gets past the handshake.

// connOptions are small limits, so that each input is quick.
func connOptions() *zmtp.Options {
	return &zmtp.Options{
		MaxMsgSize:       64 << 10,
		MaxFrames:        64,
		MaxCommandSize:   4 << 10,
		HandshakeTimeout: 100 * time.Millisecond,
		SendHWM:          16,
		RecvHWM:          16,
	}
}

// peerStream is what a well-behaved peer of type typ sends first: its
// greeting and its READY.
func peerStream(typ string) []byte {
	b := zmtp.AppendGreeting(nil, "NULL", false)
	return zmtp.AppendReady(b, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte(typ)}})
}

// appendMsg appends a message of frames.
func appendMsg(b []byte, frames ...string) []byte {
	for i, f := range frames {
		var flags zmtp.Flags
		if i < len(frames)-1 {
			flags = zmtp.FlagMore
		}
		b = zmtp.AppendFrame(b, flags, []byte(f))
	}
	return b
}

func FuzzConn(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(peerStream("REQ"))
	f.Add(appendMsg(peerStream("REQ"), "", "hello"))
	f.Add(zmtp.AppendPing(appendMsg(peerStream("DEALER"), "hop", "", "a", "b"), time.Second, []byte("ctx")))
	// ZMTP 2.0: signature, revision 1, REQ (3), an identity frame, then
	// a request framed as 3.0 frames it.
	f.Add(appendMsg([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3, 0, 2, 'i', 'd'}, "", "hello"))
	// ZMTP 1.0: an identity frame, then a request, each frame its length
	// counting the flags byte, the flags, the body.
	f.Add([]byte{3, 0, 'i', 'd', 1, 1, 6, 0, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 2, 0, 'x', 1, 1, 2, 0, 'y'})
	f.Fuzz(func(t *testing.T, data []byte) {
		serveStream(t, zmtp.REP, data)
	})
}

// connKinds are the socket types FuzzConnTypes picks from.
var connKinds = [...]zmtp.Type{zmtp.SUB, zmtp.PULL, zmtp.ROUTER, zmtp.PUB}

func FuzzConnTypes(f *testing.F) {
	f.Add(uint8(0), appendMsg(peerStream("PUB"), "topic one"))
	f.Add(uint8(1), appendMsg(peerStream("PUSH"), "job", "part"))
	f.Add(uint8(2), appendMsg(peerStream("DEALER"), "", "request"))
	f.Add(uint8(3), zmtp.AppendCommand(peerStream("SUB"), zmtp.CmdSubscribe, []byte("a")))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		serveStream(t, connKinds[int(kind)%len(connKinds)], data)
	})
}

// serveStream runs one input against a new socket of type typ.
func serveStream(t *testing.T, typ zmtp.Type, data []byte) {
	before := runtime.NumGoroutine()
	s, err := zmtp.NewSocket(typ, connOptions())
	if err != nil {
		t.Fatal(err)
	}
	if typ == zmtp.SUB {
		s.Subscribe([]byte("a"))
		s.Subscribe([]byte("topic"))
	}
	local, remote := net.Pipe()
	conn := &watchedConn{Conn: local, want: int64(len(data)), idle: make(chan struct{})}
	if err := s.Serve(conn); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(3)
	dropped := make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(dropped)
		io.Copy(io.Discard, remote)
	}()
	appErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		appErr <- useSocket(ctx, s)
	}()
	go func() {
		defer wg.Done()
		remote.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
		remote.Write(data)
	}()
	// The peer hangs up once the socket has taken every byte and waits
	// for more, or has hung up itself; a socket that stops reading gets
	// a little while.
	select {
	case <-conn.idle:
	case <-dropped:
	case <-time.After(100 * time.Millisecond):
	}
	remote.Close()

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Close of a %v socket still blocked after 5s", typ)
	}
	cancel()
	if err := <-appErr; err != nil {
		t.Error(err)
	}
	wg.Wait()
	waitGoroutines(t, before)
}

// watchedConn is the socket's end of the pipe. It tells when the socket
// reads again after it has read every byte the peer writes: it has then
// dealt with all of them.
type watchedConn struct {
	net.Conn
	want int64 // bytes the peer writes
	got  atomic.Int64
	idle chan struct{}
	once sync.Once
}

func (c *watchedConn) Read(b []byte) (int, error) {
	if c.got.Load() >= c.want {
		c.once.Do(func() { close(c.idle) })
	}
	n, err := c.Conn.Read(b)
	c.got.Add(int64(n))
	return n, err
}

// useSocket is the application: it receives until the socket closes, and
// answers where the type has answers. It returns an error for a receive
// that failed for another reason than the end.
func useSocket(ctx context.Context, s *zmtp.Socket) error {
	if s.Type() == zmtp.PUB {
		for i := range 8 {
			s.Send(ctx, []byte{'a', byte('0' + i)}, []byte("x"))
			runtime.Gosched()
		}
		<-ctx.Done()
		return nil
	}
	var m zmtp.Msg
	for {
		err := s.RecvMsg(ctx, &m)
		if err != nil {
			if errors.Is(err, zmtp.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		switch s.Type() {
		case zmtp.REP, zmtp.ROUTER:
			s.Send(ctx, m.Frames...)
		}
	}
}

// waitGoroutines waits until no more goroutines run than before. After 2s
// it fails the test, with every stack, if a goroutine of package zmtp is
// still there; others, such as the signal handling that the fuzzing engine
// may start meanwhile, are not the socket's.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			stacks := buf[:runtime.Stack(buf, true)]
			if bytes.Contains(stacks, []byte("xbahn/zmtp.")) {
				t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, stacks)
			}
			return
		}
		time.Sleep(time.Millisecond)
	}
}
