//go:build libzmq

package interop

import (
	"fmt"
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestReqSpreadsOverPeers connects our REQ to three libzmq REPs and sends
// thirty requests. Every REP must get some, since a REQ deals its requests
// out in turn, and every reply must come back to the request that asked.
func TestReqSpreadsOverPeers(t *testing.T) {
	const peers, requests = 3, 30
	req := newOurs(t, zmtp.REQ, nil)
	reps := make([]*zmq.Socket, peers)
	poller := zmq.NewPoller()
	for i := range reps {
		reps[i] = newZ(t, zmq.REP)
		ourConnect(t, req, zbind(t, reps[i]))
		poller.Add(reps[i], zmq.POLLIN)
	}
	ctx := testContext(t, testTimeout)
	served := make([]int, peers)
	for i := range requests {
		body := fmt.Sprintf("request %d", i)
		if err := req.Send(ctx, []byte(body)); err != nil {
			t.Fatal(err)
		}
		ready, err := poller.Poll(opTimeout)
		if err != nil {
			t.Fatal(err)
		}
		if len(ready) != 1 {
			t.Fatalf("request %d: %d REPs have a request, want 1", i, len(ready))
		}
		k := 0
		for k < peers && reps[k] != ready[0].Socket {
			k++
		}
		got, err := zrecv(reps[k])
		if err != nil {
			t.Fatal(err)
		}
		if d := diffFrames(got, frames(body)); d != "" {
			t.Fatalf("REP %d: %s", k, d)
		}
		served[k]++
		if err := zsend(reps[k], []byte(fmt.Sprintf("REP %d answers %s", k, body))); err != nil {
			t.Fatal(err)
		}
		expect(t, ctx, req, fmt.Sprintf("REP %d answers %s", k, body))
	}
	t.Logf("requests served per REP: %v", served)
	for k, n := range served {
		if n == 0 {
			t.Errorf("REP %d got none of %d requests (served %v)", k, requests, served)
		}
	}
}
