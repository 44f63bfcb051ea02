package compat

import (
	"context"
	"fmt"
	"sync"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Peer is the original's side of a replay: sockets, one for each
// connection of a transcript, that send what the transcript says the
// original sent and receive what the Go side sends. Frames are the
// message's after any REQ/REP envelope, which the sockets handle.
type Peer interface {
	// Bind opens socket k of type t on a free loopback TCP port and
	// returns its endpoint, tcp://127.0.0.1:PORT.
	Bind(ctx context.Context, k int, t zmtp.Type) (string, error)
	// Connect opens socket k of type t to endpoint; a SUB subscribes to
	// topic.
	Connect(ctx context.Context, k int, t zmtp.Type, endpoint, topic string) error
	// Send sends a message on socket k.
	Send(ctx context.Context, k int, frames [][]byte) error
	// Recv receives a message on socket k.
	Recv(ctx context.Context, k int) ([][]byte, error)
	// Close closes every socket.
	Close() error
}

// ZMTP is a Peer made of this module's own zmtp sockets, which announce
// nothing in their handshake but what libzmq's do.
type ZMTP struct {
	mu    sync.Mutex
	socks map[int]*zmtp.Socket
}

// NewZMTP returns a Peer of zmtp sockets.
func NewZMTP() *ZMTP { return &ZMTP{socks: map[int]*zmtp.Socket{}} }

func (p *ZMTP) open(k int, t zmtp.Type) (*zmtp.Socket, error) {
	s, err := zmtp.NewSocket(t, nil)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.socks[k]; old != nil {
		old.Close()
	}
	p.socks[k] = s
	return s, nil
}

func (p *ZMTP) sock(k int) (*zmtp.Socket, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.socks[k]
	if s == nil {
		return nil, fmt.Errorf("no socket %d", k)
	}
	return s, nil
}

// Bind opens socket k bound to a free loopback port.
func (p *ZMTP) Bind(_ context.Context, k int, t zmtp.Type) (string, error) {
	s, err := p.open(k, t)
	if err != nil {
		return "", err
	}
	return s.Bind("tcp://127.0.0.1:0")
}

// Connect opens socket k connected to endpoint.
func (p *ZMTP) Connect(_ context.Context, k int, t zmtp.Type, endpoint, topic string) error {
	s, err := p.open(k, t)
	if err != nil {
		return err
	}
	if t == zmtp.SUB {
		if err := s.Subscribe([]byte(topic)); err != nil {
			return err
		}
	}
	return s.Connect(endpoint)
}

// Send sends on socket k.
func (p *ZMTP) Send(ctx context.Context, k int, frames [][]byte) error {
	s, err := p.sock(k)
	if err != nil {
		return err
	}
	return s.Send(ctx, frames...)
}

// Recv receives on socket k.
func (p *ZMTP) Recv(ctx context.Context, k int) ([][]byte, error) {
	s, err := p.sock(k)
	if err != nil {
		return nil, err
	}
	return s.Recv(ctx)
}

// Close closes every socket.
func (p *ZMTP) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, s := range p.socks {
		s.Close()
		delete(p.socks, k)
	}
	return nil
}
