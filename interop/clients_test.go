//go:build libzmq

package interop

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// TestManyClients has fifty clients send twenty requests each, all at
// once, to one server, with our socket on one side and libzmq's on the
// other. Every request is unique and every client checks that each reply
// is the answer to its own request, so a reply routed to the wrong client
// or mixed up with another fails the test.
func TestManyClients(t *testing.T) {
	const clients, requests = 50, 20
	tests := []struct {
		server  string
		clients []string // client kinds, taken in turn
	}{
		{"xbahn REP", []string{"libzmq REQ"}},
		{"xbahn REP", []string{"libzmq REQ", "libzmq DEALER"}},
		{"libzmq REP", []string{"xbahn REQ"}},
		{"libzmq ROUTER", []string{"xbahn REQ", "xbahn DEALER"}},
		{"xbahn ROUTER", []string{"libzmq REQ", "libzmq DEALER"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s to %s", clients, strings.Join(tt.clients, " and "), tt.server), func(t *testing.T) {
			s := serverEnds[tt.server](t)
			ep := s.bind(t)
			cs := make([]client, clients)
			for i := range cs {
				cs[i] = clientEnds[tt.clients[i%len(tt.clients)]](t)
				cs[i].connect(t, ep)
			}
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()

			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := serve(ctx, s, clients*requests); err != nil {
					t.Errorf("server: %v", err)
					cancel()
				}
			}()
			for i, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := ask(ctx, c, i, requests); err != nil {
						t.Errorf("client %d: %v", i, err)
						cancel()
					}
				}()
			}
			wg.Wait()
		})
	}
}

// serve answers n requests on s.
func serve(ctx context.Context, s server, n int) error {
	for i := range n {
		req, err := s.recv(ctx)
		if err != nil {
			return fmt.Errorf("request %d of %d: %w", i+1, n, err)
		}
		if err := s.send(ctx, answer(req)); err != nil {
			return fmt.Errorf("reply %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// ask sends n unique requests from client number id, one at a time, and
// checks each reply.
func ask(ctx context.Context, c client, id, n int) error {
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	for i := range n {
		noise := make([]byte, rng.IntN(300))
		for j := range noise {
			noise[j] = byte(rng.Uint32())
		}
		req := [][]byte{[]byte(fmt.Sprintf("client %d request %d", id, i)), noise}
		if err := c.send(ctx, req); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		got, err := c.recv(ctx)
		if err != nil {
			return fmt.Errorf("request %d: reply: %w", i, err)
		}
		if d := diffFrames(got, answer(req)); d != "" {
			return fmt.Errorf("request %d: wrong reply %s: %s", i, brief(got), d)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
