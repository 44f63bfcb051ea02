package rpc

import (
	"context"
	"net"
	"net/rpc"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Arith is the net/rpc service of the comparison.
type Arith struct{}

// Args are the arguments of Arith.Multiply.
type Args struct{ A, B int }

// Multiply multiplies, net/rpc style.
func (Arith) Multiply(args *Args, reply *int) error { *reply = args.A * args.B; return nil }

// callFunc makes one multiply(7, 6) call.
type callFunc func(ctx context.Context) error

// benchCalls runs b.N calls from callers goroutines, and reports calls/s
// and the median latency.
func benchCalls(b *testing.B, callers int, call callFunc) {
	ctx := context.Background()
	for range 100 {
		if err := call(ctx); err != nil { // warm up
			b.Fatal(err)
		}
	}
	lat := make([][]time.Duration, callers)
	var next sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	per := (b.N + callers - 1) / callers
	for g := range callers {
		lat[g] = make([]time.Duration, 0, per)
		next.Add(1)
		go func() {
			defer next.Done()
			for i := 0; i < per; i++ {
				start := time.Now()
				if err := call(ctx); err != nil {
					b.Error(err)
					return
				}
				lat[g] = append(lat[g], time.Since(start))
			}
		}()
	}
	next.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Nanoseconds()), "p50-ns")
	}
	b.ReportMetric(float64(per*callers)/b.Elapsed().Seconds(), "calls/s")
}

func xbahnMultiply(b *testing.B, typ string) callFunc {
	_, c := pair(b, typ, nil, nil, func(s *Server) { s.RegisterMethods(&calc{}) })
	return func(ctx context.Context) error {
		n, err := CallAs[int](ctx, c, "multiply", 7, 6)
		if err == nil && n != 42 {
			b.Fatalf("multiply = %d", n)
		}
		return err
	}
}

func netrpcMultiply(b *testing.B) callFunc {
	srv := rpc.NewServer()
	if err := srv.Register(Arith{}); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			srv.ServeConn(conn)
		}
	}()
	c, err := rpc.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return func(context.Context) error {
		var n int
		err := c.Call("Arith.Multiply", &Args{7, 6}, &n)
		if err == nil && n != 42 {
			b.Fatalf("multiply = %d", n)
		}
		return err
	}
}

// BenchmarkMultiply compares multiply(7, 6) calls over loopback TCP: xbahn
// over REQ/REP (one call at a time per connection) and over DEALER/ROUTER
// (calls multiplexed on one connection), beside the standard library's
// net/rpc, with 1 and 8 concurrent callers on one client.
func BenchmarkMultiply(b *testing.B) {
	for _, callers := range []int{1, 8} {
		for _, impl := range []string{"xbahn-req", "xbahn-dealer", "net-rpc"} {
			b.Run(impl+"/callers="+strconv.Itoa(callers), func(b *testing.B) {
				var call callFunc
				switch impl {
				case "xbahn-req":
					call = xbahnMultiply(b, "rep")
				case "xbahn-dealer":
					call = xbahnMultiply(b, "router")
				default:
					call = netrpcMultiply(b)
				}
				benchCalls(b, callers, call)
			})
		}
	}
}

// BenchmarkREPClients has 1 and 8 REQ clients, each on its own
// connection, call a REP-URL server whose handler takes 1ms: the server
// runs their calls concurrently, so 8 clients make several times the
// calls of 1.
func BenchmarkREPClients(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
			s, err := NewServer(nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			s.Register("work", func() int { time.Sleep(time.Millisecond); return 1 })
			url := serveREP(b, s)
			cs := make([]*Client, clients)
			for i := range cs {
				cs[i] = newTestClient(b, url)
			}
			var next atomic.Int64
			benchCalls(b, clients, func(ctx context.Context) error {
				_, err := cs[next.Add(1)%int64(clients)].Call(ctx, "work")
				return err
			})
		})
	}
}
