//go:build libzmq

package interop

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// The benchmarks measure round trips on loopback TCP, one at a time and
// with eight clients at once, for our REQ/REP, for libzmq's REQ/REP through
// pebbe/zmq4, and for raw TCP ping-pong, which no ZeroMQ implementation
// can beat. Each reports the median and 99th percentile of the round
// trips' durations besides the mean (ns/op).

// benchTimeout bounds the context of our sockets in a benchmark, so that
// a broken socket fails the run instead of hanging it.
const benchTimeout = 5 * time.Minute

// latencies holds the duration of each round trip of a benchmark run.
type latencies []time.Duration

// report adds the median and the 99th percentile to the benchmark's
// results.
func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2]), "p50-ns")
	b.ReportMetric(float64(l[(len(l)*99)/100]), "p99-ns")
}

func BenchmarkRoundTrip(b *testing.B) {
	sizes := []struct {
		name string
		n    int
	}{{"64B", 64}, {"64KiB", 64 << 10}}
	impls := []struct {
		name string
		run  func(b *testing.B, size int)
	}{
		{"xbahn", roundTripXbahn},
		{"libzmq", roundTripLibzmq},
		{"tcp", roundTripTCP},
	}
	for _, size := range sizes {
		for _, impl := range impls {
			b.Run(size.name+"/"+impl.name, func(b *testing.B) { impl.run(b, size.n) })
		}
	}
}

// measure runs b.N round trips through rt, timing each.
func measure(b *testing.B, rt func() error) {
	lat := make(latencies, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range lat {
		start := time.Now()
		if err := rt(); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	lat.report(b)
}

// echoXbahn serves requests on our REP, replying with the request, until
// ctx ends. It reuses one Msg, so that it allocates nothing.
func echoXbahn(ctx context.Context, rep *zmtp.Socket) {
	var m zmtp.Msg
	for rep.RecvMsg(ctx, &m) == nil {
		if rep.Send(ctx, m.Frames...) != nil {
			return
		}
	}
}

// startEcho binds our REP, made with the options o, with an echo server
// and returns its endpoint and a context for the clients. The server stops
// when the benchmark ends.
func startEcho(b *testing.B, o *zmtp.Options) (string, context.Context) {
	rep := newOurs(b, zmtp.REP, o)
	ep := ourBind(b, rep)
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		echoXbahn(ctx, rep)
	}()
	// Runs before rep closes.
	b.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return ep, ctx
}

func roundTripXbahn(b *testing.B, size int) {
	ep, ctx := startEcho(b, nil)
	req := newOurs(b, zmtp.REQ, nil)
	ourConnect(b, req, ep)
	payload := make([]byte, size)
	var m zmtp.Msg
	rt := func() error {
		if err := req.Send(ctx, payload); err != nil {
			return err
		}
		return req.RecvMsg(ctx, &m)
	}
	if err := rt(); err != nil {
		b.Fatal(err)
	}
	measure(b, rt)
}

// echoLibzmq serves requests on a libzmq REP, replying with the request,
// until it receives an empty request, which it answers before it returns.
func echoLibzmq(rep *zmq.Socket) error {
	for {
		m, err := rep.RecvBytes(0)
		if err != nil {
			return err
		}
		if _, err := rep.SendBytes(m, 0); err != nil {
			return err
		}
		if len(m) == 0 {
			return nil
		}
	}
}

// startEchoLibzmq binds a libzmq REP with an echo server and returns its
// endpoint and a function that stops the server through the client req.
func startEchoLibzmq(b *testing.B) (ep string, stop func(req *zmq.Socket)) {
	rep := newZ(b, zmq.REP)
	ep = zbind(b, rep)
	done := make(chan error, 1)
	go func() { done <- echoLibzmq(rep) }()
	return ep, func(req *zmq.Socket) {
		if _, err := req.SendBytes(nil, 0); err != nil {
			b.Error(err)
		} else if _, err := req.RecvBytes(0); err != nil {
			b.Error(err)
		}
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

func roundTripLibzmq(b *testing.B, size int) {
	ep, stop := startEchoLibzmq(b)
	req := newZ(b, zmq.REQ)
	zconnect(b, req, ep)
	defer stop(req)
	payload := make([]byte, size)
	rt := func() error {
		if _, err := req.SendBytes(payload, 0); err != nil {
			return err
		}
		_, err := req.RecvBytes(0)
		return err
	}
	if err := rt(); err != nil {
		b.Fatal(err)
	}
	measure(b, rt)
}

// roundTripTCP is the floor: a goroutine echoes size bytes over loopback
// TCP with nothing in between.
func roundTripTCP(b *testing.B, size int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, size)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		c.Close()
		<-done
	}()
	c.SetDeadline(time.Now().Add(benchTimeout))
	buf := make([]byte, size)
	measure(b, func() error {
		if _, err := c.Write(buf); err != nil {
			return err
		}
		_, err := io.ReadFull(c, buf)
		return err
	})
}

// throughputClients is the number of concurrent REQ clients of the
// throughput benchmark.
const throughputClients = 8

// BenchmarkThroughput has eight REQ clients, each in its own goroutine,
// send 64-byte requests to one REP as fast as the replies come back. An
// op is one round trip of any client; rt/s is the round trips per second
// of all clients together.
func BenchmarkThroughput(b *testing.B) {
	b.Run("xbahn", throughputXbahn)
	b.Run("libzmq", throughputLibzmq)
}

// measureConcurrent runs b.N round trips spread over the clients, each
// client calling rt with its own index, and reports the round trips per
// second besides the latencies.
func measureConcurrent(b *testing.B, clients int, rt func(client int) error) {
	lat := make(latencies, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(lat)) {
					return
				}
				start := time.Now()
				if err := rt(c); err != nil {
					b.Error(err)
					next.Store(int64(len(lat)))
					return
				}
				lat[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
	lat.report(b)
}

func throughputXbahn(b *testing.B) {
	ep, ctx := startEcho(b, nil)
	reqs := make([]*zmtp.Socket, throughputClients)
	msgs := make([]zmtp.Msg, throughputClients)
	payload := make([]byte, 64)
	rt := func(c int) error {
		if err := reqs[c].Send(ctx, payload); err != nil {
			return err
		}
		return reqs[c].RecvMsg(ctx, &msgs[c])
	}
	for c := range reqs {
		reqs[c] = newOurs(b, zmtp.REQ, nil)
		ourConnect(b, reqs[c], ep)
		if err := rt(c); err != nil {
			b.Fatal(err)
		}
	}
	measureConcurrent(b, throughputClients, rt)
}

func throughputLibzmq(b *testing.B) {
	ep, stop := startEchoLibzmq(b)
	reqs := make([]*zmq.Socket, throughputClients)
	payload := make([]byte, 64)
	rt := func(c int) error {
		if _, err := reqs[c].SendBytes(payload, 0); err != nil {
			return err
		}
		_, err := reqs[c].RecvBytes(0)
		return err
	}
	for c := range reqs {
		reqs[c] = newZ(b, zmq.REQ)
		zconnect(b, reqs[c], ep)
		if err := rt(c); err != nil {
			b.Fatal(err)
		}
	}
	defer stop(reqs[0])
	measureConcurrent(b, throughputClients, rt)
}

// BenchmarkPushPull streams 64-byte messages from a PUSH to a PULL, one
// goroutine sending and another receiving, over loopback TCP and in
// process (inproc), for our sockets and libzmq's. An op is one message;
// the timer stops once the PULL has received all b.N of them, and msg/s
// is the messages delivered per second.
func BenchmarkPushPull(b *testing.B) {
	for _, transport := range []string{"tcp", "inproc"} {
		b.Run(transport+"/xbahn", func(b *testing.B) { pushPullXbahn(b, transport) })
		b.Run(transport+"/libzmq", func(b *testing.B) { pushPullLibzmq(b, transport) })
	}
}

// streamSize is the size of the messages of the streaming benchmarks.
const streamSize = 64

var benchSeq atomic.Int64

// benchEndpoint returns a loopback TCP endpoint with any free port, or a
// fresh inproc endpoint.
func benchEndpoint(transport string) string {
	if transport == "inproc" {
		return "inproc://bench-" + strconv.FormatInt(benchSeq.Add(1), 10)
	}
	return "tcp://127.0.0.1:0"
}

// measureStream times b.N calls of send on this goroutine against b.N
// calls of recv on another, and reports the messages received per second.
func measureStream(b *testing.B, send, recv func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	received := make(chan error, 1)
	go func() {
		for i := range b.N {
			if err := recv(); err != nil {
				received <- fmt.Errorf("message %d of %d: %w", i, b.N, err)
				return
			}
		}
		received <- nil
	}()
	for i := range b.N {
		if err := send(); err != nil {
			b.Errorf("send %d of %d: %v", i, b.N, err)
			break
		}
	}
	if err := <-received; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func pushPullXbahn(b *testing.B, transport string) {
	var opts *zmtp.Options
	if transport == "inproc" {
		opts = &zmtp.Options{Hub: new(zmtp.Hub)}
	}
	pull, push := newOurs(b, zmtp.PULL, opts), newOurs(b, zmtp.PUSH, opts)
	ep, err := pull.Bind(benchEndpoint(transport))
	if err != nil {
		b.Fatal(err)
	}
	ourConnect(b, push, ep)
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	payload := make([]byte, streamSize)
	var m zmtp.Msg
	send := func() error { return push.Send(ctx, payload) }
	recv := func() error {
		if err := pull.RecvMsg(ctx, &m); err != nil {
			return err
		}
		if len(m.Frames) != 1 || len(m.Frames[0]) != streamSize {
			return fmt.Errorf("received %s", brief(m.Frames))
		}
		return nil
	}
	// One message first: the connection is up.
	if err := send(); err != nil {
		b.Fatal(err)
	}
	if err := recv(); err != nil {
		b.Fatal(err)
	}
	measureStream(b, send, recv)
}

func pushPullLibzmq(b *testing.B, transport string) {
	pull, push := newZ(b, zmq.PULL), newZ(b, zmq.PUSH)
	if err := pull.Bind(strings.Replace(benchEndpoint(transport), ":0", ":*", 1)); err != nil {
		b.Fatal(err)
	}
	ep, err := pull.GetLastEndpoint()
	if err != nil {
		b.Fatal(err)
	}
	zconnect(b, push, ep)
	payload := make([]byte, streamSize)
	send := func() error {
		_, err := push.SendBytes(payload, 0)
		return err
	}
	recv := func() error {
		m, err := pull.RecvBytes(0)
		if err == nil && len(m) != streamSize {
			err = fmt.Errorf("received %d bytes, want %d", len(m), streamSize)
		}
		return err
	}
	if err := send(); err != nil {
		b.Fatal(err)
	}
	if err := recv(); err != nil {
		b.Fatal(err)
	}
	measureStream(b, send, recv)
}

// Fan-out: one PUB, fanoutSubs SUBs subscribed to everything.
const (
	fanoutSubs = 8
	// fanoutWindow bounds how many messages the publisher may be ahead
	// of the slowest subscriber. A PUB drops what a full queue cannot
	// take; with the window below every high-water mark, none is full.
	// The window only prevents drops: a tight one makes the publisher
	// wait often, and measures those waits more than the sockets.
	fanoutWindow = 8000
	fanoutHWM    = 20000
)

// BenchmarkPubSubFanout publishes 64-byte messages over loopback TCP to
// eight subscribers, which must each receive every message, in order. An
// op is one message published; the timer stops once every subscriber has
// received all b.N, and msg/s is the messages published per second (each
// delivered eight times). The publisher keeps within fanoutWindow messages
// of the slowest subscriber, so that nothing is dropped.
func BenchmarkPubSubFanout(b *testing.B) {
	b.Run("xbahn", fanoutXbahn)
	b.Run("libzmq", fanoutLibzmq)
}

// A fanout paces a publisher by its subscribers' progress.
type fanout struct {
	got     [fanoutSubs]atomic.Int64 // messages received, by subscriber
	waiting atomic.Bool              // the publisher waits for progress
	wake    chan struct{}
}

func newFanout() *fanout { return &fanout{wake: make(chan struct{}, 1)} }

// slowest returns how many messages every subscriber has received.
func (f *fanout) slowest() int64 {
	n := f.got[0].Load()
	for i := 1; i < fanoutSubs; i++ {
		n = min(n, f.got[i].Load())
	}
	return n
}

// pace returns once message seq is within the window of the slowest
// subscriber, or ctx ends.
func (f *fanout) pace(ctx context.Context, seq int64) error {
	for seq-f.slowest() >= fanoutWindow {
		f.waiting.Store(true)
		if seq-f.slowest() < fanoutWindow {
			break
		}
		select {
		case <-f.wake:
		case <-ctx.Done():
			f.waiting.Store(false)
			return ctx.Err()
		}
	}
	f.waiting.Store(false)
	return nil
}

// received counts a message of subscriber i and wakes a waiting
// publisher.
func (f *fanout) received(i int) {
	f.got[i].Add(1)
	if f.waiting.Load() {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
}

// checkSeq checks that a fan-out message is the 64-byte message seq.
func checkSeq(m []byte, seq int64) error {
	if len(m) != streamSize {
		return fmt.Errorf("received %d bytes, want %d", len(m), streamSize)
	}
	if got := int64(binary.BigEndian.Uint64(m)); got != seq {
		return fmt.Errorf("received message %d, want %d", got, seq)
	}
	return nil
}

// measureFanout publishes b.N numbered messages through publish, paced
// by the subscribers, which run recv(i, seq) on their own goroutines.
func measureFanout(b *testing.B, ctx context.Context, publish func(payload []byte) error, recv func(i int, seq int64) error) {
	f := newFanout()
	errs := make(chan error, fanoutSubs)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range fanoutSubs {
		go func() {
			for seq := range int64(b.N) {
				if err := recv(i, seq); err != nil {
					errs <- fmt.Errorf("subscriber %d: %w", i, err)
					return
				}
				f.received(i)
			}
			errs <- nil
		}()
	}
	payload := make([]byte, streamSize)
	for seq := range int64(b.N) {
		if err := f.pace(ctx, seq); err != nil {
			b.Errorf("publisher at message %d: %v", seq, err)
			break
		}
		binary.BigEndian.PutUint64(payload, uint64(seq))
		if err := publish(payload); err != nil {
			b.Errorf("publish %d: %v", seq, err)
			break
		}
	}
	for range fanoutSubs {
		if err := <-errs; err != nil {
			b.Error(err)
		}
	}
	b.StopTimer()
	for i := range fanoutSubs {
		if n := f.got[i].Load(); n != int64(b.N) {
			b.Errorf("subscriber %d received %d of %d messages", i, n, b.N)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// syncSubscribers publishes probes until every subscriber has one, then a
// marker, and has each subscriber read up to the marker, so that all
// subscriptions are in place and no probe is left. try receives with a
// short wait and reports whether a message came.
func syncSubscribers(b *testing.B, publish func(payload []byte) error, try func(i int) ([]byte, error)) {
	synced := make([]bool, fanoutSubs)
	deadline := time.Now().Add(opTimeout)
	for slices.Contains(synced, false) {
		if time.Now().After(deadline) {
			b.Fatalf("subscriptions did not reach the publisher within %v: %v", opTimeout, synced)
		}
		if err := publish([]byte("probe")); err != nil {
			b.Fatal(err)
		}
		for i := range synced {
			if synced[i] {
				continue
			}
			m, err := try(i)
			if err != nil {
				b.Fatal(err)
			}
			synced[i] = m != nil
		}
	}
	if err := publish([]byte("marker")); err != nil {
		b.Fatal(err)
	}
	for i := range synced {
		for {
			m, err := try(i)
			if err != nil {
				b.Fatal(err)
			}
			if string(m) == "marker" {
				break
			}
			if m == nil && time.Now().After(deadline) {
				b.Fatalf("subscriber %d: no marker within %v", i, opTimeout)
			}
		}
	}
}

func fanoutXbahn(b *testing.B) {
	opts := &zmtp.Options{SendHWM: fanoutHWM, RecvHWM: fanoutHWM}
	pub := newOurs(b, zmtp.PUB, opts)
	ep := ourBind(b, pub)
	subs := make([]*zmtp.Socket, fanoutSubs)
	msgs := make([]zmtp.Msg, fanoutSubs)
	for i := range subs {
		subs[i] = newOurs(b, zmtp.SUB, opts)
		if err := subs[i].Subscribe(nil); err != nil {
			b.Fatal(err)
		}
		ourConnect(b, subs[i], ep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	publish := func(payload []byte) error { return pub.Send(ctx, payload) }
	syncSubscribers(b, publish, func(i int) ([]byte, error) {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		err := subs[i].RecvMsg(wctx, &msgs[i])
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return msgs[i].Frames[0], nil
	})
	measureFanout(b, ctx, publish, func(i int, seq int64) error {
		if err := subs[i].RecvMsg(ctx, &msgs[i]); err != nil {
			return err
		}
		if len(msgs[i].Frames) != 1 {
			return fmt.Errorf("received %s", brief(msgs[i].Frames))
		}
		return checkSeq(msgs[i].Frames[0], seq)
	})
}

func fanoutLibzmq(b *testing.B) {
	hwm := func(s *zmq.Socket) {
		if err := s.SetSndhwm(fanoutHWM); err != nil {
			b.Fatal(err)
		}
		if err := s.SetRcvhwm(fanoutHWM); err != nil {
			b.Fatal(err)
		}
	}
	pub := newZ(b, zmq.PUB)
	hwm(pub)
	ep := zbind(b, pub)
	subs := make([]*zmq.Socket, fanoutSubs)
	for i := range subs {
		subs[i] = newZ(b, zmq.SUB)
		hwm(subs[i])
		if err := subs[i].SetSubscribe(""); err != nil {
			b.Fatal(err)
		}
		zconnect(b, subs[i], ep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	publish := func(payload []byte) error {
		_, err := pub.SendBytes(payload, 0)
		return err
	}
	syncSubscribers(b, publish, func(i int) ([]byte, error) {
		if err := subs[i].SetRcvtimeo(10 * time.Millisecond); err != nil {
			return nil, err
		}
		defer subs[i].SetRcvtimeo(opTimeout)
		m, err := subs[i].RecvBytes(0)
		if isAgain(err) {
			return nil, nil
		}
		return m, err
	})
	measureFanout(b, ctx, publish, func(i int, seq int64) error {
		m, err := subs[i].RecvBytes(0)
		if err != nil {
			return err
		}
		return checkSeq(m, seq)
	})
}
