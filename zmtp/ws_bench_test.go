package zmtp

import "testing"

// benchmarkReqRepWS is benchmarkReqRep over ws or wss.
func benchmarkReqRepWS(b *testing.B, transport string, size int) {
	rep, req := wsPair(b, transport, REP, REQ, Options{}, Options{})
	benchmarkRoundTrips(b, req, rep, size)
}

func BenchmarkReqRep64WS(b *testing.B)  { benchmarkReqRepWS(b, "ws", 64) }
func BenchmarkReqRep64KWS(b *testing.B) { benchmarkReqRepWS(b, "ws", 64<<10) }
func BenchmarkReqRep1MWS(b *testing.B)  { benchmarkReqRepWS(b, "ws", 1<<20) }
func BenchmarkReqRep64WSS(b *testing.B) { benchmarkReqRepWS(b, "wss", 64) }
