package fuzz

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

func FuzzPlainHello(f *testing.F) {
	f.Add([]byte(nil))
	f.Add([]byte{0, 0})
	f.Add(zmtp.AppendPlainHello(nil, "admin", "secret"))
	f.Add([]byte{5, 'a', 'd', 'm', 'i', 'n', 6, 's', 'e', 'c', 'r', 'e', 't', 0})
	f.Add([]byte{0xFF, 0})
	f.Add([]byte{1, 'a', 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		user, pass, err := zmtp.ParsePlainHello(data)
		if err != nil {
			if !errors.Is(err, zmtp.ErrMalformed) {
				t.Fatalf("ParsePlainHello(%q): %v does not wrap ErrMalformed", data, err)
			}
			return
		}
		// Every byte is accounted for: encoding gives the input back.
		if back := zmtp.AppendPlainHello(nil, user, pass); !bytes.Equal(back, data) {
			t.Fatalf("ParsePlainHello(%q) = %q, %q, which encode to %q", data, user, pass, back)
		}
	})
}

// FuzzPlainServer feeds a PLAIN server the bytes a client sends after its
// greeting: the server must neither crash nor let an unauthenticated
// client through.
func FuzzPlainServer(f *testing.F) {
	hello := zmtp.AppendCommand(nil, zmtp.CmdHello, zmtp.AppendPlainHello(nil, "admin", "secret"))
	md := zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("DEALER")}}
	initiate := zmtp.AppendCommand(nil, zmtp.CmdInitiate, md.Append(nil))
	good := append(bytes.Clone(hello), initiate...)
	f.Add([]byte(nil))
	f.Add(hello)
	f.Add(append(bytes.Clone(hello), initiate...))
	f.Add(append(append(bytes.Clone(hello), initiate...), zmtp.AppendFrame(nil, 0, []byte("msg"))...))
	f.Add(zmtp.AppendCommand(nil, zmtp.CmdHello, []byte{9, 'x'}))
	f.Add(zmtp.AppendReady(nil, md))
	f.Add(append(zmtp.AppendCommand(nil, zmtp.CmdHello, zmtp.AppendPlainHello(nil, "admin", "wrong")), initiate...))

	router, err := zmtp.NewSocket(zmtp.ROUTER, &zmtp.Options{
		Mechanism: zmtp.PlainServer{Authenticate: func(user, pass string, _ net.Addr) (string, error) {
			if user == "admin" && pass == "secret" {
				return "admin", nil
			}
			return "", errors.New("refused")
		}},
		HandshakeTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { router.Close() })
	ep, err := router.Bind("tcp://127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	addr := ep[len("tcp://"):]
	f.Fuzz(func(t *testing.T, data []byte) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(time.Second))
		conn.Write(zmtp.AppendGreeting(nil, "PLAIN", false))
		conn.Write(data)
		// No more bytes come: the server sees the end at once instead
		// of waiting for its handshake timeout.
		conn.(*net.TCPConn).CloseWrite()
		// Read until the server closes the connection, or the deadline:
		// whatever it answers must be a greeting and commands only.
		var got bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			got.Write(buf[:n])
			if err != nil || bytes.Contains(got.Bytes(), []byte("\x05READY")) {
				break
			}
		}
		// A READY means the fuzzed client authenticated: only possible
		// with the one good password.
		ready := bytes.Contains(got.Bytes(), []byte("\x05READY"))
		if ready && !bytes.Contains(data, []byte("\x05admin\x06secret")) {
			t.Fatalf("server sent READY to a client without the password: %q", data)
		}
		// And a client that starts with the good handshake gets it.
		if !ready && bytes.HasPrefix(data, good) {
			t.Fatalf("server sent no READY to a client with the password: %q", data)
		}
	})
}
