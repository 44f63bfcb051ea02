//go:build libzmq

package main

import (
	"context"
	"errors"
	"io"
	"log"

	gozmq "github.com/go-zeromq/zmq4"
)

var gozmqImpl = impl{
	name:      "go-zeromq/zmq4",
	serveEcho: gozmqServeEcho,
	dialEcho:  gozmqDialEcho,
	push:      gozmqPush,
}

// gozmqOptions keep go-zeromq/zmq4 quiet and bound its sends.
func gozmqOptions() []gozmq.Option {
	return []gozmq.Option{
		gozmq.WithLogger(log.New(io.Discard, "", 0)),
		gozmq.WithTimeout(opTimeout),
	}
}

// gozmqListen starts s on a free loopback port and returns its endpoint.
func gozmqListen(s gozmq.Socket) (string, error) {
	if err := s.Listen("tcp://127.0.0.1:0"); err != nil {
		return "", err
	}
	if s.Addr() == nil {
		return "", errors.New("go-zeromq/zmq4 listener has no address")
	}
	return "tcp://" + s.Addr().String(), nil
}

// The sockets of go-zeromq/zmq4 take a context: every operation ends when
// the cell's ends.

func gozmqServeEcho(ctx context.Context, c *closer, size int) (string, error) {
	rep := gozmq.NewRep(ctx, gozmqOptions()...)
	c.add(func() { rep.Close() })
	ep, err := gozmqListen(rep)
	if err != nil {
		return "", err
	}
	go func() {
		for {
			m, err := rep.Recv()
			if err != nil {
				return
			}
			if rep.Send(m) != nil {
				return
			}
		}
	}()
	return ep, nil
}

func gozmqDialEcho(ctx context.Context, c *closer, ep string, size, n int) ([]func() error, error) {
	rts := make([]func() error, n)
	for i := range rts {
		req := gozmq.NewReq(ctx, gozmqOptions()...)
		c.add(func() { req.Close() })
		if err := req.Dial(ep); err != nil {
			return nil, err
		}
		m := gozmq.NewMsg(make([]byte, size))
		rts[i] = func() error {
			if err := req.Send(m); err != nil {
				return err
			}
			_, err := req.Recv()
			return err
		}
	}
	return rts, nil
}

func gozmqPush(ctx context.Context) (stream, func(), error) {
	c := newCloser(ctx)
	fail := func(err error) (stream, func(), error) {
		c.Close()
		return stream{}, nil, err
	}
	pull := gozmq.NewPull(ctx, gozmqOptions()...)
	c.add(func() { pull.Close() })
	ep, err := gozmqListen(pull)
	if err != nil {
		return fail(err)
	}
	push := gozmq.NewPush(ctx, gozmqOptions()...)
	c.add(func() { push.Close() })
	if err := push.Dial(ep); err != nil {
		return fail(err)
	}
	return stream{
		send: func(msg []byte) error { return push.Send(gozmq.NewMsg(msg)) },
		recv: func() (bool, error) {
			m, err := pull.Recv()
			if err != nil {
				return false, err
			}
			if len(m.Frames) == 0 || len(m.Frames[0]) == 0 {
				return false, errors.New("empty message")
			}
			return m.Frames[0][0] == 1, nil
		},
	}, c.Close, nil
}
