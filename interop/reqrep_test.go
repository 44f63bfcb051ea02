//go:build libzmq

package interop

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// shape is a message body that exercises one corner of the framing or of
// the envelope rules.
type shape struct {
	name string
	body [][]byte
}

func shapes() []shape {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	many := make([][]byte, 1000)
	for i := range many {
		many[i] = random(i % 3)
	}
	var randomParts [][]byte
	for range 5 {
		randomParts = append(randomParts, random(rng.IntN(600)))
	}
	return []shape{
		{"hello", frames("hello")},
		{"one empty frame", frames("")},
		{"several empty frames", frames("", "", "")},
		{"empty frames inside", frames("a", "", "b", "", "")},
		{"empty frame first", frames("", "after")},
		{"255 bytes", [][]byte{random(255)}},
		{"256 bytes", [][]byte{random(256)}},
		{"255 and 256 around an empty frame", [][]byte{random(255), {}, random(256)}},
		{"1 MiB", [][]byte{random(1 << 20)}},
		{"three parts", frames("one", "two", "three")},
		{"random binary", randomParts},
		{"zero bytes", [][]byte{make([]byte, 300), {0}, {0, 0}}},
		{"1000 frames", many},
	}
}

// TestRequestReply sends every shape through every pairing of our REQ and
// REP with libzmq's REQ, REP, DEALER and ROUTER, both ways round for bind
// and connect, and compares what arrives byte for byte in each direction.
// Bodies with empty frames must survive: a REP splits the envelope at the
// first empty frame only.
func TestRequestReply(t *testing.T) {
	for _, p := range pairings() {
		t.Run(p.String(), func(t *testing.T) {
			c, s := p.open(t)
			ctx := testContext(t, testTimeout)
			for _, sh := range shapes() {
				t.Run(sh.name, func(t *testing.T) {
					roundTrip(t, ctx, c, s, sh.body)
				})
			}
		})
	}
}

// TestRouterRoutesByIdentity connects two of our REQ sockets with
// identities to a libzmq ROUTER, which must see the identities as routing
// ids and route each reply, sent in the reverse order of the requests, to
// the socket that asked.
func TestRouterRoutesByIdentity(t *testing.T) {
	r := newZ(t, zmq.ROUTER)
	if err := r.SetRouterMandatory(1); err != nil {
		t.Fatal(err)
	}
	ep := zbind(t, r)
	ids := []string{"alpha", "beta"}
	reqs := make([]*zmtp.Socket, len(ids))
	for i, id := range ids {
		reqs[i] = newOurs(t, zmtp.REQ, &zmtp.Options{Identity: []byte(id)})
		ourConnect(t, reqs[i], ep)
	}
	ctx := testContext(t, testTimeout)
	for i, s := range reqs {
		if err := s.Send(ctx, []byte("from "+ids[i]), []byte{}); err != nil {
			t.Fatalf("Send from %s: %v", ids[i], err)
		}
	}
	var envelopes [][][]byte
	for range reqs {
		m, err := zrecv(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 4 || len(m[1]) != 0 || string(m[2]) != "from "+string(m[0]) || len(m[3]) != 0 {
			t.Fatalf("ROUTER got %s, want [id, \"\", \"from \"+id, \"\"]", brief(m))
		}
		envelopes = append(envelopes, m)
	}
	seen := []string{string(envelopes[0][0]), string(envelopes[1][0])}
	slices.Sort(seen)
	if !slices.Equal(seen, ids) {
		t.Fatalf("ROUTER saw routing ids %q, want %q", seen, ids)
	}
	for i := len(envelopes) - 1; i >= 0; i-- {
		id := envelopes[i][0]
		if err := zsend(r, id, []byte{}, append([]byte("to "), id...)); err != nil {
			t.Fatalf("ROUTER reply to %q: %v", id, err)
		}
	}
	for i, s := range reqs {
		got, err := s.Recv(ctx)
		if err != nil {
			t.Fatalf("Recv at %s: %v", ids[i], err)
		}
		if d := diffFrames(got, frames("to "+ids[i])); d != "" {
			t.Errorf("reply at %s: %s", ids[i], d)
		}
	}
}

// TestDealerEnvelope has a libzmq DEALER send several requests at once to
// our REP, each behind a multi-hop envelope, as a chain of ROUTERs would
// build it. The REP must answer them in order and return each envelope,
// up to and including the first empty frame, unchanged.
func TestDealerEnvelope(t *testing.T) {
	d := newZ(t, zmq.DEALER)
	rep := newOurs(t, zmtp.REP, nil)
	zconnect(t, d, ourBind(t, rep))
	ctx := testContext(t, testTimeout)

	envelope := [][]byte{[]byte("hop 2"), {0, 1, 2}, {}}
	bodies := [][][]byte{frames("first"), frames("second", "", "with empty frames", ""), frames("")}
	for _, b := range bodies {
		if err := zsend(d, append(slices.Clone(envelope), b...)...); err != nil {
			t.Fatal(err)
		}
	}
	var m zmtp.Msg
	for i, b := range bodies {
		if err := rep.RecvMsg(ctx, &m); err != nil {
			t.Fatalf("request %d: RecvMsg: %v", i, err)
		}
		if d := diffFrames(m.Frames, b); d != "" {
			t.Fatalf("request %d: %s", i, d)
		}
		if err := rep.Send(ctx, answer(b)...); err != nil {
			t.Fatalf("request %d: Send: %v", i, err)
		}
	}
	for i, b := range bodies {
		got, err := zrecv(d)
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		want := append(slices.Clone(envelope), answer(b)...)
		if d := diffFrames(got, want); d != "" {
			t.Errorf("reply %d: %s", i, d)
		}
	}
}

// TestRepDropsRequestWithoutDelimiter checks that our REP, like libzmq's,
// silently drops a message from a DEALER that carries no empty delimiter,
// and goes on to serve the next request.
func TestRepDropsRequestWithoutDelimiter(t *testing.T) {
	d := newZ(t, zmq.DEALER)
	rep := newOurs(t, zmtp.REP, nil)
	zconnect(t, d, ourBind(t, rep))
	ctx := testContext(t, testTimeout)

	if err := zsend(d, []byte("no"), []byte("delimiter")); err != nil {
		t.Fatal(err)
	}
	if err := zsend(d, []byte{}, []byte("proper")); err != nil {
		t.Fatal(err)
	}
	got, err := rep.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !bytes.Equal(got[0], []byte("proper")) {
		t.Fatalf("REP received %s, want [\"proper\"]", brief(got))
	}
	if err := rep.Send(ctx, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	reply, err := zrecv(d)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFrames(reply, frames("", "ok")); d != "" {
		t.Fatalf("DEALER reply: %s", d)
	}
}

// TestOurRouterRoutesByIdentity is the reverse of
// TestRouterRoutesByIdentity: two libzmq REQ sockets with identities talk
// to our ROUTER, which must see the identities as routing ids, route each
// reply to the socket that asked, and, with RouterMandatory, refuse a
// message to an id nobody has.
func TestOurRouterRoutesByIdentity(t *testing.T) {
	r := newOurs(t, zmtp.ROUTER, &zmtp.Options{RouterMandatory: true})
	ep := ourBind(t, r)
	ids := []string{"alpha", "beta"}
	reqs := make([]*zmq.Socket, len(ids))
	for i, id := range ids {
		reqs[i] = newZ(t, zmq.REQ)
		if err := reqs[i].SetIdentity(id); err != nil {
			t.Fatal(err)
		}
		zconnect(t, reqs[i], ep)
		if err := zsend(reqs[i], []byte("from "+id)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t, testTimeout)
	var envelopes [][][]byte
	for range reqs {
		m, err := r.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 3 || len(m[1]) != 0 || string(m[2]) != "from "+string(m[0]) {
			t.Fatalf("ROUTER got %s, want [id, \"\", \"from \"+id]", brief(m))
		}
		envelopes = append(envelopes, m)
	}
	seen := []string{string(envelopes[0][0]), string(envelopes[1][0])}
	slices.Sort(seen)
	if !slices.Equal(seen, ids) {
		t.Fatalf("ROUTER saw routing ids %q, want %q", seen, ids)
	}
	if err := r.Send(ctx, []byte("nobody"), []byte{}, []byte("lost")); !errors.Is(err, zmtp.ErrHostUnreachable) {
		t.Errorf("Send to an unknown routing id: %v, want ErrHostUnreachable", err)
	}
	for i := len(envelopes) - 1; i >= 0; i-- {
		id := envelopes[i][0]
		if err := r.Send(ctx, id, []byte{}, append([]byte("to "), id...)); err != nil {
			t.Fatalf("ROUTER reply to %q: %v", id, err)
		}
	}
	for i, s := range reqs {
		got, err := zrecv(s)
		if err != nil {
			t.Fatalf("reply at %s: %v", ids[i], err)
		}
		if d := diffFrames(got, frames("to "+ids[i])); d != "" {
			t.Errorf("reply at %s: %s", ids[i], d)
		}
	}
}
