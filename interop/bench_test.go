//go:build libzmq

package interop

import (
	"context"
	"io"
	"net"
	"slices"
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

// startEcho binds our REP with an echo server and returns its endpoint and
// a context for the clients. The server stops when the benchmark ends.
func startEcho(b *testing.B) (string, context.Context) {
	rep := newOurs(b, zmtp.REP, nil)
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
	ep, ctx := startEcho(b)
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
	ep, ctx := startEcho(b)
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
