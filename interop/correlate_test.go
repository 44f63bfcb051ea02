//go:build libzmq

package interop

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// giveUp is how long a test waits for a reply that is not coming before it
// abandons the request.
const giveUp = 50 * time.Millisecond

// abandon waits briefly for a reply to the request in progress, which the
// test holds back, and checks that none comes.
func abandon(t *testing.T, ctx context.Context, req *zmtp.Socket) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, giveUp)
	defer cancel()
	got, err := req.Recv(wctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv of a held-back reply = %s, %v; want context.DeadlineExceeded", brief(got), err)
	}
}

// expect receives a reply on req and checks it.
func expect(t *testing.T, ctx context.Context, req *zmtp.Socket, want ...string) {
	t.Helper()
	got, err := req.Recv(ctx)
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if d := diffFrames(got, frames(want...)); d != "" {
		t.Fatalf("Recv: %s", d)
	}
}

// TestReqCorrelateRouter has our REQ, with ReqCorrelate and ReqRelaxed,
// talk to a libzmq ROUTER that sees the request id frame before the
// delimiter. The ROUTER holds back the reply to a request until our REQ
// abandons it for a new one, then answers both, old first: our REQ must
// deliver only the reply that carries the id of the new request.
func TestReqCorrelateRouter(t *testing.T) {
	for _, late := range []bool{false, true} {
		name := "stale reply before the new request"
		if late {
			name = "stale reply after the new request"
		}
		t.Run(name, func(t *testing.T) {
			r := newZ(t, zmq.ROUTER)
			req := newOurs(t, zmtp.REQ, &zmtp.Options{ReqCorrelate: true, ReqRelaxed: true})
			ourConnect(t, req, zbind(t, r))
			ctx := testContext(t, testTimeout)

			// take receives a request at the ROUTER as [routing id,
			// request id, "", body] and returns the envelope.
			take := func(body string) [][]byte {
				t.Helper()
				m, err := zrecv(r)
				if err != nil {
					t.Fatal(err)
				}
				if len(m) != 4 || len(m[1]) != 4 || len(m[2]) != 0 || string(m[3]) != body {
					t.Fatalf("ROUTER got %s, want [routing id, 4-byte request id, \"\", %q]", brief(m), body)
				}
				return m[:3:3]
			}
			reply := func(env [][]byte, body string) {
				t.Helper()
				if err := zsend(r, append(env, []byte(body))...); err != nil {
					t.Fatal(err)
				}
			}

			if err := req.Send(ctx, []byte("one")); err != nil {
				t.Fatal(err)
			}
			one := take("one")
			reply(one, "re one")
			expect(t, ctx, req, "re one")

			if err := req.Send(ctx, []byte("two")); err != nil {
				t.Fatal(err)
			}
			two := take("two")
			if bytes.Equal(two[1], one[1]) {
				t.Fatalf("requests one and two both carry id %x", one[1])
			}
			abandon(t, ctx, req)
			if !late {
				reply(two, "re two")
			}
			if err := req.Send(ctx, []byte("three")); err != nil {
				t.Fatalf("relaxed Send after an abandoned request: %v", err)
			}
			three := take("three")
			if late {
				reply(two, "re two")
			}
			reply(three, "re three")
			expect(t, ctx, req, "re three")
		})
	}
}

// TestReqCorrelateRep does the same against a libzmq REP, which cannot
// answer a new request before the old one: it echoes the request id frame
// as part of the envelope, and its reply to the abandoned request must be
// dropped.
func TestReqCorrelateRep(t *testing.T) {
	for _, late := range []bool{false, true} {
		name := "stale reply before the new request"
		if late {
			name = "stale reply after the new request"
		}
		t.Run(name, func(t *testing.T) {
			rep := newZ(t, zmq.REP)
			req := newOurs(t, zmtp.REQ, &zmtp.Options{ReqCorrelate: true, ReqRelaxed: true})
			ourConnect(t, req, zbind(t, rep))
			ctx := testContext(t, testTimeout)

			for _, body := range []string{"one", "two"} {
				roundTrip(t, ctx, ours{req}, theirs{rep}, frames(body))
			}
			take := func(want string) {
				t.Helper()
				m, err := zrecv(rep)
				if err != nil {
					t.Fatal(err)
				}
				if d := diffFrames(m, frames(want)); d != "" {
					t.Fatalf("REP got %s", d)
				}
			}
			if err := req.Send(ctx, []byte("three")); err != nil {
				t.Fatal(err)
			}
			take("three")
			abandon(t, ctx, req)
			if !late {
				if err := zsend(rep, []byte("re three")); err != nil {
					t.Fatal(err)
				}
			}
			if err := req.Send(ctx, []byte("four")); err != nil {
				t.Fatalf("relaxed Send after an abandoned request: %v", err)
			}
			if late {
				if err := zsend(rep, []byte("re three")); err != nil {
					t.Fatal(err)
				}
			}
			take("four")
			if err := zsend(rep, []byte("re four")); err != nil {
				t.Fatal(err)
			}
			expect(t, ctx, req, "re four")
		})
	}
}

// TestLibzmqReqCorrelate is the reverse of TestReqCorrelateRep: a libzmq
// REQ with ZMQ_REQ_CORRELATE and ZMQ_REQ_RELAXED talks to our REP, which
// must return the request id frame in front of the delimiter as part of
// the envelope. After libzmq abandons a request, our REP's late reply to
// it must not reach the libzmq application; the reply to the new request
// must.
func TestLibzmqReqCorrelate(t *testing.T) {
	z := newZ(t, zmq.REQ)
	if err := z.SetReqCorrelate(1); err != nil {
		t.Fatal(err)
	}
	if err := z.SetReqRelaxed(1); err != nil {
		t.Fatal(err)
	}
	rep := newOurs(t, zmtp.REP, nil)
	zconnect(t, z, ourBind(t, rep))
	ctx := testContext(t, testTimeout)
	zr := theirs{z}
	roundTrip(t, ctx, zr, ours{rep}, frames("one"))

	if err := zsend(z, []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, err := rep.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFrames(got, frames("two")); d != "" {
		t.Fatal(d)
	}
	if err := zsend(z, []byte("three")); err != nil {
		t.Fatalf("relaxed libzmq send: %v", err)
	}
	if err := rep.Send(ctx, []byte("re two")); err != nil {
		t.Fatal(err)
	}
	got, err = rep.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFrames(got, frames("three")); d != "" {
		t.Fatal(d)
	}
	if err := rep.Send(ctx, []byte("re three")); err != nil {
		t.Fatal(err)
	}
	got, err = zrecv(z)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFrames(got, frames("re three")); d != "" {
		t.Fatal(d)
	}
}
