package zmtp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
)

// recvStream receives one message of a STREAM socket: an id and data.
func recvStream(t *testing.T, s *Socket) (id, data []byte) {
	t.Helper()
	m, err := s.Recv(testCtx(t))
	if err != nil || len(m) != 2 {
		t.Fatalf("STREAM Recv = %q, %v; want an id and data", m, err)
	}
	return m[0], m[1]
}

func TestStreamServesPlainTCP(t *testing.T) {
	ctx := testCtx(t)
	s := mustSocket(t, STREAM, nil)
	ep := mustBind(t, s)
	addr, _ := ParseEndpoint(ep)
	c, err := net.Dial("tcp", addr.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id, data := recvStream(t, s)
	if len(id) != 5 || id[0] != 0 || len(data) != 0 {
		t.Fatalf("connect notification %q %q, want a 5-byte id and no data", id, data)
	}
	if _, err := c.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < 18 {
		from, data := recvStream(t, s)
		if !bytes.Equal(from, id) {
			t.Fatalf("data from %q, want %q", from, id)
		}
		got = append(got, data...)
	}
	if string(got) != "GET / HTTP/1.0\r\n\r\n" {
		t.Errorf("received %q", got)
	}
	if err := s.Send(ctx, id, []byte("HTTP/1.0 200 OK\r\n\r\nhi")); err != nil {
		t.Fatal(err)
	}
	// An empty frame closes the connection; the client reads to the end.
	if err := s.Send(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(c)
	if err != nil || string(all) != "HTTP/1.0 200 OK\r\n\r\nhi" {
		t.Errorf("the client read %q, %v", all, err)
	}
	if from, data := recvStream(t, s); !bytes.Equal(from, id) || len(data) != 0 {
		t.Errorf("disconnect notification %q %q", from, data)
	}
	if err := s.Send(ctx, id, []byte("late")); !errors.Is(err, ErrHostUnreachable) {
		t.Errorf("Send to a closed connection = %v, want ErrHostUnreachable", err)
	}
	if err := s.Send(ctx, id); err == nil {
		t.Error("a Send of one frame succeeded")
	}
}

func TestStreamDialsPlainTCP(t *testing.T) {
	ctx := testCtx(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := mustSocket(t, STREAM, nil)
	if err := s.Connect("tcp://" + ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := recvStream(t, s)
	if err := s.Send(ctx, id, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("the server read %q, %v", buf, err)
	}
	c.Write([]byte("pong"))
	if from, data := recvStream(t, s); !bytes.Equal(from, id) || string(data) != "pong" {
		t.Errorf("received %q %q", from, data)
	}
	c.Close()
	if from, data := recvStream(t, s); !bytes.Equal(from, id) || len(data) != 0 {
		t.Errorf("disconnect notification %q %q", from, data)
	}
	// The socket dials again, with a new id.
	c2, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if id2, _ := recvStream(t, s); bytes.Equal(id2, id) {
		t.Errorf("the new connection has the old id %q", id2)
	}
}

func TestStreamNoInproc(t *testing.T) {
	s := mustSocket(t, STREAM, &Options{Hub: &Hub{}})
	if _, err := s.Bind("inproc://x"); err == nil {
		t.Error("a STREAM socket bound inproc")
	}
	if err := s.Connect("inproc://x"); err == nil {
		t.Error("a STREAM socket connected inproc")
	}
}

// TestStreamCloseStopsGoroutines closes a STREAM socket with a connection
// accepted, one dialled, and a message nobody received.
func TestStreamCloseStopsGoroutines(t *testing.T) {
	leakCheck(t)
	s, err := NewSocket(STREAM, &Options{RecvHWM: 1})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := s.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := ParseEndpoint(ep)
	c, err := net.Dial("tcp", addr.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("unread")) // fills the inbox of one behind the notification
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
