//go:build libzmq

package interop

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Bounds that keep every test finite even when something is broken.
const (
	// opTimeout bounds any single blocking call on either side.
	opTimeout = 5 * time.Second
	// testTimeout bounds a whole test's context.
	testTimeout = 20 * time.Second
)

// loopback is where every socket in this package binds.
const loopback = "tcp://127.0.0.1:0"

// failOrSkip ends a test that cannot run here: it fails under CI=true, so
// that a CI run without libzmq does not pass silently, and skips otherwise.
func failOrSkip(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// requireLibzmq ends the test through failOrSkip unless a usable libzmq 4
// is linked in.
func requireLibzmq(t testing.TB) {
	t.Helper()
	major, minor, patch := zmq.Version()
	if major != 4 {
		failOrSkip(t, "libzmq interop tests cannot run: libzmq version query returned %d.%d.%d, want 4.x", major, minor, patch)
	}
}

// newZ returns a libzmq socket of type typ that lingers for no time, gives
// up on any send or receive after opTimeout, and is closed when the test
// ends. The test must not use it from goroutines that outlive the test.
func newZ(t testing.TB, typ zmq.Type) *zmq.Socket {
	t.Helper()
	requireLibzmq(t)
	s, err := zmq.NewSocket(typ)
	if err != nil {
		failOrSkip(t, "libzmq interop tests cannot run: creating a %v socket: %v", typ, err)
	}
	t.Cleanup(func() { s.Close() })
	for _, err := range []error{
		s.SetLinger(0),
		s.SetRcvtimeo(opTimeout),
		s.SetSndtimeo(opTimeout),
	} {
		if err != nil {
			t.Fatalf("setting options on libzmq %v socket: %v", typ, err)
		}
	}
	return s
}

// zbind binds s to a free loopback port and returns the endpoint.
func zbind(t testing.TB, s *zmq.Socket) string {
	t.Helper()
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatalf("libzmq Bind: %v", err)
	}
	ep, err := s.GetLastEndpoint()
	if err != nil {
		t.Fatalf("libzmq GetLastEndpoint: %v", err)
	}
	return ep
}

// zconnect connects s to ep.
func zconnect(t testing.TB, s *zmq.Socket, ep string) {
	t.Helper()
	if err := s.Connect(ep); err != nil {
		t.Fatalf("libzmq Connect(%q): %v", ep, err)
	}
}

// zsend sends frames as one multipart message.
func zsend(s *zmq.Socket, frames ...[]byte) error {
	if len(frames) == 0 {
		return fmt.Errorf("zsend: no frames")
	}
	for i, f := range frames {
		flag := zmq.SNDMORE
		if i == len(frames)-1 {
			flag = 0
		}
		if _, err := s.SendBytes(f, flag); err != nil {
			return fmt.Errorf("libzmq send frame %d: %w", i, err)
		}
	}
	return nil
}

// zrecv receives one multipart message.
func zrecv(s *zmq.Socket) ([][]byte, error) {
	m, err := s.RecvMessageBytes(0)
	if err != nil {
		return nil, fmt.Errorf("libzmq receive: %w", err)
	}
	return m, nil
}

// isAgain reports whether a libzmq call failed because it timed out.
func isAgain(err error) bool { return zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN) }

// newOurs returns one of our sockets, closed when the test ends. The close
// is bounded: a Close that does not return fails the test instead of
// hanging it.
func newOurs(t testing.TB, typ zmtp.Type, o *zmtp.Options) *zmtp.Socket {
	t.Helper()
	s, err := zmtp.NewSocket(typ, o)
	if err != nil {
		t.Fatalf("zmtp.NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { closeBounded(t, s) })
	return s
}

// closeBounded closes s and fails t if that takes longer than opTimeout.
func closeBounded(t testing.TB, s *zmtp.Socket) {
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(opTimeout):
		t.Errorf("Close did not return within %v", opTimeout)
	}
}

// ourBind binds s to a free loopback port and returns the endpoint.
func ourBind(t testing.TB, s *zmtp.Socket) string {
	t.Helper()
	ep, err := s.Bind(loopback)
	if err != nil {
		t.Fatalf("Bind(%q): %v", loopback, err)
	}
	return ep
}

// ourConnect connects s to ep.
func ourConnect(t testing.TB, s *zmtp.Socket, ep string) {
	t.Helper()
	if err := s.Connect(ep); err != nil {
		t.Fatalf("Connect(%q): %v", ep, err)
	}
}

// testContext returns a context that ends after d or with the test.
func testContext(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// A monitor collects the socket events libzmq reports for one socket.
type monitor struct {
	t    testing.TB
	pair *zmq.Socket
}

var monitorSeq atomic.Int64

// watch starts monitoring the events of s. Monitoring stops before the
// test closes s.
func watch(t testing.TB, s *zmq.Socket, events zmq.Event) *monitor {
	t.Helper()
	addr := "inproc://monitor-" + strconv.FormatInt(monitorSeq.Add(1), 10)
	if err := s.Monitor(addr, events); err != nil {
		t.Fatalf("libzmq Monitor: %v", err)
	}
	pair := newZ(t, zmq.PAIR)
	if err := pair.SetRcvtimeo(opTimeout); err != nil {
		t.Fatal(err)
	}
	zconnect(t, pair, addr)
	// Cleanups run last-in first-out: this runs before pair and s close.
	t.Cleanup(func() { s.Monitor("", 0) })
	return &monitor{t: t, pair: pair}
}

// waitFor returns once an event in want arrives, with the events seen on
// the way, or fails the test after timeout.
func (m *monitor) waitFor(want zmq.Event, timeout time.Duration) []zmq.Event {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []zmq.Event
	for {
		left := time.Until(deadline)
		if left <= 0 {
			m.t.Fatalf("no %v event within %v; saw %v", want, timeout, seen)
		}
		m.pair.SetRcvtimeo(left)
		ev, _, _, err := m.pair.RecvEvent(0)
		if err != nil {
			if isAgain(err) {
				continue
			}
			m.t.Fatalf("libzmq monitor: %v", err)
		}
		seen = append(seen, ev)
		if ev&want != 0 {
			return seen
		}
	}
}

// drain returns the events already reported, without waiting for more.
func (m *monitor) drain() []zmq.Event {
	m.t.Helper()
	var seen []zmq.Event
	for {
		ev, _, _, err := m.pair.RecvEvent(zmq.DONTWAIT)
		if err != nil {
			if !isAgain(err) {
				m.t.Fatalf("libzmq monitor: %v", err)
			}
			return seen
		}
		seen = append(seen, ev)
	}
}

// count returns how many events in evs match want.
func count(evs []zmq.Event, want zmq.Event) int {
	n := 0
	for _, ev := range evs {
		if ev&want != 0 {
			n++
		}
	}
	return n
}

// frames returns its arguments as byte slices.
func frames(s ...string) [][]byte {
	f := make([][]byte, len(s))
	for i, v := range s {
		f[i] = []byte(v)
	}
	return f
}
