package zmtp

import (
	"context"
	"fmt"
	"testing"
)

func newPair(t testing.TB, opts *Options) (req, rep *Socket) {
	t.Helper()
	rep, err := NewSocket(REP, opts)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := rep.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	req, err = NewSocket(REQ, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Connect(ep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		req.Close()
		rep.Close()
	})
	return req, rep
}

func echo(ctx context.Context, rep *Socket) {
	var m Msg
	for {
		if err := rep.RecvMsg(ctx, &m); err != nil {
			return
		}
		if err := rep.Send(ctx, m.Frames...); err != nil {
			return
		}
	}
}

func TestReqRepEcho(t *testing.T) {
	req, rep := newPair(t, nil)
	startEcho(t, rep)
	ctx := testCtx(t)
	for i := 0; i < 100; i++ {
		want := fmt.Sprintf("hello %d", i)
		if err := req.Send(ctx, []byte(want), []byte("x")); err != nil {
			t.Fatal(err)
		}
		got, err := req.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || string(got[0]) != want || string(got[1]) != "x" {
			t.Fatalf("reply %d = %q, want [%q x]", i, got, want)
		}
	}
}
