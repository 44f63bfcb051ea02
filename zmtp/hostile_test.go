package zmtp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests of this file set hostile peers on a socket that a well-behaved
// client keeps using: whatever the hostile peer does, its connection ends
// with an error or waits within a bound, the good client's round trips
// keep succeeding within their deadline, memory stays bounded, and Close
// leaves no goroutine behind.

// roundTripDeadline bounds each round trip of a good client.
const roundTripDeadline = 2 * time.Second

// leakCheck fails t if, once every cleanup registered after it has run
// (closing the test's sockets), more goroutines are left than when it was
// called, after a grace of 5s for them to end.
func leakCheck(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// echoServer is a socket bound on loopback whose application answers each
// request with the request itself. A reply that cannot be sent within
// sendTimeout is given up.
type echoServer struct {
	s        *Socket
	ep       string
	replies  atomic.Int64
	timeouts atomic.Int64 // replies given up at sendTimeout
}

func startEchoServer(t *testing.T, typ Type, o *Options, sendTimeout time.Duration) *echoServer {
	t.Helper()
	e := &echoServer{s: mustSocket(t, typ, o)}
	e.ep = mustBind(t, e.s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m Msg
		for {
			if err := e.s.RecvMsg(ctx, &m); err != nil {
				return
			}
			sctx, scancel := context.WithTimeout(ctx, sendTimeout)
			err := e.s.Send(sctx, m.Frames...)
			scancel()
			switch {
			case err == nil:
				e.replies.Add(1)
			case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
				e.timeouts.Add(1)
			case errors.Is(err, ErrAgain):
				e.timeouts.Add(1)
			default:
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return e
}

// goodClient is a well-behaved REQ socket that makes round trips to an echo
// server, paced a millisecond apart, each within roundTripDeadline, from
// when it starts until the test ends or a round trip fails.
type goodClient struct {
	req  *Socket
	ok   atomic.Int64
	err  atomic.Pointer[error]
	stop chan struct{}
	done chan struct{}
}

func startGoodClient(t *testing.T, ep string) *goodClient {
	t.Helper()
	c := &goodClient{
		req:  mustSocket(t, REQ, &Options{ReconnectInterval: 10 * time.Millisecond}),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if err := c.req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	go c.loop()
	t.Cleanup(func() {
		close(c.stop)
		<-c.done
	})
	return c
}

func (c *goodClient) loop() {
	defer close(c.done)
	pace := time.NewTicker(time.Millisecond)
	defer pace.Stop()
	for i := 0; ; i++ {
		select {
		case <-c.stop:
			return
		case <-pace.C:
		}
		if err := c.roundTrip(i); err != nil {
			c.err.Store(&err)
			return
		}
		c.ok.Add(1)
	}
}

func (c *goodClient) roundTrip(i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), roundTripDeadline)
	defer cancel()
	want := fmt.Sprintf("good request %d", i)
	start := time.Now()
	if err := c.req.Send(ctx, []byte(want)); err != nil {
		return fmt.Errorf("round trip %d: Send: %w", i, err)
	}
	got, err := c.req.Recv(ctx)
	if err != nil {
		return fmt.Errorf("round trip %d: Recv after %v: %w", i, time.Since(start), err)
	}
	if len(got) != 1 || string(got[0]) != want {
		return fmt.Errorf("round trip %d: reply %q, want %q", i, got, want)
	}
	return nil
}

// failed returns the round trip that failed, or nil.
func (c *goodClient) failed() error {
	if p := c.err.Load(); p != nil {
		return *p
	}
	return nil
}

// progress fails t unless the client completes n more round trips within
// 10s, none failing.
func (c *goodClient) progress(t *testing.T, n int64) {
	t.Helper()
	target := c.ok.Load() + n
	deadline := time.Now().Add(10 * time.Second)
	for c.ok.Load() < target {
		if err := c.failed(); err != nil {
			t.Fatalf("good client: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("good client made %d of %d round trips in 10s", n-(target-c.ok.Load()), n)
		}
		time.Sleep(time.Millisecond)
	}
	if err := c.failed(); err != nil {
		t.Fatalf("good client: %v", err)
	}
}

// heapWatch samples the heap in use until done and reports its peak growth
// over the level when it started.
type heapWatch struct {
	base uint64
	peak atomic.Uint64
	stop chan struct{}
	over chan struct{}
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func watchHeap(t *testing.T) *heapWatch {
	runtime.GC()
	h := &heapWatch{base: heapInUse(), stop: make(chan struct{}), over: make(chan struct{})}
	go func() {
		defer close(h.over)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := heapInUse(); n > h.peak.Load() {
				h.peak.Store(n)
			}
			select {
			case <-tick.C:
			case <-h.stop:
				return
			}
		}
	}()
	t.Cleanup(h.done)
	return h
}

func (h *heapWatch) done() {
	select {
	case <-h.stop:
	default:
		close(h.stop)
	}
	<-h.over
}

// check fails t if the heap grew by more than limit.
func (h *heapWatch) check(t *testing.T, limit uint64) {
	t.Helper()
	h.done()
	if peak := h.peak.Load(); peak > h.base && peak-h.base > limit {
		t.Errorf("heap in use grew by %d MiB (from %d MiB), want under %d MiB", (peak-h.base)>>20, h.base>>20, limit>>20)
	}
}

// hostileSetup starts an echo REP server with opts and a good client of it.
func hostileSetup(t *testing.T, o *Options) (*echoServer, *goodClient) {
	t.Helper()
	e := startEchoServer(t, REP, o, time.Second)
	c := startGoodClient(t, e.ep)
	c.progress(t, 3)
	return e, c
}

// afterHandshake is what a peer sends once its handshake is done.
type afterHandshake struct {
	name string
	data []byte
	// quiet is set for what ends the connection without an ERROR back:
	// the peer's own ERROR.
	quiet bool
	// reason, when set, is what the ERROR's reason must say.
	reason string
}

// closesEach sends each case from a new REQ peer after its handshake, and
// checks that the socket sends that peer an ERROR, closes the connection
// and goes on serving good.
func closesEach(t *testing.T, e *echoServer, good *goodClient, cases []afterHandshake) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			peer := dialRaw(t, e.ep)
			peer.handshake("REQ")
			// Written by a goroutine: the socket may close before it
			// has read everything.
			go peer.conn.Write(tt.data)
			reason, sent := peer.waitError(2 * time.Second)
			if sent == tt.quiet || sent && reason == "" {
				t.Errorf("got ERROR %q (sent: %v) before the close, want sent: %v, with a reason", reason, sent, !tt.quiet)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("got ERROR %q, want it to say %q", reason, tt.reason)
			}
			good.progress(t, 3)
		})
	}
}

func longFrameHeader(flags Flags, size uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{byte(flags | FlagLong)}, size)
}

func TestHostileHugeFrames(t *testing.T) {
	leakCheck(t)
	const maxMsg = 1 << 20
	e, good := hostileSetup(t, &Options{MaxMsgSize: maxMsg})
	heap := watchHeap(t)
	tests := []afterHandshake{
		{name: "size 2^63", data: longFrameHeader(0, 1<<63)},
		{name: "size 2^63-1", data: longFrameHeader(0, 1<<63-1)},
		{name: "size 2^63-1 command", data: longFrameHeader(FlagCommand, 1<<63-1)},
		{name: "MaxMsgSize+1", data: append(longFrameHeader(0, maxMsg+1), make([]byte, 4096)...)},
		{name: "MaxMsgSize+1 over two frames", data: append(AppendFrame(nil, FlagMore, nil), append(
			AppendFrame(nil, FlagMore, make([]byte, maxMsg/2)), longFrameHeader(0, maxMsg/2+1)...)...)},
	}
	closesEach(t, e, good, tests)
	// A message of exactly MaxMsgSize is taken: the limit is not off by
	// one.
	t.Run("MaxMsgSize", func(t *testing.T) {
		peer := dialRaw(t, e.ep)
		peer.handshake("REQ")
		body := bytes.Repeat([]byte{'m'}, maxMsg)
		peer.write(AppendFrame(AppendFrame(nil, FlagMore, nil), 0, body))
		if got := peer.readMsg(); len(got) != 2 || !bytes.Equal(got[1], body) {
			t.Fatalf("reply to a request of MaxMsgSize bytes has %d frames", len(got))
		}
	})
	heap.check(t, 64<<20)
	good.progress(t, 3)
}

// TestHostileHugeFrameToClient has a server answer a REQ socket with a
// frame of 2^63-1 bytes: the request ends with ErrNoPeer, at once.
func TestHostileHugeFrameToClient(t *testing.T) {
	leakCheck(t)
	ep, accept := listenRaw(t)
	req := mustSocket(t, REQ, &Options{MaxMsgSize: 1 << 20})
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := req.Send(ctx, []byte("q")); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.handshake("REP")
	peer.readMsg()
	peer.write(AppendFrame(nil, FlagMore, nil))
	peer.write(longFrameHeader(0, 1<<63-1))
	start := time.Now()
	if _, err := req.Recv(ctx); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Recv = %v, want ErrNoPeer", err)
	}
	// The frame header is refused as soon as it is read; two seconds
	// is far beyond that, and below the test context's ten.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Recv returned after %v", d)
	}
	peer.waitClosed(2 * time.Second)
}

// readyBody returns the body of a READY command with raw properties.
func readyBody(props ...[]byte) []byte {
	return append([]byte("\x05READY"), bytes.Join(props, nil)...)
}

// rawProperty encodes a property whose value length field says declared.
func rawProperty(name string, declared uint32, value []byte) []byte {
	b := append([]byte{byte(len(name))}, name...)
	b = binary.BigEndian.AppendUint32(b, declared)
	return append(b, value...)
}

func TestHostileReadyMetadata(t *testing.T) {
	leakCheck(t)
	// A command limit of 1 MiB lets a READY of 10,000 properties reach
	// the property count limit.
	e, good := hostileSetup(t, &Options{MaxCommandSize: 1 << 20})
	small, smallGood := hostileSetup(t, nil)
	heap := watchHeap(t)
	many := func(distinct bool) []byte {
		props := [][]byte{rawProperty(PropSocketType, 3, []byte("REQ"))}
		for i := range 10000 {
			name := "X-Same"
			if distinct {
				name = fmt.Sprintf("X-%05d", i)
			}
			props = append(props, rawProperty(name, 1, []byte("v")))
		}
		return AppendFrame(nil, FlagCommand, readyBody(props...))
	}
	tests := []struct {
		name   string
		server *echoServer
		data   []byte
	}{
		{"value declared 2 GiB", e, AppendFrame(nil, FlagCommand, readyBody(rawProperty(PropSocketType, 1<<31-1, []byte("REQ"))))},
		{"value declared 4 GiB", e, AppendFrame(nil, FlagCommand, readyBody(rawProperty(PropSocketType, 1<<32-1, []byte("REQ"))))},
		{"READY declared 2 GiB", e, append(longFrameHeader(FlagCommand, 1<<31), readyBody(rawProperty(PropSocketType, 3, []byte("REQ")))...)},
		{"10,000 properties", e, many(true)},
		{"10,000 properties, one name", e, many(false)},
		{"10,000 properties, default limits", small, many(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := dialRaw(t, tt.server.ep)
			peer.greet()
			// The socket answers and closes within 1s of the write.
			deadline := time.Now().Add(time.Second)
			peer.write(tt.data)
			if cmd := peer.readCommand(); cmd.Name != CmdReady {
				t.Fatalf("got %s, want the socket's READY", cmd.Name)
			}
			peer.waitClosed(time.Until(deadline))
		})
	}
	heap.check(t, 64<<20)
	good.progress(t, 3)
	smallGood.progress(t, 3)
}

func TestHostileOldVersions(t *testing.T) {
	leakCheck(t)
	const handshakeTimeout = 2 * time.Second
	e, good := hostileSetup(t, &Options{HandshakeTimeout: handshakeTimeout, NoDowngrade: true})
	tests := []struct {
		name string
		data []byte
	}{
		// However little of its greeting an older peer sends, the
		// socket knows its version from it and refuses at once.
		{"ZMTP 1.0 with an identity", append([]byte{17, 0}, "sixteen-byte-id!"...)},
		{"ZMTP 1.0", []byte{1, 0}},
		{"ZMTP 1.0 with a long identity", []byte{0xFF, 0, 0, 0, 0, 0, 0, 1, 1, 0}},
		{"ZMTP 2.0", []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3}},
		{"ZMTP 2.0 whole", append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3, 0, 0}, AppendFrame(nil, 0, []byte("x"))...)},
		{"revision 2", greetingBytes(2, 0, "NULL", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := dialRaw(t, e.ep)
			peer.write(tt.data)
			// The socket sends its signature, and its major version to
			// a peer that sent one, then closes.
			if _, err := peer.r.next(10); err != nil {
				t.Fatalf("reading the socket's signature: %v", err)
			}
			peer.conn.SetReadDeadline(time.Now().Add(time.Second))
			rest, err := io.ReadAll(peer.conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection still open after 1s")
			}
			if rest = append(peer.r.Buffered(), rest...); len(rest) > 1 {
				t.Errorf("the socket sent %q after its signature, want at most its major version", rest)
			}
			good.progress(t, 3)
		})
	}
}

func TestHostileSocketTypes(t *testing.T) {
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	tests := []struct {
		name  string
		md    Metadata
		error bool // the socket sends ERROR before it closes
	}{
		{"PUB", Metadata{{PropSocketType, []byte("PUB")}}, true},
		{"REP", Metadata{{PropSocketType, []byte("REP")}}, true},
		{"lower case", Metadata{{PropSocketType, []byte("req")}}, true},
		{"unknown", Metadata{{PropSocketType, []byte("TELEPORTER")}}, true},
		{"empty", Metadata{{PropSocketType, nil}}, true},
		{"missing", Metadata{{PropIdentity, []byte("who")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := dialRaw(t, e.ep)
			peer.greet()
			peer.write(AppendReady(nil, tt.md))
			if cmd := peer.readCommand(); cmd.Name != CmdReady {
				t.Fatalf("got %s, want the socket's READY", cmd.Name)
			}
			if tt.error {
				cmd := peer.readCommand()
				if reason, _ := ParseError(cmd.Data); cmd.Name != CmdError || reason != "invalid socket type" {
					t.Fatalf("got %s %q, want ERROR \"invalid socket type\"", cmd.Name, cmd.Data)
				}
			}
			peer.waitClosed(2 * time.Second)
			good.progress(t, 3)
		})
	}
}

func TestHostileGarbageAfterHandshake(t *testing.T) {
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	tests := []afterHandshake{
		{name: "0xFF bytes", data: bytes.Repeat([]byte{0xFF}, 64)},
		{name: "command with an empty name", data: AppendFrame(nil, FlagCommand, []byte{0})},
		{name: "command name past the end", data: AppendFrame(nil, FlagCommand, []byte{20, 'P', 'I', 'N', 'G'})},
		{name: "PING shorter than its TTL", data: AppendFrame(nil, FlagCommand, []byte("\x04PING\x00"))},
		{name: "ERROR", data: AppendError(nil, "no reason"), quiet: true},
		{name: "ERROR with a bad length", data: AppendFrame(nil, FlagCommand, []byte("\x05ERROR\x09short"))},
		{name: "random bytes", data: random},
	}
	closesEach(t, e, good, tests)
}

func TestHostilePingFlood(t *testing.T) {
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	heap := watchHeap(t)
	const pings, batch = 100000, 1000
	peer := dialRaw(t, e.ep)
	peer.handshake("REQ")
	peer.conn.SetDeadline(time.Now().Add(20 * time.Second))
	ping := func(b []byte, n uint32) []byte {
		return AppendPing(b, 0, []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	}
	const final = 0xFFFFFFFF
	stop := make(chan struct{})
	defer close(stop)
	wrote := make(chan error, 1)
	go func() {
		var buf []byte
		for n := uint32(0); n < pings; n += batch {
			buf = buf[:0]
			for i := range uint32(batch) {
				buf = ping(buf, n+i)
			}
			if _, err := peer.conn.Write(buf); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
		// The flood is over. A PONG owed while the socket had much to
		// write may have been dropped, so ask again until answered.
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := peer.conn.Write(ping(nil, final)); err != nil {
				return
			}
			select {
			case <-tick.C:
			case <-stop:
				return
			}
		}
	}()
	// PONGs come in the order of their PINGs. A socket may drop PONGs
	// while it owes many (libzmq keeps one pending), but once the flood
	// is over a PING is answered again; the waits are bounded.
	last, pongs := -1, 0
	done, dropped := false, false
	for !done {
		flags, body, err := peer.readFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("no PONG or close after %d PONGs: %v", pongs, err)
			}
			// The socket may drop a flooding peer; the good client and
			// the heap are checked all the same.
			t.Logf("connection dropped after %d PONGs: %v", pongs, err)
			dropped = true
			break
		}
		cmd, perr := ParseCommand(body)
		if !flags.Has(FlagCommand) || perr != nil || cmd.Name != CmdPong || len(cmd.Data) != 4 {
			t.Fatalf("got %v %q, want a PONG", flags, body)
		}
		n := int(uint32(cmd.Data[0])<<24 | uint32(cmd.Data[1])<<16 | uint32(cmd.Data[2])<<8 | uint32(cmd.Data[3]))
		switch {
		case n == final:
			done = true
		case n <= last:
			t.Fatalf("PONG for PING %d after the one for %d", n, last)
		default:
			last = n
			pongs++
		}
	}
	if !dropped {
		if err := <-wrote; err != nil {
			t.Fatalf("writing PINGs: %v", err)
		}
		if pongs == 0 {
			t.Error("no PING was answered")
		}
	}
	t.Logf("%d of %d PINGs answered", pongs, pings)
	good.progress(t, 3)
	heap.check(t, 64<<20)
}

// TestHostilePingFloodUnread has a peer send PINGs as fast as it can and
// never read: the PONGs the socket owes it must not pile up in memory
// without bound; the socket may drop them or the connection.
func TestHostilePingFloodUnread(t *testing.T) {
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	heap := watchHeap(t)
	peer := dialRaw(t, e.ep)
	peer.handshake("REQ")
	const pings, batch = 1000000, 1000
	ctx16 := []byte("0123456789abcdef")
	var buf []byte
	for range batch {
		buf = AppendPing(buf, 0, ctx16)
	}
	peer.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i < pings/batch; i++ {
		if _, err := peer.conn.Write(buf); err != nil {
			t.Logf("connection dropped after %d PINGs: %v", i*batch, err)
			break
		}
	}
	// What the socket holds for the peer: PONGs not yet taken by the
	// kernel, which holds a few MiB more.
	var queued int
	for _, p := range e.s.pipeList() {
		p.w.mu.Lock()
		queued = max(queued, len(p.w.buf)+len(p.w.rest)+len(p.w.pending))
		p.w.mu.Unlock()
	}
	if queued > 4<<20 {
		t.Errorf("the socket holds %d MiB of PONGs for a peer that reads nothing", queued>>20)
	}
	heap.check(t, 16<<20)
	good.progress(t, 3)
}

func TestHostilePeerNeverReads(t *testing.T) {
	t.Run("PUSH", func(t *testing.T) {
		leakCheck(t)
		push := mustSocket(t, PUSH, &Options{SendHWM: 16})
		ep := mustBind(t, push)
		heap := watchHeap(t)
		peer := dialRaw(t, ep)
		peer.handshake("PULL")
		waitConnected(t, push, 1)
		// Send to the peer that reads nothing until a Send blocks: it
		// must end with its context, before memory runs away.
		msg := make([]byte, 64<<10)
		sent := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			err := push.Send(ctx, msg)
			cancel()
			if err != nil {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Send %d = %v, want context.DeadlineExceeded", sent, err)
				}
				break
			}
			if sent++; sent > 2000 {
				t.Fatalf("%d messages of 64 KiB sent to a peer that reads nothing", sent)
			}
		}
		t.Logf("Send blocked after %d messages", sent)
		heap.check(t, 64<<20)
		// A good peer comes: sends go to it and it gets them.
		pull := mustSocket(t, PULL, nil)
		if err := pull.Connect(ep); err != nil {
			t.Fatal(err)
		}
		waitConnected(t, push, 2)
		ctx := testCtx(t)
		for i := range 20 {
			want := fmt.Sprintf("for the good peer %d", i)
			sctx, cancel := context.WithTimeout(ctx, roundTripDeadline)
			err := push.Send(sctx, []byte(want))
			cancel()
			if err != nil {
				t.Fatalf("Send %d with a good peer connected: %v", i, err)
			}
			rctx, cancel := context.WithTimeout(ctx, roundTripDeadline)
			got, err := pull.Recv(rctx)
			cancel()
			if err != nil || string(got[0]) != want {
				t.Fatalf("good peer got %q, %v; want %q", got, err, want)
			}
		}
	})
	t.Run("REP", func(t *testing.T) {
		leakCheck(t)
		opts := &Options{SendHWM: 16, RecvHWM: 16}
		e := startEchoServer(t, REP, opts, 20*time.Millisecond)
		good := startGoodClient(t, e.ep)
		good.progress(t, 3)
		heap := watchHeap(t)
		peer := dialRaw(t, e.ep)
		peer.handshake("REQ")
		// Requests of 256 KiB whose replies are never read: 20 MiB,
		// more than the kernel buffers.
		request := AppendFrame(AppendFrame(nil, FlagMore, nil), 0, make([]byte, 256<<10))
		writer := make(chan struct{})
		go func() {
			defer close(writer)
			peer.conn.SetWriteDeadline(time.Now().Add(20 * time.Second))
			for range 80 {
				if _, err := peer.conn.Write(request); err != nil {
					return
				}
			}
		}()
		// The replies pile up to the high-water mark; then each waits
		// for its context to end.
		deadline := time.Now().Add(15 * time.Second)
		for e.timeouts.Load() == 0 {
			if err := good.failed(); err != nil {
				t.Fatalf("good client: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no reply to the peer that reads nothing timed out in 15s; %d sent", e.replies.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
		good.progress(t, 10)
		heap.check(t, 64<<20)
		peer.conn.Close()
		<-writer
		good.progress(t, 3)
	})
}

// raiseFileLimit makes sure the process may open n files, or skips t.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot read the file limit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	old := lim
	lim.Cur = min(max(n, 4096), lim.Max)
	if lim.Cur < n {
		t.Skipf("the file limit cannot be raised to %d (hard limit %d)", n, lim.Max)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot raise the file limit to %d: %v", lim.Cur, err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

func TestHostileSilentConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1,000 connections")
	}
	raiseFileLimit(t, 2100)
	leakCheck(t)
	e, good := hostileSetup(t, nil)
	addr := e.ep[len("tcp://"):]
	const n = 1000
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	var d net.Dialer
	ctx := testCtx(t)
	for range n {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	// With every silent connection open and its handshake pending, the
	// good client is served within its deadline.
	good.progress(t, 20)
	// The socket did greet each of them: it is not just the backlog.
	var wg sync.WaitGroup
	var greeted atomic.Int32
	for _, c := range conns[:50] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			// The signature: the rest waits for the peer's.
			var g [10]byte
			if _, err := io.ReadFull(c, g[:]); err == nil && g[0] == 0xFF && g[9] == 0x7F {
				greeted.Add(1)
			}
		}()
	}
	wg.Wait()
	if greeted.Load() != 50 {
		t.Errorf("%d of 50 silent connections got a greeting", greeted.Load())
	}
	for _, c := range conns {
		c.Close()
	}
	conns = conns[:0]
	good.progress(t, 3)
}

// TestHostileLongMessageToSubscriber has a publisher send a long message
// that matches nothing to a SUB socket with more than 16 subscriptions,
// while a good publisher's messages must keep arriving.
func TestHostileLongMessageToSubscriber(t *testing.T) {
	leakCheck(t)
	sub := mustSocket(t, SUB, nil)
	for i := range 17 {
		sub.Subscribe(fmt.Appendf(nil, "topic-%02d", i))
	}
	pub := mustSocket(t, PUB, nil)
	pubEP := mustBind(t, pub)
	hostileEP, accept := listenRaw(t)
	if err := sub.Connect(pubEP); err != nil {
		t.Fatal(err)
	}
	if err := sub.Connect(hostileEP); err != nil {
		t.Fatal(err)
	}
	peer := accept()
	peer.handshake("PUB")
	waitConnected(t, sub, 2)
	// The good publisher sends until the test ends; the subscriber must
	// get its messages within a deadline each.
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			pub.Send(context.Background(), []byte("topic-03 news"))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	defer func() {
		close(stop)
		<-sent
	}()
	recv := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), roundTripDeadline)
		defer cancel()
		if got, err := sub.Recv(ctx); err != nil || string(got[0]) != "topic-03 news" {
			t.Fatalf("Recv = %q, %v; want the good publisher's message", got, err)
		}
	}
	recv()
	go peer.conn.Write(AppendFrame(nil, 0, bytes.Repeat([]byte{'z'}, 1<<20)))
	for range 100 {
		recv()
	}
}

// TestHostileCommands sends commands over their limits after the
// handshake: each closes the connection before its body is taken in, and
// the server goes on serving.
func TestHostileCommands(t *testing.T) {
	leakCheck(t)
	const maxCmd = 4 << 10
	e, good := hostileSetup(t, &Options{MaxCommandSize: maxCmd})
	heap := watchHeap(t)
	tests := []afterHandshake{
		{name: "a 48 MiB PING declared", data: append(longFrameHeader(FlagCommand, 48<<20), "\x04PING\x00\x00"...), reason: "command of 50331648 bytes exceeds the limit of 4096"},
		{name: "MaxCommandSize+1", data: AppendCommand(nil, "JUNK", make([]byte, maxCmd-4)), reason: "command of 4097 bytes"},
		{name: "a PING with 17 bytes of context", data: AppendCommand(nil, CmdPing, []byte{0, 0}, make([]byte, MaxPingContext+1)), reason: "PING context of 17 bytes exceeds the limit of 16"},
		{name: "a SUBSCRIBE over the limit", data: AppendCommand(nil, CmdSubscribe, make([]byte, maxCmd)), reason: "exceeds the limit of 4096"},
	}
	closesEach(t, e, good, tests)
	// At the limits, commands are taken: a PING with 16 bytes of context
	// is answered with them, and a command of MaxCommandSize is no error.
	t.Run("at the limits", func(t *testing.T) {
		peer := dialRaw(t, e.ep)
		peer.handshake("REQ")
		context := []byte("0123456789abcdef")
		peer.write(AppendCommand(nil, "JUNK", make([]byte, maxCmd-5))) // a body of maxCmd
		peer.write(AppendPing(nil, 0, context))
		cmd := peer.readCommand()
		if cmd.Name != CmdPong || !bytes.Equal(cmd.Data, context) {
			t.Fatalf("got %s %q, want PONG %q", cmd.Name, cmd.Data, context)
		}
		peer.sendMsg("", "still here")
		if got := peer.readMsg(); len(got) != 2 || string(got[1]) != "still here" {
			t.Fatalf("the echo after the commands = %q", got)
		}
	})
	heap.check(t, 16<<20)
	good.progress(t, 3)
}
