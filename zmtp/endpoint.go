package zmtp

import (
	"net"
	"strconv"
	"strings"
)

// Endpoint is a parsed ZeroMQ endpoint such as tcp://127.0.0.1:5555.
type Endpoint struct {
	// Transport is "tcp", "ipc" or "inproc".
	Transport string
	// Addr is host:port for tcp (host "*" binds every interface, port
	// "*" or "0" picks a free port), a file path for ipc, and a name for
	// inproc.
	Addr string
}

// String returns the endpoint in transport://address form.
func (e Endpoint) String() string { return e.Transport + "://" + e.Addr }

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
	case "tcp":
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return bad("tcp address must be host:port")
		}
		if host == "" {
			return bad("tcp address has no host (use * to bind every interface)")
		}
		if strings.ContainsAny(host, "/ ") {
			return bad("tcp host " + strconv.Quote(host) + " is not a host name or IP address")
		}
		if port != "*" {
			n, err := strconv.ParseUint(port, 10, 16)
			if err != nil || port[0] == '+' {
				return bad("tcp port " + strconv.Quote(port) + " is not a number from 0 to 65535 or *")
			}
			port = strconv.FormatUint(n, 10)
		}
		return Endpoint{Transport: transport, Addr: net.JoinHostPort(host, port)}, nil
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
		return bad("unknown transport " + strconv.Quote(transport) + ", want tcp, ipc or inproc")
	}
}

// listenAddr returns the network and address to listen on.
func (e Endpoint) listenAddr() (network, addr string) {
	if e.Transport == "ipc" {
		return "unix", e.Addr
	}
	host, port, _ := net.SplitHostPort(e.Addr)
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
	host, port, _ := net.SplitHostPort(e.Addr)
	if host == "*" || port == "*" || port == "0" {
		return "", "", &EndpointError{Endpoint: e.String(), Reason: "cannot connect to a wildcard host or port"}
	}
	return "tcp", e.Addr, nil
}
