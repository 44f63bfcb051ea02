package rpc

import (
	"context"
	"errors"
	"testing"
	"time"
)

type ctxKey struct{}

// TestCallCtx checks that a call's context answers as the context it
// stands for, whether or not anything waited on it before it ended.
func TestCallCtx(t *testing.T) {
	isClosed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	past := time.Now().Add(-time.Second)
	for _, tt := range []struct {
		name     string
		deadline time.Time
		end      bool // the call returned or its caller cancelled
		stop     bool // the server's base ended
		waited   bool // Done was asked for before the end
		want     error
	}{
		{name: "running", deadline: time.Now().Add(time.Hour)},
		{name: "running, waited on", waited: true},
		{name: "past its deadline", deadline: past, want: context.DeadlineExceeded},
		{name: "past its deadline, waited on", deadline: past, waited: true, want: context.DeadlineExceeded},
		{name: "ended", end: true, want: context.Canceled},
		{name: "ended, waited on", end: true, waited: true, want: context.Canceled},
		{name: "server closed", stop: true, want: context.Canceled},
		{name: "server closed, waited on", stop: true, waited: true, want: context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base, stop := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
			defer stop()
			c := &callCtx{base: base, deadline: tt.deadline}
			if tt.waited && isClosed(c.Done()) && tt.deadline != past {
				t.Fatal("Done is closed before anything ended")
			}
			if tt.end {
				c.end()
			}
			if tt.stop {
				stop()
			}
			if got := c.Err(); !errors.Is(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Err: got %v, want %v", got, tt.want)
			}
			if dl, ok := c.Deadline(); dl != tt.deadline || ok == tt.deadline.IsZero() {
				t.Errorf("Deadline: got %v, %v, want %v", dl, ok, tt.deadline)
			}
			if tt.want != nil {
				select {
				case <-c.Done():
				case <-time.After(10 * time.Second):
					t.Fatal("Done is not closed after the context ended")
				}
				if got := context.Cause(c); !errors.Is(got, tt.want) {
					t.Errorf("Cause: got %v, want %v", got, tt.want)
				}
			} else if isClosed(c.Done()) {
				t.Error("Done is closed, but nothing ended")
			}
			if got := c.Value(ctxKey{}); got != "v" {
				t.Errorf("Value: got %v, want the base's value", got)
			}
			// A context made from it ends with it.
			child, cancel := context.WithCancel(c)
			defer cancel()
			c.end()
			select {
			case <-child.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("a context made from it did not end with it")
			}
		})
	}
}

// TestCallCtxDeadlineFires checks that a waiting function sees its
// deadline come.
func TestCallCtxDeadlineFires(t *testing.T) {
	c := &callCtx{base: context.Background(), deadline: time.Now().Add(20 * time.Millisecond)}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the deadline did not end the context")
	}
	if got := c.Err(); got != context.DeadlineExceeded {
		t.Errorf("Err: got %v, want %v", got, context.DeadlineExceeded)
	}
}
