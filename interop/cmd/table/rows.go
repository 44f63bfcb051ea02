//go:build libzmq

package main

import (
	"context"
	"fmt"
	"time"
)

// impls are the columns of the table, in order. The last is the floor.
var impls = []impl{xbahnImpl, libzmqImpl, gozmqImpl, netrpcImpl, tcpImpl}

// A measurement is one kind of run, made once for each implementation
// that can: its result fills that implementation's cells in one or more
// rows.
type measurement struct {
	name string
	// body returns the run of im, or nil when im cannot make it.
	body func(im impl) body
}

// echoes measures REQ/REP round trips of size bytes by clients clients,
// each on its own connection and goroutine; one client's round trips are
// timed one by one. With apart, the server runs in a process of its own.
func echoes(size, clients int, apart bool) measurement {
	name := fmt.Sprintf("REQ/REP %s, %d client(s)", sizeName(size), clients)
	if apart {
		name += ", server apart"
	}
	return measurement{
		name: name,
		body: func(im impl) body {
			if im.serveEcho == nil {
				return nil
			}
			return func(ctx context.Context, d time.Duration) (result, error) {
				c := im.closerFor(ctx)
				defer c.Close()
				ep, err := serve(ctx, c, im, apart, echoServer, size)
				if err != nil {
					return result{}, err
				}
				rts, err := im.dialEcho(ctx, c, ep, size, clients)
				if err != nil {
					return result{}, err
				}
				if clients == 1 {
					return sequential(rts[0], d)
				}
				return parallel(rts, d)
			}
		},
	}
}

// pushes measures one-way messages from a PUSH to a PULL.
func pushes() measurement {
	return measurement{
		name: "PUSH/PULL " + sizeName(streamSize),
		body: func(im impl) body {
			if im.push == nil {
				return nil
			}
			return func(ctx context.Context, d time.Duration) (result, error) {
				s, closeAll, err := im.push(ctx)
				if err != nil {
					return result{}, err
				}
				defer closeAll()
				return flow(s, d)
			}
		},
	}
}

// calls measures multiply(7, 6) calls by callers goroutines sharing one
// client. With apart, the server runs in a process of its own.
func calls(callers int, apart bool) measurement {
	name := fmt.Sprintf("RPC, %d caller(s)", callers)
	if apart {
		name += ", server apart"
	}
	return measurement{
		name: name,
		body: func(im impl) body {
			if im.serveRPC == nil {
				return nil
			}
			return func(ctx context.Context, d time.Duration) (result, error) {
				c := im.closerFor(ctx)
				defer c.Close()
				ep, err := serve(ctx, c, im, apart, rpcServer, 0)
				if err != nil {
					return result{}, err
				}
				call, err := im.dialRPC(ctx, c, ep)
				if err != nil {
					return result{}, err
				}
				ops := make([]func() error, callers)
				for i := range ops {
					ops[i] = call
				}
				return parallel(ops, d)
			}
		},
	}
}

// sizeName writes a message size as the table does.
func sizeName(n int) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// The measurements, in the order they run.
var measurements = []measurement{
	echoes(64, 1, false),
	echoes(64<<10, 1, false),
	echoes(64, 8, false),
	pushes(),
	calls(1, false),
	calls(8, false),
	echoes(64, 1, true),
	echoes(64<<10, 1, true),
	echoes(1<<20, 1, true),
	echoes(64, 8, true),
	calls(1, true),
	calls(8, true),
}

// A row is a line of the table: one figure of one measurement.
type row struct {
	label string
	// of is the index in measurements of the row's measurement.
	of int
	// latency is true for durations, where less is better, and false
	// for rates, where more is.
	latency bool
	value   func(result) float64
}

func p50(r result) float64  { return r.p50.Seconds() }
func p99(r result) float64  { return r.p99.Seconds() }
func rate(r result) float64 { return r.rate() }

// rows are the lines of the table, in order: first with server and
// clients in one process, then with the server in a process of its own.
var rows = []row{
	{"REQ/REP 64 B round trip, p50", 0, true, p50},
	{"REQ/REP 64 B round trip, p99", 0, true, p99},
	{"REQ/REP 64 KiB round trip, p50", 1, true, p50},
	{"REQ/REP 64 KiB round trip, p99", 1, true, p99},
	{"REQ/REP 64 B, 1 client: round trips/s", 0, false, rate},
	{"REQ/REP 64 B, 8 clients: round trips/s", 2, false, rate},
	{"PUSH/PULL 64 B: messages/s", 3, false, rate},
	{"RPC multiply(7, 6), 1 caller: calls/s", 4, false, rate},
	{"RPC multiply(7, 6), 8 callers: calls/s", 5, false, rate},
	{"server apart: REQ/REP 64 B round trip, p50", 6, true, p50},
	{"server apart: REQ/REP 64 B round trip, p99", 6, true, p99},
	{"server apart: REQ/REP 64 KiB round trip, p50", 7, true, p50},
	{"server apart: REQ/REP 64 KiB round trip, p99", 7, true, p99},
	{"server apart: REQ/REP 1 MiB round trip, p50", 8, true, p50},
	{"server apart: REQ/REP 1 MiB round trip, p99", 8, true, p99},
	{"server apart: REQ/REP 64 B, 8 clients: round trips/s", 9, false, rate},
	{"server apart: RPC multiply(7, 6), 1 caller: calls/s", 10, false, rate},
	{"server apart: RPC multiply(7, 6), 8 callers: calls/s", 11, false, rate},
}
