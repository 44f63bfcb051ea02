//go:build libzmq

package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// opTimeout bounds every single blocking operation of a cell, through a
// context, a deadline or a socket option, whichever the implementation
// takes.
const opTimeout = 5 * time.Second

// hangGrace is how long a cell may take to return after its context has
// ended before it is given up as hung.
const hangGrace = 10 * time.Second

// warmups is how many operations each connection makes before timing
// starts: the first brings the connection up.
const warmups = 100

// A result is what one cell measured: n operations in elapsed, and for
// the sequential round trips the median and 99th percentile of their
// durations.
type result struct {
	n        int
	elapsed  time.Duration
	p50, p99 time.Duration
	err      error
}

// rate returns the operations per second.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

// A body measures one cell for about d. Every operation it makes ends
// with an error once ctx has ended.
type body func(ctx context.Context, d time.Duration) (result, error)

// measure runs f for about d and returns what it measured. A cell that
// neither finishes nor fails within d plus opTimeout ends with an error,
// and one that does not return hangGrace after that is left behind as
// hung, so that one stuck implementation cannot stop the table.
func measure(d time.Duration, f body) result {
	ctx, cancel := context.WithTimeout(context.Background(), d+opTimeout)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		r, err := f(ctx, d)
		r.err = err
		done <- r
	}()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		if r.err == nil {
			r.err = fmt.Errorf("did not finish within %v", d+opTimeout)
		}
		return r
	case <-time.After(hangGrace):
		return result{err: fmt.Errorf("hung: still running %v after its time ran out", hangGrace)}
	}
}

// warm makes warmups calls of each op.
func warm(ops []func() error) error {
	for i, op := range ops {
		for j := range warmups {
			if err := op(); err != nil {
				return fmt.Errorf("warm-up %d of client %d: %w", j, i, err)
			}
		}
	}
	return nil
}

// sequential times each call of op, one after another, for d.
func sequential(op func() error, d time.Duration) (result, error) {
	if err := warm([]func() error{op}); err != nil {
		return result{}, err
	}
	lat := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	deadline := start.Add(d)
	for t := start; t.Before(deadline); {
		if err := op(); err != nil {
			return result{}, fmt.Errorf("round trip %d: %w", len(lat), err)
		}
		now := time.Now()
		lat = append(lat, now.Sub(t))
		t = now
	}
	r := result{n: len(lat), elapsed: time.Since(start)}
	slices.Sort(lat)
	r.p50 = lat[len(lat)/2]
	r.p99 = lat[len(lat)*99/100]
	return r, nil
}

// parallel calls every op in a goroutine of its own, over and over, for d,
// and counts the calls of all together.
func parallel(ops []func() error, d time.Duration) (result, error) {
	if err := warm(ops); err != nil {
		return result{}, err
	}
	var (
		n    atomic.Int64
		wg   sync.WaitGroup
		errs = make([]error, len(ops))
	)
	start := time.Now()
	deadline := start.Add(d)
	for i, op := range ops {
		wg.Go(func() {
			k := int64(0)
			for time.Now().Before(deadline) {
				if err := op(); err != nil {
					errs[i] = fmt.Errorf("client %d, call %d: %w", i, k, err)
					break
				}
				k++
			}
			n.Add(k)
		})
	}
	wg.Wait()
	return result{n: int(n.Load()), elapsed: time.Since(start)}, errors.Join(errs...)
}

// A stream is one sender and one receiver of streamSize-byte messages.
type stream struct {
	// send sends msg; flush, if not nil, sends what send has buffered.
	send  func(msg []byte) error
	flush func() error
	// recv receives one message and reports whether it was the last,
	// marked by its first byte.
	recv func() (last bool, err error)
}

// streamSize is the size of the messages of the PUSH/PULL row.
const streamSize = 64

// flow sends messages on s for d while another goroutine receives them,
// then a last one, and measures until the last has arrived.
func flow(s stream, d time.Duration) (result, error) {
	msg := make([]byte, streamSize)
	last := make([]byte, streamSize)
	last[0] = 1
	// One message first: the connection is up.
	if err := s.send(last); err != nil {
		return result{}, fmt.Errorf("first send: %w", err)
	}
	if s.flush != nil {
		if err := s.flush(); err != nil {
			return result{}, fmt.Errorf("first flush: %w", err)
		}
	}
	if _, err := s.recv(); err != nil {
		return result{}, fmt.Errorf("first receive: %w", err)
	}
	received := make(chan error, 1)
	var got int
	start := time.Now()
	go func() {
		for {
			end, err := s.recv()
			if err != nil {
				received <- fmt.Errorf("receiving message %d: %w", got, err)
				return
			}
			got++
			if end {
				received <- nil
				return
			}
		}
	}()
	deadline := start.Add(d)
	sent := 0
	var err error
	for err == nil {
		if sent%64 == 0 && !time.Now().Before(deadline) {
			break
		}
		err = s.send(msg)
		sent++
	}
	if err == nil {
		err = s.send(last)
		sent++
	}
	if err == nil && s.flush != nil {
		err = s.flush()
	}
	if err != nil {
		// The receiver stops when its operation fails or times out: wait
		// for it, so that nothing uses the stream once flow returns.
		return result{}, errors.Join(fmt.Errorf("sending message %d: %w", sent, err), <-received)
	}
	if err := <-received; err != nil {
		return result{}, err
	}
	if got != sent {
		return result{}, fmt.Errorf("received %d messages of %d", got, sent)
	}
	return result{n: got, elapsed: time.Since(start)}, nil
}
