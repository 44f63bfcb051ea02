//go:build libzmq

package main

import (
	"context"
	"syscall"
	"time"

	zmq "github.com/pebbe/zmq4"
)

var libzmqImpl = impl{
	name:      "libzmq",
	serveEcho: libzmqServeEcho,
	dialEcho:  libzmqDialEcho,
	push:      libzmqPush,
	unbound:   true,
}

// serverPoll is how often a libzmq server loop looks at its context.
const serverPoll = 100 * time.Millisecond

// A libzmq socket belongs to one goroutine at a time, so nothing closes
// it from another while it blocks: each operation times out by itself
// after opTimeout instead, and the implementation is unbound.

// libzmqSocket returns a new libzmq socket of type t whose operations
// time out after timeout.
func libzmqSocket(t zmq.Type, timeout time.Duration) (*zmq.Socket, error) {
	s, err := zmq.NewSocket(t)
	if err != nil {
		return nil, err
	}
	for _, err = range []error{s.SetLinger(0), s.SetRcvtimeo(timeout), s.SetSndtimeo(timeout)} {
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// libzmqBind binds s to a free loopback port and returns its endpoint.
func libzmqBind(s *zmq.Socket) (string, error) {
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		return "", err
	}
	return s.GetLastEndpoint()
}

// isAgain reports whether err is libzmq's timeout.
func isAgain(err error) bool { return zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN) }

func libzmqServeEcho(ctx context.Context, c *closer, size int) (string, error) {
	rep, err := libzmqSocket(zmq.REP, serverPoll)
	if err != nil {
		return "", err
	}
	ep, err := libzmqBind(rep)
	if err != nil {
		rep.Close()
		return "", err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer rep.Close()
		for sctx.Err() == nil {
			m, err := rep.RecvBytes(0)
			if isAgain(err) {
				continue
			}
			if err != nil {
				return
			}
			if _, err := rep.SendBytes(m, 0); err != nil {
				return
			}
		}
	}()
	c.add(func() { stop(); <-done })
	return ep, nil
}

func libzmqDialEcho(ctx context.Context, c *closer, ep string, size, n int) ([]func() error, error) {
	rts := make([]func() error, n)
	for i := range rts {
		req, err := libzmqSocket(zmq.REQ, opTimeout)
		if err != nil {
			return nil, err
		}
		c.add(func() { req.Close() })
		if err := req.Connect(ep); err != nil {
			return nil, err
		}
		payload := make([]byte, size)
		rts[i] = func() error {
			if _, err := req.SendBytes(payload, 0); err != nil {
				return err
			}
			_, err := req.RecvBytes(0)
			return err
		}
	}
	return rts, nil
}

func libzmqPush(ctx context.Context) (stream, func(), error) {
	c := newCloser(context.Background())
	fail := func(err error) (stream, func(), error) {
		c.Close()
		return stream{}, nil, err
	}
	pull, err := libzmqSocket(zmq.PULL, opTimeout)
	if err != nil {
		return fail(err)
	}
	c.add(func() { pull.Close() })
	ep, err := libzmqBind(pull)
	if err != nil {
		return fail(err)
	}
	push, err := libzmqSocket(zmq.PUSH, opTimeout)
	if err != nil {
		return fail(err)
	}
	c.add(func() { push.Close() })
	if err := push.Connect(ep); err != nil {
		return fail(err)
	}
	return stream{
		send: func(msg []byte) error {
			_, err := push.SendBytes(msg, 0)
			return err
		},
		recv: func() (bool, error) {
			m, err := pull.RecvBytes(0)
			return err == nil && len(m) > 0 && m[0] == 1, err
		},
	}, c.Close, nil
}
