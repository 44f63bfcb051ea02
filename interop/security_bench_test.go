//go:build libzmq

package interop

import (
	"context"
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

// The CURVE benchmarks run the same loads under CURVE for our sockets and
// for libzmq's: 64-byte REQ/REP round trips one at a time, and one-way
// streams of 64-byte messages from PUSH to PULL and from DEALER to ROUTER.
//
// Measured on 2026-11-25 with
//
//	cd interop && go test -tags libzmq -run '^$' -bench Curve -benchtime 2s -count 3 .
//
// on the two-core AMD EPYC machine of BENCHMARKS.md, shared with other
// work (load average 1.0 to 2.2), libzmq 4.3.4 through pebbe/zmq4 v1.4.0.
// Ranges over the three runs:
//
//	CurveRoundTrip/64B/xbahn     19.3-21.4 µs/op  p50 17.9-18.0 µs  p99 38-51 µs    0 allocs
//	CurveRoundTrip/64B/libzmq   100-118 µs/op     p50 72-109 µs     p99 293-459 µs  4 allocs
//	CurveThroughput/64B/xbahn   1.54-1.75 M msg/s                                   0 allocs
//	CurveThroughput/64B/libzmq  0.70-0.78 M msg/s                                   2 allocs
//
// and, in a later run of the throughput benchmarks:
//
//	CurveThroughput/DEALER-ROUTER/64B/xbahn   1.67-1.70 M msg/s    0 allocs
//	CurveThroughput/DEALER-ROUTER/64B/libzmq  0.42-0.66 M msg/s    8 allocs

func BenchmarkCurveRoundTrip(b *testing.B) {
	b.Run("64B/xbahn", curveRoundTripXbahn)
	b.Run("64B/libzmq", curveRoundTripLibzmq)
}

func BenchmarkCurveThroughput(b *testing.B) {
	b.Run("64B/xbahn", curveStreamXbahn(zmtp.PUSH, zmtp.PULL))
	b.Run("64B/libzmq", curveStreamLibzmq(zmq.PUSH, zmq.PULL))
	b.Run("DEALER-ROUTER/64B/xbahn", curveStreamXbahn(zmtp.DEALER, zmtp.ROUTER))
	b.Run("DEALER-ROUTER/64B/libzmq", curveStreamLibzmq(zmq.DEALER, zmq.ROUTER))
}

func curveServer(k secKeys) zmtp.Mechanism {
	return curve.Server{PublicKey: k.serverPub, SecretKey: k.serverSec}
}

func curveClient(k secKeys) zmtp.Mechanism {
	return curve.Client{ServerKey: k.serverPub, PublicKey: k.goodPub, SecretKey: k.goodSec}
}

func curveRoundTripXbahn(b *testing.B) {
	k := requireZAP(b)
	ep, ctx := startEcho(b, &zmtp.Options{Mechanism: curveServer(k)})
	req := newOurs(b, zmtp.REQ, &zmtp.Options{Mechanism: curveClient(k)})
	ourConnect(b, req, ep)
	payload := make([]byte, 64)
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

func curveRoundTripLibzmq(b *testing.B) {
	k := requireZAP(b)
	rep := newZ(b, zmq.REP)
	must(b, rep.ServerAuthCurve(zapDomain, k.serverSec.String()))
	ep := zbind(b, rep)
	done := make(chan error, 1)
	go func() { done <- echoLibzmq(rep) }()
	req := newZ(b, zmq.REQ)
	must(b, req.ClientAuthCurve(k.serverPub.String(), k.goodPub.String(), k.goodSec.String()))
	zconnect(b, req, ep)
	defer func() {
		if _, err := req.SendBytes(nil, 0); err != nil {
			b.Error(err)
		} else if _, err := req.RecvBytes(0); err != nil {
			b.Error(err)
		}
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	payload := make([]byte, 64)
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

// curveStreamXbahn streams b.N messages from our sender to our receiver
// under CURVE, as measureStream does.
func curveStreamXbahn(sender, receiver zmtp.Type) func(b *testing.B) {
	return func(b *testing.B) {
		k := requireZAP(b)
		pull := newOurs(b, receiver, &zmtp.Options{Mechanism: curveServer(k)})
		ep := ourBind(b, pull)
		push := newOurs(b, sender, &zmtp.Options{Mechanism: curveClient(k)})
		ourConnect(b, push, ep)
		ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
		defer cancel()
		payload := make([]byte, streamSize)
		var m zmtp.Msg
		send := func() error { return push.Send(ctx, payload) }
		recv := func() error { return pull.RecvMsg(ctx, &m) }
		// One message first: the connection is up.
		must(b, send())
		must(b, recv())
		measureStream(b, send, recv)
	}
}

// curveStreamLibzmq is curveStreamXbahn with libzmq's sockets.
func curveStreamLibzmq(sender, receiver zmq.Type) func(b *testing.B) {
	return func(b *testing.B) {
		k := requireZAP(b)
		pull := newZ(b, receiver)
		must(b, pull.ServerAuthCurve(zapDomain, k.serverSec.String()))
		must(b, pull.SetRcvtimeo(benchTimeout))
		ep := zbind(b, pull)
		push := newZ(b, sender)
		must(b, push.ClientAuthCurve(k.serverPub.String(), k.goodPub.String(), k.goodSec.String()))
		must(b, push.SetSndtimeo(benchTimeout))
		zconnect(b, push, ep)
		payload := make([]byte, streamSize)
		// libzmq sockets are not safe for use from two goroutines at
		// once, but these are two sockets, each used by one goroutine.
		send := func() error {
			_, err := push.SendBytes(payload, 0)
			return err
		}
		recv := func() error {
			_, err := pull.RecvBytes(0)
			return err
		}
		if receiver == zmq.ROUTER {
			// A ROUTER's message is the sender's id and the payload.
			recv = func() error {
				_, err := pull.RecvMessageBytes(0)
				return err
			}
		}
		must(b, send())
		must(b, recv())
		measureStream(b, send, recv)
	}
}
