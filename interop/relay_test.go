//go:build libzmq

package interop

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Directions of the traffic through a relay.
const (
	toTarget   = 0 // from the connecting side to the bound one
	fromTarget = 1
)

// A relay forwards the TCP connections made to its loopback port to a
// target, so that a test can watch and disturb the traffic between two
// sockets: it counts connections, bytes and ZMTP PING and PONG commands,
// and it can swallow everything to play a peer that went silent.
type relay struct {
	t      testing.TB
	ln     net.Listener
	target string

	accepted  atomic.Int64
	pings     [2]atomic.Int64 // by direction
	pongs     [2]atomic.Int64
	written   [2]atomic.Int64 // bytes forwarded, by direction
	blackhole atomic.Bool     // drop all bytes instead of forwarding them

	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// newRelay starts a relay to the tcp:// endpoint target. It stops when the
// test ends.
func newRelay(t testing.TB, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{t: t, ln: ln, target: strings.TrimPrefix(target, "tcp://")}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

// endpoint is where to connect to reach the target through the relay.
func (r *relay) endpoint() string { return "tcp://" + r.ln.Addr().String() }

func (r *relay) accept() {
	defer r.wg.Done()
	for {
		in, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.accepted.Add(1)
		out, err := net.Dial("tcp", r.target)
		if err != nil {
			in.Close()
			continue
		}
		if !r.track(in, out) {
			return
		}
		r.wg.Add(2)
		go r.forward(out, in, toTarget)
		go r.forward(in, out, fromTarget)
	}
}

// track records conns so that close can end them; it closes them instead
// when the relay is closed.
func (r *relay) track(conns ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	r.conns = append(r.conns, conns...)
	return true
}

var (
	pingName = []byte("\x04PING") // a command's name length and name
	pongName = []byte("\x04PONG")
)

// forward copies src to dst, counting commands, until either side ends;
// then it closes both, so that each end sees the other go.
func (r *relay) forward(dst, src net.Conn, dir int) {
	defer r.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 64<<10)
	// carry holds the last bytes of the previous read, so that a name cut
	// by a read boundary is still found, and counted once.
	carry := make([]byte, 0, len(pingName)-1)
	scan := make([]byte, 0, len(buf)+cap(carry))
	for {
		n, err := src.Read(buf)
		if n > 0 {
			scan = append(append(scan[:0], carry...), buf[:n]...)
			r.pings[dir].Add(int64(bytes.Count(scan, pingName)))
			r.pongs[dir].Add(int64(bytes.Count(scan, pongName)))
			carry = append(carry[:0], scan[max(0, len(scan)-cap(carry)):]...)
			if !r.blackhole.Load() {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
				r.written[dir].Add(int64(n))
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *relay) close() {
	r.mu.Lock()
	r.closed = true
	conns := r.conns
	r.conns = nil
	r.mu.Unlock()
	r.ln.Close()
	for _, c := range conns {
		c.Close()
	}
	r.wg.Wait()
}
