package zmtp

import (
	"net"
	"strconv"
	"strings"
)

// Endpoint is a parsed ZeroMQ endpoint such as tcp://127.0.0.1:5555 or
// ws://127.0.0.1:8080/zmq.
type Endpoint struct {
	// Transport is "tcp", "ipc", "inproc", "ws" or "wss" (WebSocket, ZWS
	// 2.0, the second over TLS).
	Transport string
	// Addr is host:port for tcp (host "*" binds every interface, port
	// "*" or "0" picks a free port), the same followed by the HTTP path
	// for ws and wss ("/" when the endpoint has none), a file path for
	// ipc, and a name for inproc.
	Addr string
}

// String returns the endpoint in transport://address form.
func (e Endpoint) String() string { return e.Transport + "://" + e.Addr }

// websocket reports whether the endpoint is ws or wss.
func (e Endpoint) websocket() bool { return e.Transport == "ws" || e.Transport == "wss" }

// hostPort returns Addr without the path of a ws or wss endpoint.
func (e Endpoint) hostPort() string {
	if e.websocket() {
		if i := strings.IndexByte(e.Addr, '/'); i >= 0 {
			return e.Addr[:i]
		}
	}
	return e.Addr
}

// path returns the HTTP path of a ws or wss endpoint.
func (e Endpoint) path() string {
	if i := strings.IndexByte(e.Addr, '/'); i >= 0 && e.websocket() {
		return e.Addr[i:]
	}
	return "/"
}

// EndpointError reports a malformed endpoint.
type EndpointError struct {
	Endpoint string
	Reason   string
}

func (e *EndpointError) Error() string {
	return "zmtp: endpoint " + strconv.Quote(e.Endpoint) + ": " + e.Reason
}

// Unwrap returns ErrMalformed.
func (e *EndpointError) Unwrap() error { return ErrMalformed }

// ParseEndpoint parses an endpoint string. The error names the endpoint and
// what is wrong with it.
func ParseEndpoint(s string) (Endpoint, error) {
	bad := func(reason string) (Endpoint, error) {
		return Endpoint{}, &EndpointError{Endpoint: s, Reason: reason}
	}
	transport, addr, ok := strings.Cut(s, "://")
	if !ok {
		return bad("missing transport, want transport://address such as tcp://127.0.0.1:5555")
	}
	switch transport {
	case "tcp", "ws", "wss":
		path := ""
		if transport != "tcp" {
			path = "/"
			if i := strings.IndexByte(addr, '/'); i >= 0 {
				addr, path = addr[:i], addr[i:]
			}
			if strings.ContainsFunc(path, func(r rune) bool { return r <= ' ' || r == 0x7F || r == '?' || r == '#' }) {
				return bad(transport + " path " + strconv.Quote(path) + " has a space, a control character, ? or #")
			}
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return bad(transport + " address must be host:port")
		}
		if host == "" {
			return bad(transport + " address has no host (use * to bind every interface)")
		}
		if strings.ContainsAny(host, "/ ") {
			return bad(transport + " host " + strconv.Quote(host) + " is not a host name or IP address")
		}
		if port != "*" {
			n, err := strconv.ParseUint(port, 10, 16)
			if err != nil || port[0] == '+' {
				return bad(transport + " port " + strconv.Quote(port) + " is not a number from 0 to 65535 or *")
			}
			port = strconv.FormatUint(n, 10)
		}
		return Endpoint{Transport: transport, Addr: net.JoinHostPort(host, port) + path}, nil
	case "ipc":
		if addr == "" {
			return bad("ipc endpoint has no path")
		}
		if strings.IndexByte(addr, 0) >= 0 {
			return bad("ipc path contains a zero byte")
		}
		return Endpoint{Transport: transport, Addr: addr}, nil
	case "inproc":
		if addr == "" {
			return bad("inproc endpoint has no name")
		}
		return Endpoint{Transport: transport, Addr: addr}, nil
	case "":
		return bad("missing transport before ://")
	default:
		return bad("unknown transport " + strconv.Quote(transport) + ", want tcp, ipc, inproc, ws or wss")
	}
}

// listenAddr returns the network and address to listen on.
func (e Endpoint) listenAddr() (network, addr string) {
	if e.Transport == "ipc" {
		return "unix", e.Addr
	}
	host, port, _ := net.SplitHostPort(e.hostPort())
	if host == "*" {
		host = ""
	}
	if port == "*" {
		port = "0"
	}
	return "tcp", net.JoinHostPort(host, port)
}

// dialAddr returns the network and address to connect to.
func (e Endpoint) dialAddr() (network, addr string, err error) {
	if e.Transport == "ipc" {
		return "unix", e.Addr, nil
	}
	hp := e.hostPort()
	host, port, _ := net.SplitHostPort(hp)
	if host == "*" || port == "*" || port == "0" {
		return "", "", &EndpointError{Endpoint: e.String(), Reason: "cannot connect to a wildcard host or port"}
	}
	return "tcp", hp, nil
}
