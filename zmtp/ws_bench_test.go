package zmtp

import (
	"context"
	"testing"
)

// benchmarkReqRepWS is benchmarkReqRep over ws or wss.
func benchmarkReqRepWS(b *testing.B, transport string, size int) {
	rep, req := wsPair(b, transport, REP, REQ, Options{}, Options{})
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

func BenchmarkReqRep64WS(b *testing.B)  { benchmarkReqRepWS(b, "ws", 64) }
func BenchmarkReqRep64KWS(b *testing.B) { benchmarkReqRepWS(b, "ws", 64<<10) }
func BenchmarkReqRep1MWS(b *testing.B)  { benchmarkReqRepWS(b, "ws", 1<<20) }
func BenchmarkReqRep64WSS(b *testing.B) { benchmarkReqRepWS(b, "wss", 64) }
