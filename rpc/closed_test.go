package rpc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCallAfterClose checks that a closed server answers calls with an
// error at once, over REQ/REP and DEALER/ROUTER alike.
func TestCallAfterClose(t *testing.T) {
	for _, typ := range []string{"rep", "router"} {
		t.Run(typ, func(t *testing.T) {
			s, c := pair(t, typ, nil, nil, func(s *Server) { s.RegisterMethods(&calc{}) })
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
			defer cancel()
			_, err := c.Call(ctx, "multiply", 7, 6)
			var re *Error
			if !errors.As(err, &re) || re.Message != "server closed" || !errors.Is(err, ErrClosed) {
				t.Fatalf("call to a closed server = %v, want an *Error saying the server closed, matching ErrClosed", err)
			}
		})
	}
}

// TestTinyIdleTimeout checks that an idle timeout too short to halve into
// a ticker interval does not crash the server's janitor.
func TestTinyIdleTimeout(t *testing.T) {
	s, err := NewServer(&ServerOptions{IdleTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
