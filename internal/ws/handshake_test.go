package ws

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoServer serves WebSocket on / that echoes each message, choosing the
// first offered subprotocol that starts with "echo".
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := Upgrade(w, r, func(offered []string) (string, error) {
			for _, p := range offered {
				if strings.HasPrefix(p, "echo") {
					return p, nil
				}
			}
			if len(offered) > 0 {
				return "", errors.New("no echo subprotocol offered")
			}
			return "", nil
		}, 1<<20)
		if err != nil {
			return
		}
		defer c.Close()
		var buf []byte
		for {
			op, msg, err := c.ReadMessage(buf)
			if err != nil {
				return
			}
			if c.WriteMessage(op, msg) != nil {
				return
			}
			buf = msg
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestClientEcho(t *testing.T) {
	srv := echoServer(t)
	addr := srv.Listener.Addr().String()
	for _, tc := range []struct {
		offered []string
		want    string
	}{
		{nil, ""},
		{[]string{"other", "echo.v2", "echo"}, "echo.v2"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, proto, err := Client(ctx, dial(t, addr), addr, "/x?y=1", tc.offered, 1<<20)
		cancel()
		if err != nil {
			t.Fatalf("Client offering %q: %v", tc.offered, err)
		}
		if proto != tc.want {
			t.Errorf("Client offering %q: chose %q, want %q", tc.offered, proto, tc.want)
		}
		c.NetConn().SetDeadline(time.Now().Add(5 * time.Second))
		for _, m := range []struct {
			op  Opcode
			msg string
		}{{OpText, "hello, world"}, {OpBinary, "\x00\x01\x02"}, {OpText, strings.Repeat("long ", 20000)}} {
			if err := c.WriteMessage(m.op, []byte(m.msg)); err != nil {
				t.Fatal(err)
			}
			op, got, err := c.ReadMessage(nil)
			if err != nil || op != m.op || string(got) != m.msg {
				t.Errorf("echo of %v %.20q: got %v %.20q, %v", m.op, m.msg, op, got, err)
			}
		}
		c.Close()
	}
}

func TestClientRefused(t *testing.T) {
	srv := echoServer(t)
	addr := srv.Listener.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := Client(ctx, dial(t, addr), addr, "/", []string{"chat"}, 0)
	var he *HandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
		t.Errorf("Client offering no echo: error %v, want a *HandshakeError with 400", err)
	}
}

// rawServer answers the first request on a listener with resp.
func rawServer(t *testing.T, resp func(key string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		conn.Write([]byte(resp(req.Header.Get("Sec-WebSocket-Key"))))
		conn.Read(make([]byte, 1)) // until the client hangs up
	}()
	return ln.Addr().String()
}

func TestHandshakeChecksResponse(t *testing.T) {
	ok := func(key string) string {
		return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + AcceptKey(key) + "\r\n"
	}
	for _, tc := range []struct {
		name string
		resp func(key string) string
		want string // in the error; "" for none
	}{
		{"good", func(k string) string { return ok(k) + "Sec-WebSocket-Protocol: a\r\n\r\n" }, ""},
		{"wrong accept", func(k string) string { return ok("AAAAAAAAAAAAAAAAAAAAAA==") + "\r\n" }, "Sec-WebSocket-Accept"},
		{"protocol not offered", func(k string) string { return ok(k) + "Sec-WebSocket-Protocol: c\r\n\r\n" }, "not offered"},
		{"two protocols", func(k string) string { return ok(k) + "Sec-WebSocket-Protocol: a, b\r\n\r\n" }, "more than one"},
		{"no upgrade", func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }, "did not switch"},
		{"extension", func(k string) string { return ok(k) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n" }, "extensions"},
		{"huge headers", func(k string) string { return ok(k) + "X-Big: " + strings.Repeat("x", MaxHandshakeSize) + "\r\n\r\n" }, ErrHeaderTooLarge.Error()},
	} {
		addr := rawServer(t, tc.resp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, proto, err := Handshake(ctx, dial(t, addr), addr, "/", []string{"a", "b"})
		cancel()
		switch {
		case tc.want == "" && (err != nil || proto != "a"):
			t.Errorf("%s: %q, %v; want \"a\", nil", tc.name, proto, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

func TestHandshakeEndsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			defer conn.Close()
			conn.Read(make([]byte, 4096)) // reads the request, never answers
			conn.Read(make([]byte, 1))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err = Handshake(ctx, dial(t, ln.Addr().String()), "h", "/", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Handshake to a silent server: error %v, want one wrapping context.DeadlineExceeded", err)
	}
}

func TestAcceptRefuses(t *testing.T) {
	srv := echoServer(t)
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no upgrade", map[string]string{"Upgrade": ""}, http.StatusUpgradeRequired},
		{"version 8", map[string]string{"Sec-WebSocket-Version": "8"}, http.StatusUpgradeRequired},
		{"short key", map[string]string{"Sec-WebSocket-Key": "c2hvcnQ="}, http.StatusBadRequest},
		{"no connection upgrade", map[string]string{"Connection": "keep-alive"}, http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		for k, v := range map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
			req.Header.Set(k, v)
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
}
