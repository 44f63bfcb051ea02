package xbahn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in       string
		want     URL
		endpoint string
		canon    string
	}{
		{"zmq://0.0.0.0:7050/rep", URL{Host: "0.0.0.0:7050", Type: zmtp.REP, Transport: "tcp"},
			"tcp://0.0.0.0:7050", "zmq://0.0.0.0:7050/rep?transport=tcp"},
		{"zmq://127.0.0.1:7050/req?transport=tcp", URL{Host: "127.0.0.1:7050", Type: zmtp.REQ, Transport: "tcp"},
			"tcp://127.0.0.1:7050", "zmq://127.0.0.1:7050/req?transport=tcp"},
		{"zmq://[::1]:7050/pub/news", URL{Host: "[::1]:7050", Type: zmtp.PUB, Topic: "news", Transport: "tcp"},
			"tcp://[::1]:7050", "zmq://[::1]:7050/pub/news?transport=tcp"},
		{"zmq://addr1/rep?transport=inproc", URL{Host: "addr1", Type: zmtp.REP, Transport: "inproc"},
			"inproc://addr1", "zmq://addr1/rep?transport=inproc"},
		{"zmq://%2Ftmp%2Fx.sock/pull?transport=ipc", URL{Host: "/tmp/x.sock", Type: zmtp.PULL, Transport: "ipc"},
			"ipc:///tmp/x.sock", "zmq://%2Ftmp%2Fx.sock/pull?transport=ipc"},
		{"zmq://x.sock/push?transport=ipc", URL{Host: "x.sock", Type: zmtp.PUSH, Transport: "ipc"},
			"ipc://x.sock", "zmq://x.sock/push?transport=ipc"},
		{"zmq://h:1/sub/a%20b", URL{Host: "h:1", Type: zmtp.SUB, Topic: "a b", Transport: "tcp"},
			"tcp://h:1", "zmq://h:1/sub/a%20b?transport=tcp"},
		{"zmq://h:1/req?encoding=json", URL{Host: "h:1", Type: zmtp.REQ, Transport: "tcp", Encoding: wire.JSON},
			"tcp://h:1", "zmq://h:1/req?transport=tcp&encoding=json"},
		{"zmq://h/rep?encoding=binary&transport=inproc", URL{Host: "h", Type: zmtp.REP, Transport: "inproc", Encoding: wire.Binary},
			"inproc://h", "zmq://h/rep?transport=inproc&encoding=binary"},
		{"zmq://h:1/dealer", URL{Host: "h:1", Type: zmtp.DEALER, Transport: "tcp"}, "tcp://h:1", ""},
		{"zmq://h:1/router", URL{Host: "h:1", Type: zmtp.ROUTER, Transport: "tcp"}, "tcp://h:1", ""},
		{"zmq://h:1/pair", URL{Host: "h:1", Type: zmtp.PAIR, Transport: "tcp"}, "tcp://h:1", ""},
		{"zmq://admin:p%40ss@h:1/req", URL{Host: "h:1", Type: zmtp.REQ, Transport: "tcp", User: "admin", Password: "p@ss"},
			"tcp://h:1", "zmq://admin:xxxxx@h:1/req?transport=tcp"},
		{"zmq://a%40b@h:1/req", URL{Host: "h:1", Type: zmtp.REQ, Transport: "tcp", User: "a@b"},
			"tcp://h:1", "zmq://a%40b@h:1/req?transport=tcp"},
		{"zmq://%2Ftmp%2Fa%40b.sock/rep?transport=ipc", URL{Host: "/tmp/a@b.sock", Type: zmtp.REP, Transport: "ipc"},
			"ipc:///tmp/a@b.sock", "zmq://%2Ftmp%2Fa%40b.sock/rep?transport=ipc"},
		{"zmq://127.0.0.1:7050/rep?transport=ws", URL{Host: "127.0.0.1:7050", Type: zmtp.REP, Transport: "ws", Path: "/"},
			"ws://127.0.0.1:7050/", "zmq://127.0.0.1:7050/rep?transport=ws"},
		{"zmq://h:1/rep?transport=ws&path=/", URL{Host: "h:1", Type: zmtp.REP, Transport: "ws", Path: "/"},
			"ws://h:1/", "zmq://h:1/rep?transport=ws"},
		{"zmq://h:1/sub/news?transport=ws&path=/zmq/x", URL{Host: "h:1", Type: zmtp.SUB, Topic: "news", Transport: "ws", Path: "/zmq/x"},
			"ws://h:1/zmq/x", "zmq://h:1/sub/news?transport=ws&path=%2Fzmq%2Fx"},
		{"zmq://[::1]:2/req?path=%2Fa&encoding=json&transport=ws", URL{Host: "[::1]:2", Type: zmtp.REQ, Transport: "ws", Path: "/a", Encoding: wire.JSON},
			"ws://[::1]:2/a", "zmq://[::1]:2/req?transport=ws&path=%2Fa&encoding=json"},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if ep := got.Endpoint(); ep != tt.endpoint {
			t.Errorf("Endpoint() = %q, want %q", ep, tt.endpoint)
		}
		if tt.canon != "" && got.String() != tt.canon {
			t.Errorf("String() = %q, want %q", got.String(), tt.canon)
		}
		want := got
		if want.Password != "" {
			want.Password = "xxxxx" // String hides it
		}
		if back, err := ParseURL(got.String()); err != nil || back != want {
			t.Errorf("ParseURL(String()) = %+v, %v; want %+v", back, err, got)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ in, part string }{
		{"0.0.0.0:7050/rep", "scheme"},
		{"tcp://0.0.0.0:7050/rep", "scheme"},
		{"zmq:///rep", "host"},
		{"zmq://0.0.0.0:7050", "type"},
		{"zmq://0.0.0.0:7050/", "type"},
		{"zmq://0.0.0.0:7050/bogus", "type"},
		{"zmq://0.0.0.0/rep", "host"},
		{"zmq://0.0.0.0:99999/rep", "host"},
		{"zmq://h:1/rep/topic", "topic"},
		{"zmq://h:1/pub/a/b", "topic"},
		{"zmq://h:1/sub/", "topic"},
		{"zmq://h:1/rep?transport=udp", "transport"},
		{"zmq://h:1/rep?transprot=tcp", "transport"},
		{"zmq://h:1/rep?transport=tcp&transport=ipc", "transport"},
		{"zmq://a%2Fb/rep?transport=inproc", "host"},
		{"zmq://%zz/rep?transport=ipc", "host"},
		{"zmq://:pass@h:1/req", "credentials"},
		{"zmq://h:1/rep?path=/x", "transport"},
		{"zmq://h:1/rep?transport=inproc&path=/x", "transport"},
		{"zmq://h:1/rep?transport=ws&path=x", "transport"},
		{"zmq://h:1/rep?transport=ws&path=/a%20b", "transport"},
		{"zmq://h:1/rep?transport=ws&path=/a%3Fb", "transport"},
		{"zmq://h:1/rep?transport=ws&path=/a&path=/b", "transport"},
		{"zmq://h/rep?transport=ws", "host"},
		{"zmq://h:x/rep?transport=ws", "host"},
		{"zmq://u:%zz@h:1/req", "credentials"},
	}
	for _, tt := range tests {
		_, err := ParseURL(tt.in)
		var ue *URLError
		if !errors.As(err, &ue) || ue.Part != tt.part || ue.URL != tt.in {
			t.Errorf("ParseURL(%q) error = %v, want a *URLError about the %s", tt.in, err, tt.part)
		}
	}
}

func TestURLErrorText(t *testing.T) {
	_, err := ParseURL("zmq://0.0.0.0:99999/rep")
	if got, want := fmt.Sprint(err), `xbahn: URL "zmq://0.0.0.0:99999/rep": host: tcp port "99999" is not a number from 0 to 65535 or *`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestRemoteWS(t *testing.T) {
	l, err := Listen("zmq://127.0.0.1:0/rep?transport=ws&path=/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ep, err := zmtp.ParseEndpoint(l.Endpoint())
	if err != nil || ep.Transport != "ws" {
		t.Fatalf("Endpoint() = %q, %v; want a ws endpoint", l.Endpoint(), err)
	}
	host := ep.Addr[:len(ep.Addr)-len("/x")]
	if got, want := l.Remote(), "connect->zmq://"+host+"/req?transport=ws&path=%2Fx"; got != want {
		t.Errorf("Remote() = %q, want %q", got, want)
	}
	c, err := Connect("zmq://"+host+"/req?transport=ws&path=/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := c.Endpoint(), "ws://"+host+"/x"; got != want {
		t.Errorf("Connect's Endpoint() = %q, want %q", got, want)
	}
}

func TestRemote(t *testing.T) {
	hub := &zmtp.Hub{}
	l, err := Listen("zmq://127.0.0.1:0/rep", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got, want := l.Remote(), "connect->zmq://"+l.Endpoint()[len("tcp://"):]+"/req?transport=tcp"; got != want {
		t.Errorf("Remote() = %q, want %q", got, want)
	}
	c, err := Connect("zmq://name/pull?transport=inproc", &Options{Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := c.Remote(), "listen->zmq://name/push?transport=inproc"; got != want {
		t.Errorf("Remote() = %q, want %q", got, want)
	}
	p, err := Listen("zmq://127.0.0.1:0/pub/news", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, want := p.Remote(), "connect->zmq://"+p.Endpoint()[len("tcp://"):]+"/sub/news?transport=tcp"; got != want {
		t.Errorf("Remote() = %q, want %q", got, want)
	}
}
