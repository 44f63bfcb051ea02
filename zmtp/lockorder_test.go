package zmtp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestPubSubInprocNoDeadlock publishes, subscribes and receives at once
// between a PUB and a SUB linked in memory, and between an XSUB and an
// XPUB: a send takes the receiving socket's locks while a subscription
// takes the sending socket's, so no send may hold its socket's own lock
// while it hands a message over.
func TestPubSubInprocNoDeadlock(t *testing.T) {
	for _, types := range [][2]Type{{PUB, SUB}, {XPUB, XSUB}} {
		t.Run(types[0].String(), func(t *testing.T) {
			// The sockets are closed at the end, not in a cleanup: after
			// a deadlock Close would hang too.
			hub := &Hub{}
			pub, err := NewSocket(types[0], &Options{Hub: hub})
			if err != nil {
				t.Fatal(err)
			}
			sub, err := NewSocket(types[1], &Options{Hub: hub})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pub.Bind("inproc://locks"); err != nil {
				t.Fatal(err)
			}
			connect(t, sub, "inproc://locks")
			if err := sub.Subscribe([]byte("a")); err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(testCtx(t))
			defer stop()
			const rounds = 20000
			var senders, receivers sync.WaitGroup
			senders.Go(func() {
				for range rounds {
					pub.Send(ctx, []byte("a"))
				}
			})
			senders.Go(func() {
				for range rounds {
					sub.Subscribe([]byte("b"))
					sub.Unsubscribe([]byte("b"))
				}
			})
			if types[1] == XSUB {
				// XSUB sends to its XPUB too, which XPUB receives.
				senders.Go(func() {
					for range rounds {
						sub.Send(ctx, []byte("up"))
					}
				})
				receivers.Go(func() {
					var m Msg
					for pub.RecvMsg(ctx, &m) == nil {
					}
				})
			}
			receivers.Go(func() {
				var m Msg
				for sub.RecvMsg(ctx, &m) == nil {
				}
			})
			done := make(chan struct{})
			go func() {
				senders.Wait()
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("sends and subscriptions deadlocked")
			}
			stop()
			receivers.Wait()
			sub.Close()
			pub.Close()
		})
	}
}

// TestInprocBlockedSendEndsWithClose checks that a Send waiting for room
// in an in-memory peer's full inbox ends when its own socket closes.
func TestInprocBlockedSendEndsWithClose(t *testing.T) {
	_, push := inprocPair(t, PULL, PUSH, &Options{RecvHWM: 1}, &Options{SendHWM: 1})
	ctx := testCtx(t)
	for {
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		err := push.Send(short, []byte("x"))
		cancel()
		if err != nil {
			break // the inbox is full
		}
	}
	started := make(chan struct{})
	sent := make(chan error, 1)
	go func() {
		close(started)
		sent <- push.Send(ctx, []byte("blocked"))
	}()
	<-started
	// The Send must wait: nothing reads the full inbox.
	select {
	case err := <-sent:
		t.Fatalf("Send into a full inbox returned %v, want it to wait", err)
	case <-time.After(50 * time.Millisecond):
	}
	push.Close()
	select {
	case err := <-sent:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("blocked Send after Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a Send blocked on a full in-memory peer outlived its socket's Close")
	}
}

// TestLockstepAcrossGoroutines checks that two goroutines cannot take the
// same step of the REQ/REP lockstep at once: of two Recv calls on a REP,
// or on a REQ with a request out, one fails at once and the other waits.
func TestLockstepAcrossGoroutines(t *testing.T) {
	ctx := testCtx(t)
	rep, req := inprocPair(t, REP, REQ, nil, nil)
	for _, tt := range []struct {
		name string
		s    *Socket
	}{{"REP", rep}, {"REQ", req}} {
		if tt.s == req {
			if err := req.Send(ctx, []byte("q")); err != nil {
				t.Fatal(err)
			}
		}
		wait, cancel := context.WithCancel(ctx)
		results := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := tt.s.Recv(wait)
				results <- err
			}()
		}
		select {
		case err := <-results:
			if !errors.Is(err, ErrState) {
				t.Errorf("%s: the Recv that returned first = %v, want an error wrapping ErrState", tt.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s: both concurrent Recv calls wait", tt.name)
		}
		cancel()
		if err := <-results; !errors.Is(err, context.Canceled) {
			t.Errorf("%s: the other Recv = %v, want it to wait until cancelled", tt.name, err)
		}
	}
}
