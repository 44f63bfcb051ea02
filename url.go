package xbahn

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// URL is a parsed xbahn connection URL:
//
//	zmq://HOST/TYPE[/TOPIC][?transport=tcp|ipc|inproc|ws][&path=PATH][&encoding=json|binary]
//
// TYPE is one of req, rep, pub, sub, push, pull, dealer, router and pair.
// HOST is host:port for tcp (the default transport) and for ws, ZeroMQ's
// WebSocket transport (zmq://h:8080/rep?transport=ws), whose HTTP path is
// "/" or the path query (&path=/zmq), a name for inproc
// (zmq://jobs/pull?transport=inproc), and the socket file's path for ipc,
// with any '/' in it written %2F (zmq://%2Ftmp%2Fxbahn.sock/rep?transport=ipc;
// zmq://xbahn.sock/rep?transport=ipc is a file in the working directory).
// TOPIC is the pub/sub topic. The encoding query forces the encoding of
// what the connection sends (see Options.Encoding).
//
// A URL to connect to may carry PLAIN credentials,
// zmq://USER:PASSWORD@HOST/TYPE, %-escaped where needed; Connect then
// authenticates with them. String writes the password as "xxxxx".
type URL struct {
	Host      string
	Type      zmtp.Type
	Topic     string
	Transport string // "tcp", "ipc", "inproc" or "ws"
	// Path is the HTTP path of a ws URL, "/" unless the path query says
	// otherwise; "" for the other transports.
	Path string
	// Encoding is the encoding the URL forces, or wire.Unknown.
	Encoding wire.Encoding

	User, Password string // PLAIN credentials, when given
}

// URLError reports a malformed URL and which part of it is wrong.
type URLError struct {
	URL    string
	Part   string // "scheme", "credentials", "host", "type", "topic", "transport" or "encoding"
	Reason string
}

func (e *URLError) Error() string {
	return "xbahn: URL " + strconv.Quote(e.URL) + ": " + e.Part + ": " + e.Reason
}

var urlTypes = map[string]zmtp.Type{
	"req": zmtp.REQ, "rep": zmtp.REP, "pub": zmtp.PUB, "sub": zmtp.SUB,
	"push": zmtp.PUSH, "pull": zmtp.PULL, "dealer": zmtp.DEALER,
	"router": zmtp.ROUTER, "pair": zmtp.PAIR,
}

// ParseURL parses an xbahn URL. The error names the part that is wrong.
func ParseURL(s string) (URL, error) {
	bad := func(part, reason string) (URL, error) {
		return URL{}, &URLError{URL: s, Part: part, Reason: reason}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return bad("scheme", "missing, want zmq://HOST/TYPE")
	}
	if scheme != "zmq" {
		return bad("scheme", strconv.Quote(scheme)+" is not supported, want zmq")
	}
	rest, query, _ := strings.Cut(rest, "?")
	u := URL{Transport: "tcp"}
	if query != "" {
		values, err := url.ParseQuery(query)
		if err != nil {
			return bad("transport", "query "+strconv.Quote(query)+" does not parse")
		}
		for key, v := range values {
			if key != "transport" && key != "encoding" && key != "path" {
				return bad("transport", "unknown query parameter "+strconv.Quote(key))
			}
			if len(v) != 1 {
				part := key
				if key == "path" {
					part = "transport"
				}
				return bad(part, "given more than once")
			}
			if key == "path" {
				u.Path = v[0]
				continue
			}
			if key == "encoding" {
				switch v[0] {
				case "json":
					u.Encoding = wire.JSON
				case "binary":
					u.Encoding = wire.Binary
				default:
					return bad("encoding", strconv.Quote(v[0])+" is not json or binary")
				}
				continue
			}
			u.Transport = v[0]
		}
		switch u.Transport {
		case "tcp", "ipc", "inproc", "ws":
		default:
			return bad("transport", strconv.Quote(u.Transport)+" is not one of tcp, ipc, inproc, ws")
		}
		if u.Path != "" && u.Transport != "ws" {
			return bad("transport", "path is for transport ws only")
		}
	}
	if u.Transport == "ws" {
		if u.Path == "" {
			u.Path = "/"
		}
		if u.Path[0] != '/' {
			return bad("transport", "path "+strconv.Quote(u.Path)+" does not start with /")
		}
	}
	host, path, ok := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		user, pass, _ := strings.Cut(host[:at], ":")
		var err1, err2 error
		u.User, err1 = url.PathUnescape(user)
		u.Password, err2 = url.PathUnescape(pass)
		if err1 != nil || err2 != nil || u.User == "" {
			return bad("credentials", "want USER:PASSWORD@ with %-escapes")
		}
		host = host[at+1:]
	}
	if !ok || host == "" {
		if host == "" {
			return bad("host", "missing")
		}
		return bad("type", "missing, want /TYPE after the host")
	}
	if u.Transport == "ipc" {
		h, err := url.PathUnescape(host)
		if err != nil {
			return bad("host", "bad %-escape in the ipc path")
		}
		host = h
	} else if strings.Contains(host, "%") {
		return bad("host", "%-escapes are for ipc paths only")
	}
	if u.Transport == "tcp" || u.Transport == "ws" {
		if _, err := zmtp.ParseEndpoint(u.Transport + "://" + host); err != nil {
			var ee *zmtp.EndpointError
			if errors.As(err, &ee) {
				return bad("host", ee.Reason)
			}
			return bad("host", strconv.Quote(host)+" is not host:port")
		}
	}
	if u.Transport == "ws" {
		if _, err := zmtp.ParseEndpoint("ws://" + host + u.Path); err != nil {
			var ee *zmtp.EndpointError
			if errors.As(err, &ee) {
				return bad("transport", ee.Reason)
			}
			return bad("transport", "path "+strconv.Quote(u.Path)+" is not an HTTP path")
		}
	}
	u.Host = host
	typ, topic, hasTopic := strings.Cut(path, "/")
	t, ok := urlTypes[typ]
	if !ok {
		return bad("type", strconv.Quote(typ)+" is not one of req, rep, pub, sub, push, pull, dealer, router, pair")
	}
	u.Type = t
	if hasTopic {
		if topic == "" || strings.Contains(topic, "/") {
			return bad("topic", "must be one non-empty path segment")
		}
		if t != zmtp.PUB && t != zmtp.SUB {
			return bad("topic", "only pub and sub connections have one")
		}
		t, err := url.PathUnescape(topic)
		if err != nil {
			return bad("topic", "bad %-escape")
		}
		u.Topic = t
	}
	return u, nil
}

// TypeName returns the lowercase name of the connection type, as in URLs.
func (u URL) TypeName() string { return strings.ToLower(u.Type.String()) }

// String returns the URL in its canonical form.
func (u URL) String() string {
	s := u.format(u.Type)
	if u.Encoding != wire.Unknown {
		s += "&encoding=" + u.Encoding.String()
	}
	return s
}

func (u URL) format(t zmtp.Type) string {
	host := u.Host
	switch u.Transport {
	case "ipc":
		host = strings.NewReplacer(":", "%3A", "@", "%40").Replace(url.PathEscape(host))
	case "ws":
		// A ws endpoint's address, as Conn.Remote takes it, ends with
		// the path, which goes in the query.
		host, _, _ = strings.Cut(host, "/")
	}
	s := "zmq://"
	if u.User != "" {
		s += strings.NewReplacer("@", "%40", ":", "%3A").Replace(url.PathEscape(u.User))
		if u.Password != "" {
			s += ":xxxxx"
		}
		s += "@"
	}
	s += host + "/" + strings.ToLower(t.String())
	if u.Topic != "" {
		s += "/" + url.PathEscape(u.Topic)
	}
	s += "?transport=" + u.Transport
	if u.Transport == "ws" && u.Path != "/" {
		s += "&path=" + url.QueryEscape(u.Path)
	}
	return s
}

// Endpoint returns the ZeroMQ endpoint of the URL, such as
// tcp://127.0.0.1:7050 or ws://127.0.0.1:8080/zmq.
func (u URL) Endpoint() string { return u.Transport + "://" + u.Host + u.Path }

// opposite is the type a peer uses to talk to a connection of type t.
func opposite(t zmtp.Type) zmtp.Type {
	switch t {
	case zmtp.REQ:
		return zmtp.REP
	case zmtp.REP:
		return zmtp.REQ
	case zmtp.PUB:
		return zmtp.SUB
	case zmtp.SUB:
		return zmtp.PUB
	case zmtp.PUSH:
		return zmtp.PULL
	case zmtp.PULL:
		return zmtp.PUSH
	case zmtp.DEALER:
		return zmtp.ROUTER
	case zmtp.ROUTER:
		return zmtp.DEALER
	}
	return t
}
