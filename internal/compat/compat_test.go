package compat

import (
	"context"
	"testing"
	"time"
)

func replayCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestReplayServer has our servers answer the original's clients, as the
// transcripts recorded them.
func TestReplayServer(t *testing.T) {
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			peer := NewZMTP()
			defer peer.Close()
			if err := s.ReplayServer(replayCtx(t), peer); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestReplayClient has our clients talk to the original's servers, as the
// transcripts recorded them.
func TestReplayClient(t *testing.T) {
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			peer := NewZMTP()
			defer peer.Close()
			if err := s.ReplayClient(replayCtx(t), peer); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestReplayErrors sends the transcripts' hand-made requests to our
// server.
func TestReplayErrors(t *testing.T) {
	for _, c := range ErrorCases() {
		t.Run(c.Name, func(t *testing.T) {
			peer := NewZMTP()
			defer peer.Close()
			if err := c.Replay(replayCtx(t), peer); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestNoTopic checks that our subscriber without a topic gets what the
// original's publishes.
func TestNoTopic(t *testing.T) {
	peer := NewZMTP()
	defer peer.Close()
	if err := NoTopic(replayCtx(t), peer); err != nil {
		t.Error(err)
	}
}

// TestEngineerCall has the command line's call make the calls of a-api
// against the original's server.
func TestEngineerCall(t *testing.T) {
	s := EngineerCall()
	peer := NewZMTP()
	defer peer.Close()
	if err := s.ReplayClient(replayCtx(t), peer); err != nil {
		t.Error(err)
	}
}
