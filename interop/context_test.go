//go:build libzmq

package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestRecvWithEndedContext calls Recv on our socket twice with the same
// context, which ends during the first call. Both calls must return the
// context's error, the second at once. The first call's read is ended by
// a watch on the context, which fires only once; the second call must not
// start a read that nothing will interrupt. A receive loop that goes on
// after a timeout with its context, or a socket type that loops inside
// Recv (ROUTER, REQ), would otherwise wait for a message for good.
func TestRecvWithEndedContext(t *testing.T) {
	tests := []struct {
		name string
		// setup returns our socket, ready to receive nothing, and a
		// function that makes a message arrive.
		setup func(t *testing.T) (*zmtp.Socket, func() error)
	}{
		{"xbahn PULL from libzmq PUSH", func(t *testing.T) (*zmtp.Socket, func() error) {
			push, pull := newZ(t, zmq.PUSH), newOurs(t, zmtp.PULL, nil)
			zconnect(t, push, ourBind(t, pull))
			// One message first, so that the connection is up.
			if err := zsend(push, []byte("first")); err != nil {
				t.Fatal(err)
			}
			if _, err := pull.Recv(testContext(t, opTimeout)); err != nil {
				t.Fatal(err)
			}
			return pull, func() error { return zsend(push, []byte("late")) }
		}},
		{"xbahn REQ to libzmq REP", func(t *testing.T) (*zmtp.Socket, func() error) {
			rep, req := newZ(t, zmq.REP), newOurs(t, zmtp.REQ, nil)
			ourConnect(t, req, zbind(t, rep))
			if err := req.Send(testContext(t, opTimeout), []byte("unanswered")); err != nil {
				t.Fatal(err)
			}
			if _, err := zrecv(rep); err != nil {
				t.Fatal(err)
			}
			return req, func() error { return zsend(rep, []byte("late")) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, arrive := tt.setup(t)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			for call := 1; call <= 2; call++ {
				done := make(chan error, 1)
				go func() {
					_, err := s.Recv(ctx)
					done <- err
				}()
				select {
				case err := <-done:
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("call %d: Recv = %v, want context.DeadlineExceeded", call, err)
					}
				case <-time.After(time.Second):
					// Let a message end the call, so that no
					// goroutine is left behind.
					if err := arrive(); err != nil {
						t.Fatal(err)
					}
					err := <-done
					t.Fatalf("call %d: Recv with a context that ended %v ago still waited; a message then ended it with error %v",
						call, time.Second, err)
				}
			}
		})
	}
}
