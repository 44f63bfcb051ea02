package ws

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// MaxHandshakeSize bounds the status line and headers of a server's
// response to a client handshake.
const MaxHandshakeSize = 16 << 10

// acceptGUID is the fixed string of RFC 6455, section 1.3, that the
// server appends to the client's key before hashing it.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value that answers the
// Sec-WebSocket-Key value key.
func AcceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// Client runs the client's opening handshake on conn, a connection the
// caller made, asking for path on host (the Host header) and offering
// protocols as subprotocols, most preferred first; none offers no
// subprotocol. It returns a Conn that reads messages of at most
// maxMessage bytes (0 or less means DefaultMaxMessage), and the
// subprotocol the server chose, "" for none. The server must choose one
// of protocols when it chooses any.
//
// The handshake ends with ctx: when ctx ends first, conn's deadline is
// set in the past and the error wraps ctx's. On an error conn is closed.
func Client(ctx context.Context, conn net.Conn, host, path string, protocols []string, maxMessage int) (*Conn, string, error) {
	br, proto, err := Handshake(ctx, conn, host, path, protocols)
	if err != nil {
		conn.Close()
		return nil, "", err
	}
	return NewConn(conn, br, true, maxMessage), proto, nil
}

// Handshake is the client's opening handshake of Client without the
// Conn: it returns the reader to read frames from, which may hold some
// already. It leaves conn open on an error.
func Handshake(ctx context.Context, conn net.Conn, host, path string, protocols []string) (*bufio.Reader, string, error) {
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n") {
		return nil, "", &HandshakeError{Reason: "path " + path + " is not an absolute path"}
	}
	if host == "" || strings.ContainsAny(host, " \r\n") {
		return nil, "", &HandshakeError{Reason: "bad host " + host}
	}
	for _, p := range protocols {
		if !isToken(p) {
			return nil, "", &HandshakeError{Reason: "subprotocol " + p + " has a space, a comma or a control character"}
		}
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])

	// Only the end of ctx, never a deadline of its own, interrupts the
	// handshake, so that an interrupted one reports ctx's error.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(err error) (*bufio.Reader, string, error) {
		if ctx.Err() != nil {
			err = errors.Join(ctx.Err(), err)
		}
		return nil, "", err
	}

	req := make([]byte, 0, 256)
	req = append(req, "GET "...)
	req = append(req, path...)
	req = append(req, " HTTP/1.1\r\nHost: "...)
	req = append(req, host...)
	req = append(req, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "...)
	req = append(req, key...)
	req = append(req, "\r\nSec-WebSocket-Version: 13\r\n"...)
	if len(protocols) > 0 {
		req = append(req, "Sec-WebSocket-Protocol: "...)
		req = append(req, strings.Join(protocols, ", ")...)
		req = append(req, "\r\n"...)
	}
	req = append(req, "\r\n"...)
	if _, err := conn.Write(req); err != nil {
		return fail(err)
	}

	lr := &limitReader{r: conn, n: MaxHandshakeSize}
	br := bufio.NewReaderSize(lr, 4096)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		if lr.n <= 0 {
			err = ErrHeaderTooLarge
		}
		return fail(err)
	}
	lr.n = -1 // the frames: the caller bounds them
	proto, err := checkResponse(resp, key, protocols)
	if err != nil {
		return fail(err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return fail(err)
	}
	if !stop() {
		return fail(ctx.Err())
	}
	return br, proto, nil
}

// checkResponse checks the server's answer to a handshake that sent key
// and offered protocols, and returns the subprotocol chosen.
func checkResponse(resp *http.Response, key string, protocols []string) (string, error) {
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "server did not switch protocols"}
	}
	if !headerHasToken(resp.Header, "Upgrade", "websocket") {
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "response lacks Upgrade: websocket"}
	}
	if !headerHasToken(resp.Header, "Connection", "upgrade") {
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "response lacks Connection: Upgrade"}
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != AcceptKey(key) {
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "Sec-WebSocket-Accept does not match the key"}
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "server chose extensions that were not offered"}
	}
	chosen := headerTokens(resp.Header, "Sec-WebSocket-Protocol")
	switch {
	case len(chosen) == 0:
		return "", nil
	case len(chosen) > 1:
		return "", &HandshakeError{Status: resp.StatusCode, Reason: "server chose more than one subprotocol"}
	}
	for _, p := range protocols {
		if p == chosen[0] {
			return p, nil
		}
	}
	return "", &HandshakeError{Status: resp.StatusCode, Reason: "server chose subprotocol " + chosen[0] + ", which was not offered"}
}

// Accept runs the server's side of the opening handshake for r, received
// by net/http, and takes over its connection: it checks the request,
// calls choose with the subprotocols the client offered (in its order of
// preference, possibly none) and answers with the one choose returns, or
// with no Sec-WebSocket-Protocol when choose returns "". An error from
// choose refuses the client with 400 Bad Request and is returned.
//
// It returns the connection, the reader to read frames from (which may
// hold some already) and the subprotocol chosen. On an error it has
// answered the client with an HTTP error, and the connection stays with
// net/http.
func Accept(w http.ResponseWriter, r *http.Request, choose func(offered []string) (string, error)) (net.Conn, *bufio.Reader, string, error) {
	refuse := func(status int, reason string) (net.Conn, *bufio.Reader, string, error) {
		if status == http.StatusUpgradeRequired {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, reason, status)
		return nil, nil, "", &HandshakeError{Status: status, Reason: reason}
	}
	if r.Method != http.MethodGet {
		return refuse(http.StatusMethodNotAllowed, "method "+r.Method+" is not GET")
	}
	if !r.ProtoAtLeast(1, 1) {
		return refuse(http.StatusBadRequest, "request is not HTTP/1.1")
	}
	if !headerHasToken(r.Header, "Upgrade", "websocket") {
		return refuse(http.StatusUpgradeRequired, "request lacks Upgrade: websocket")
	}
	if !headerHasToken(r.Header, "Connection", "upgrade") {
		return refuse(http.StatusBadRequest, "request lacks Connection: Upgrade")
	}
	if v := r.Header.Values("Sec-WebSocket-Version"); len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		return refuse(http.StatusUpgradeRequired, "Sec-WebSocket-Version is not 13")
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return refuse(http.StatusBadRequest, "request needs exactly one Sec-WebSocket-Key")
	}
	key := strings.TrimSpace(keys[0])
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 {
		return refuse(http.StatusBadRequest, "Sec-WebSocket-Key is not 16 bytes in base64")
	}
	proto := ""
	if choose != nil {
		var err error
		proto, err = choose(headerTokens(r.Header, "Sec-WebSocket-Protocol"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return nil, nil, "", err
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		return refuse(http.StatusInternalServerError, "connection cannot be taken over")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return refuse(http.StatusInternalServerError, "connection cannot be taken over: "+err.Error())
	}
	// net/http may have set deadlines for reading the request.
	conn.SetDeadline(time.Time{})
	resp := make([]byte, 0, 192)
	resp = append(resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	resp = append(resp, AcceptKey(key)...)
	resp = append(resp, "\r\n"...)
	if proto != "" {
		resp = append(resp, "Sec-WebSocket-Protocol: "...)
		resp = append(resp, proto...)
		resp = append(resp, "\r\n"...)
	}
	resp = append(resp, "\r\n"...)
	if brw.Writer.Buffered() > 0 {
		brw.Writer.Flush()
	}
	if _, err := conn.Write(resp); err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	// net/http's reader goes through a wrapper of its own: read the
	// connection itself, after what the wrapper has buffered.
	br := bufio.NewReaderSize(conn, 4096)
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn), 4096)
	}
	return conn, br, proto, nil
}

// Upgrade is Accept, returning a Conn that reads messages of at most
// maxMessage bytes (0 or less means DefaultMaxMessage).
func Upgrade(w http.ResponseWriter, r *http.Request, choose func(offered []string) (string, error), maxMessage int) (*Conn, string, error) {
	conn, br, proto, err := Accept(w, r, choose)
	if err != nil {
		return nil, "", err
	}
	return NewConn(conn, br, false, maxMessage), proto, nil
}

// headerTokens returns the comma-separated elements of every value of
// the header name, trimmed, without empty ones.
func headerTokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// headerHasToken reports whether the header name has token among its
// comma-separated elements, ignoring case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// isToken reports whether s can be a subprotocol: printable ASCII without
// spaces or commas. RFC 6455 asks for HTTP tokens, which exclude "/" as
// well, but ZeroMQ's names, such as ZWS2.0/NULL, have one.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7F || c == ',' {
			return false
		}
	}
	return true
}

// limitReader reads at most n bytes from r, then reports io.EOF; a
// negative n is no limit.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.r.Read(p)
	}
	if l.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
