package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Scenario is one transcript with the Go programs that play its two
// sides: Server in place of the original's server, Client in place of
// its client.
type Scenario struct {
	Name string // the transcript's
	// Server starts the Go server listening at endpoint, a loopback TCP
	// endpoint with port 0 the first time, the one it had for a restart.
	Server func(endpoint string) (Running, error)
	// Client runs the Go client against the server at endpoint.
	Client func(ctx context.Context, endpoint string) error
	// ClientBinds are the connections the client's side binds, and the
	// server's side connects to: a two-way client's responder.
	ClientBinds []int
	// RestartBefore is the connection before which the server restarts.
	RestartBefore int
	// Topic is what a subscriber subscribes to.
	Topic string
	// Stream marks a publisher's stream, which a subscriber joins at any
	// point: the first message it is to see may come after others.
	Stream bool
	// Ours lists the Go server's answers where they differ from the
	// original's, on purpose: each replaces a text of the original's
	// messages with ours (Server mode).
	Ours []Divergence
}

// Divergence is a piece of an original message that the Go side sends
// differently, and why: Original is replaced by Ours, or, with Fix set,
// the message is what Fix makes of it and of the request it answers.
type Divergence struct {
	Original, Ours string
	Fix            func(req, msg []byte) []byte
	Why            string
}

// Running is a Go server that a replay talks to.
type Running interface {
	Endpoint() string // tcp://127.0.0.1:PORT
	Close() error
}

// socket types of a transcript's connections: "REQ -> REP" is the
// connecting side's type, then the binding side's.
type conn struct {
	connect, bind zmtp.Type
}

func (t *Transcript) conns() (map[int]conn, error) {
	m := map[int]conn{}
	for _, c := range t.Header.Connections {
		a, b, ok := strings.Cut(c.SocketTypes, " -> ")
		ta, oka := zmtp.ParseType(a)
		tb, okb := zmtp.ParseType(b)
		if !ok || !oka || !okb {
			return nil, fmt.Errorf("%s: connection %d has socket types %q", t.Name, c.Conn, c.SocketTypes)
		}
		m[c.Conn] = conn{ta, tb}
	}
	return m, nil
}

// remoteRE finds the address in a meta.remote.
var remoteRE = regexp.MustCompile(`connect->zmq://([^/"]+)/`)

// strip drops the REQ/REP envelope, which the sockets add themselves.
func strip(t zmtp.Type, frames [][]byte) [][]byte {
	if (t == zmtp.REQ || t == zmtp.REP) && len(frames) > 1 && len(frames[0]) == 0 {
		return frames[1:]
	}
	return frames
}

// checkFrames compares a message we sent with the original's, frame by
// frame: JSON by the matcher, a topic prefix and anything else by value.
func checkFrames(m *matcher, want, got [][]byte) error {
	if len(want) != len(got) {
		return fmt.Errorf("%d frames, the original's %d: %q", len(got), len(want), got)
	}
	for i := range want {
		w, g := want[i], got[i]
		if j := bytes.IndexByte(w, '{'); j > 0 && bytes.HasSuffix(w[:j], []byte(" ")) {
			if !bytes.HasPrefix(g, w[:j]) {
				return fmt.Errorf("frame %d: %q does not start with the topic %q", i, g, w[:j])
			}
			w, g = w[j:], g[j:]
		}
		if len(w) > 0 && w[0] == '{' {
			if err := m.check(w, g); err != nil {
				return fmt.Errorf("frame %d: %w", i, err)
			}
			continue
		}
		if !bytes.Equal(w, g) {
			return fmt.Errorf("frame %d: %q, the original's %q", i, g, w)
		}
	}
	return nil
}

// ours applies the scenario's divergences to one of the original's
// payloads, which answers req.
func (s *Scenario) ours(req, want []byte) []byte {
	for _, d := range s.Ours {
		if d.Fix != nil {
			want = d.Fix(req, want)
			continue
		}
		want = bytes.ReplaceAll(want, []byte(d.Original), []byte(d.Ours))
	}
	return want
}

// ReplayServer plays the original's client of the transcript through peer
// against the Go server: it sends what the original's client sent, with
// the ids our server made in place of the original server's, and checks
// that our server answers what the original's answered.
func (s *Scenario) ReplayServer(ctx context.Context, peer Peer) error {
	t, err := Load(s.Name)
	if err != nil {
		return err
	}
	conns, err := t.conns()
	if err != nil {
		return err
	}
	srv, err := s.Server("tcp://127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { srv.Close() }()
	m := newMatcher()
	binds := map[int]bool{}
	remote := ""
	for _, k := range s.ClientBinds {
		ep, err := peer.Bind(ctx, k, conns[k].bind)
		if err != nil {
			return err
		}
		binds[k], remote = true, strings.TrimPrefix(ep, "tcp://")
	}
	opened := map[int]bool{}
	last := map[int][]byte{} // the original's last request on each connection
	for i, l := range t.Lines {
		c := conns[l.Conn]
		if !opened[l.Conn] && !binds[l.Conn] {
			if l.Conn == s.RestartBefore {
				ep := srv.Endpoint()
				srv.Close()
				if srv, err = s.Server(ep); err != nil {
					return fmt.Errorf("restarting the server: %w", err)
				}
			}
			if err := peer.Connect(ctx, l.Conn, c.connect, srv.Endpoint(), s.Topic); err != nil {
				return err
			}
			opened[l.Conn] = true
		}
		typ := c.connect
		if binds[l.Conn] {
			typ = c.bind
		}
		frames := strip(typ, l.Frames)
		if l.C2S != binds[l.Conn] { // the original's client sent it
			last[l.Conn] = l.Payload()
			out := make([][]byte, len(frames))
			for j, f := range frames {
				f = m.rewrite(f)
				if remote != "" {
					f = remoteRE.ReplaceAll(f, []byte("connect->zmq://"+remote+"/"))
				}
				out[j] = f
			}
			if err := peer.Send(ctx, l.Conn, out); err != nil {
				return fmt.Errorf("%s line %d: sending: %w", s.Name, i+2, err)
			}
			continue
		}
		want := make([][]byte, len(frames))
		for j, f := range frames {
			want[j] = s.ours(last[l.Conn], f)
		}
		if err := s.expect(ctx, peer, l.Conn, m, want, s.Stream && i == firstExpected(t, binds)); err != nil {
			return fmt.Errorf("%s line %d: %w", s.Name, i+2, err)
		}
	}
	return nil
}

// firstExpected is the index of the first line the peer receives in
// Server mode.
func firstExpected(t *Transcript, binds map[int]bool) int {
	for i, l := range t.Lines {
		if l.C2S == binds[l.Conn] {
			return i
		}
	}
	return -1
}

// expect receives a message on socket k and checks it against want. On a
// stream's first message, messages before the one that matches are
// skipped.
func (s *Scenario) expect(ctx context.Context, peer Peer, k int, m *matcher, want [][]byte, first bool) error {
	for {
		got, err := recvWithin(ctx, peer, k)
		if err != nil {
			return err
		}
		if !first {
			return checkFrames(m, want, got)
		}
		trial := m.clone()
		if checkFrames(trial, want, got) == nil {
			*m = *trial
			return nil
		}
	}
}

// recvWithin receives on socket k, giving up after a few seconds.
func recvWithin(ctx context.Context, peer Peer, k int) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := peer.Recv(ctx, k)
	if err != nil {
		return nil, fmt.Errorf("receiving: %w", err)
	}
	return got, nil
}

// ReplayClient plays the original's server of the transcript through peer
// while the Go client runs: it checks that our client sends what the
// original's client sent, and answers what the original's server answered,
// with the ids our client made in place of the original client's. The
// connections our client makes to the server, one after the other, share
// one socket of the peer.
func (s *Scenario) ReplayClient(ctx context.Context, peer Peer) error {
	t, err := Load(s.Name)
	if err != nil {
		return err
	}
	conns, err := t.conns()
	if err != nil {
		return err
	}
	binds := map[int]bool{}
	for _, k := range s.ClientBinds {
		binds[k] = true
	}
	const server = 0 // the peer's socket our client connects to
	serverType := conns[t.Lines[0].Conn].bind
	if binds[t.Lines[0].Conn] {
		return errors.New("the first connection is the client's responder")
	}
	ep, err := peer.Bind(ctx, server, serverType)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Client(ctx, ep) }()

	m := newMatcher()
	remote := ""
	opened := map[int]bool{}
	lines := t.Lines
	for round := 0; ; round++ {
		for i, l := range lines {
			k, typ := server, serverType
			if binds[l.Conn] {
				k, typ = l.Conn, conns[l.Conn].connect
				if !opened[k] {
					if remote == "" {
						return fmt.Errorf("%s line %d: the client announced no remote to call it back on", s.Name, i+2)
					}
					if err := peer.Connect(ctx, k, typ, "tcp://"+remote, ""); err != nil {
						return err
					}
					opened[k] = true
				}
			}
			frames := strip(typ, l.Frames)
			if l.C2S == binds[l.Conn] { // the original's server sent it
				out := make([][]byte, len(frames))
				for j, f := range frames {
					out[j] = m.rewrite(f)
				}
				if err := peer.Send(ctx, k, out); err != nil {
					return fmt.Errorf("%s line %d: sending: %w", s.Name, i+2, err)
				}
				continue
			}
			got, err := recvOrDone(ctx, peer, k, done)
			if err != nil {
				return fmt.Errorf("%s line %d: %w", s.Name, i+2, err)
			}
			if err := checkFrames(m, frames, got); err != nil {
				return fmt.Errorf("%s line %d: %w", s.Name, i+2, err)
			}
			for _, f := range got {
				if r := remoteRE.FindSubmatch(f); r != nil {
					remote = string(r[1])
				}
			}
		}
		if !s.Stream {
			break
		}
		// A stream goes on until the client has what it waits for.
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("the client did not finish")
	}
}

// recvOrDone receives on socket k, unless the client ends first.
func recvOrDone(ctx context.Context, peer Peer, k int, done chan error) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	type result struct {
		frames [][]byte
		err    error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := peer.Recv(ctx, k)
		ch <- result{f, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("receiving: %w", r.err)
		}
		return r.frames, nil
	case err := <-done:
		cancel()
		<-ch
		if err == nil {
			err = errors.New("the client ended")
		}
		return nil, fmt.Errorf("waiting for the client's message: %w", err)
	}
}
