package zmtp

import (
	"net"
	"testing"
	"time"
)

// rawPeer is a hand-driven ZMTP peer for tests: it speaks the protocol one
// frame at a time, or breaks it on purpose.
type rawPeer struct {
	t    testing.TB
	conn net.Conn
	r    *Reader
}

func newRawPeer(t testing.TB, conn net.Conn) *rawPeer {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	p := &rawPeer{t: t, conn: conn, r: NewReader(conn, 0)}
	t.Cleanup(func() { conn.Close() })
	return p
}

// dialRaw connects a raw peer to a socket bound at endpoint.
func dialRaw(t testing.TB, endpoint string) *rawPeer {
	t.Helper()
	ep, err := ParseEndpoint(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", ep.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return newRawPeer(t, conn)
}

// listenRaw listens on loopback and returns the endpoint and a function
// that accepts one raw peer.
func listenRaw(t testing.TB) (string, func() *rawPeer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return "tcp://" + ln.Addr().String(), func() *rawPeer {
		t.Helper()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return newRawPeer(t, conn)
	}
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.conn.Write(b); err != nil {
		p.t.Fatalf("raw peer write: %v", err)
	}
}

// greet exchanges NULL greetings.
func (p *rawPeer) greet() Greeting {
	p.t.Helper()
	p.write(AppendGreeting(nil, "NULL", false))
	b, err := p.r.next(GreetingSize)
	if err != nil {
		p.t.Fatalf("raw peer reading greeting: %v", err)
	}
	g, err := ParseGreeting(b)
	if err != nil {
		p.t.Fatalf("raw peer parsing greeting: %v", err)
	}
	return g
}

// handshake greets and exchanges READY as a socket of type typ, and returns
// the socket's metadata.
func (p *rawPeer) handshake(typ string) Metadata {
	p.t.Helper()
	p.greet()
	p.write(AppendReady(nil, Metadata{{PropSocketType, []byte(typ)}, {PropIdentity, nil}}))
	cmd := p.readCommand()
	if cmd.Name != CmdReady {
		p.t.Fatalf("raw peer got %s, want READY", cmd.Name)
	}
	md, err := ParseMetadata(cmd.Data, 16)
	if err != nil {
		p.t.Fatal(err)
	}
	return cloneMetadata(md)
}

func (p *rawPeer) readFrame() (Flags, []byte, error) {
	return p.r.ReadFrame(nil, 1<<30)
}

func (p *rawPeer) readCommand() Command {
	p.t.Helper()
	flags, body, err := p.readFrame()
	if err != nil {
		p.t.Fatalf("raw peer reading a command: %v", err)
	}
	if !flags.Has(FlagCommand) {
		p.t.Fatalf("raw peer got a message frame %q, want a command", body)
	}
	cmd, err := ParseCommand(body)
	if err != nil {
		p.t.Fatal(err)
	}
	return cmd
}

// readMsg reads one message, skipping commands.
func (p *rawPeer) readMsg() [][]byte {
	p.t.Helper()
	var msg [][]byte
	for {
		flags, body, err := p.readFrame()
		if err != nil {
			p.t.Fatalf("raw peer reading a message: %v", err)
		}
		if flags.Has(FlagCommand) {
			continue
		}
		msg = append(msg, body)
		if !flags.Has(FlagMore) {
			return msg
		}
	}
}

func (p *rawPeer) sendMsg(frames ...string) {
	p.t.Helper()
	var b []byte
	for i, f := range frames {
		var flags Flags
		if i < len(frames)-1 {
			flags = FlagMore
		}
		b = AppendFrame(b, flags, []byte(f))
	}
	p.write(b)
}

// waitClosed reads until the socket closes the connection, failing the
// test if it does not within d.
func (p *rawPeer) waitClosed(d time.Duration) {
	p.t.Helper()
	p.waitError(d)
}

// waitError reads until the socket closes the connection, within d, and
// returns the reason of the ERROR command it sent before, if any.
func (p *rawPeer) waitError(d time.Duration) (reason string, sent bool) {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(d))
	for {
		flags, body, err := p.readFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				p.t.Fatalf("connection still open after %v", d)
			}
			return reason, sent
		}
		if flags.Has(FlagCommand) {
			if cmd, err := ParseCommand(body); err == nil && cmd.Name == CmdError {
				reason, err = ParseError(cmd.Data)
				sent = err == nil
			}
		}
	}
}
