package zmtp

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
)

func benchmarkReqRep(b *testing.B, size int) {
	req, rep := newPair(b, nil)
	benchmarkRoundTrips(b, req, rep, size)
}

// benchmarkRoundTrips measures round trips of size bytes from req to rep,
// which echoes.
func benchmarkRoundTrips(b *testing.B, req, rep *Socket, size int) {
	startEcho(b, rep)
	bg := context.Background()
	payload := make([]byte, size)
	var m Msg
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := req.Send(bg, payload); err != nil {
			b.Fatal(err)
		}
		if err := req.RecvMsg(bg, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReqRep64(b *testing.B)  { benchmarkReqRep(b, 64) }
func BenchmarkReqRep64K(b *testing.B) { benchmarkReqRep(b, 64<<10) }
func BenchmarkReqRep1M(b *testing.B)  { benchmarkReqRep(b, 1<<20) }

// benchmarkTCPPingPong is the floor: two goroutines exchanging size
// bytes over loopback TCP with nothing in between.
func benchmarkTCPPingPong(b *testing.B, size int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
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
	defer c.Close()
	buf := make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTCPPingPong(b *testing.B)    { benchmarkTCPPingPong(b, 64) }
func BenchmarkTCPPingPong64K(b *testing.B) { benchmarkTCPPingPong(b, 64<<10) }
func BenchmarkTCPPingPong1M(b *testing.B)  { benchmarkTCPPingPong(b, 1<<20) }

func BenchmarkAppendFrame(b *testing.B) {
	body := make([]byte, 64)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFrame(AppendFrame(buf[:0], FlagMore, nil), 0, body)
	}
}

func BenchmarkReadFrame(b *testing.B) {
	in := AppendFrame(AppendFrame(nil, FlagMore, nil), 0, make([]byte, 64))
	src := bytes.NewReader(in)
	r := NewReader(src, 0)
	dst := make([]byte, 0, 128)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(in)
		r.Reset(src)
		for range 2 {
			if _, _, err := r.ReadFrame(dst[:0], 1<<10); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchmarkPushPull measures one-way throughput of 64-byte messages.
func benchmarkPushPull(b *testing.B, bind, connect string, hub *Hub) {
	pull, err := NewSocket(PULL, &Options{Hub: hub})
	if err != nil {
		b.Fatal(err)
	}
	defer pull.Close()
	ep, err := pull.Bind(bind)
	if err != nil {
		b.Fatal(err)
	}
	push, err := NewSocket(PUSH, &Options{Hub: hub})
	if err != nil {
		b.Fatal(err)
	}
	defer push.Close()
	if connect == "" {
		connect = ep
	}
	push.Connect(connect)
	ctx := context.Background()
	payload := make([]byte, 64)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		var m Msg
		for i := 0; i < b.N; i++ {
			if err := pull.RecvMsg(ctx, &m); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < b.N; i++ {
		if err := push.Send(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func BenchmarkPushPullTCP(b *testing.B) { benchmarkPushPull(b, "tcp://127.0.0.1:0", "", nil) }
func BenchmarkPushPullInproc(b *testing.B) {
	benchmarkPushPull(b, "inproc://bench", "inproc://bench", &Hub{})
}

// BenchmarkPubSubFanout measures 64-byte messages published to 8
// subscribers over TCP; msg/s counts messages published.
func BenchmarkPubSubFanout(b *testing.B) {
	pub, err := NewSocket(PUB, &Options{SendHWM: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	ep, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	const subs = 8
	ctx := context.Background()
	errs := make(chan error, subs)
	var socks []*Socket
	for i := 0; i < subs; i++ {
		s, err := NewSocket(SUB, &Options{RecvHWM: 1 << 20})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		s.Subscribe(nil)
		s.Connect(ep)
		socks = append(socks, s)
	}
	waitSubscriptions(b, pub, subs)
	payload := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for _, s := range socks {
		go func() {
			var m Msg
			for i := 0; i < b.N; i++ {
				if err := s.RecvMsg(ctx, &m); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < b.N; i++ {
		pub.Send(ctx, payload)
	}
	for range socks {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
