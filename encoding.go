package xbahn

import (
	"bytes"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

// PropEncoding is the property of the ZMTP handshake in which xbahn
// connections announce the encodings they read: "binary,json". A peer
// that does not announce binary, such as the original Python xbahn or any
// other ZeroMQ program, gets JSON.
const PropEncoding = "X-Xbahn-Encoding"

// encodingsRead is the value of PropEncoding: every connection reads
// both encodings.
const encodingsRead = "binary,json"

// readsBinary reports whether a peer announced that it reads the binary
// encoding.
func readsBinary(p *zmtp.Peer) bool {
	v, ok := p.Metadata.Get(PropEncoding)
	if !ok {
		return false
	}
	for len(v) > 0 {
		name := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			name, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if string(bytes.TrimSpace(name)) == "binary" {
			return true
		}
	}
	return false
}

// sendEncoding returns the encoding of a message the connection sends on
// its own: the forced one, or binary when every peer it may go to reads
// it, JSON otherwise.
func (c *Conn) sendEncoding() wire.Encoding {
	if c.enc != wire.Unknown {
		return c.enc
	}
	if c.sock.EveryPeer(readsBinary) {
		return wire.Binary
	}
	return wire.JSON
}

// replyEncoding returns the encoding of the response to a message that
// came from p in enc: the forced one, or binary when the request was
// binary or its peer announced it reads binary, JSON otherwise.
func (c *Conn) replyEncoding(p *zmtp.Peer, enc wire.Encoding) wire.Encoding {
	switch {
	case c.enc != wire.Unknown:
		return c.enc
	case enc == wire.Binary || p != nil && readsBinary(p):
		return wire.Binary
	}
	return wire.JSON
}

// XbahnPeer reports whether p, the peer a message came from, is an xbahn
// program: it announced PropEncoding in its handshake. What goes beyond
// the original's protocol, such as the deadlines and error codes of
// package rpc, goes only to such peers.
func XbahnPeer(p *zmtp.Peer) bool {
	if p == nil {
		return false
	}
	_, ok := p.Metadata.Get(PropEncoding)
	return ok
}

// XbahnPeers reports whether every peer the connection's messages may
// reach is an xbahn program (see XbahnPeer); false while none is known.
func (c *Conn) XbahnPeers() bool { return c.sock.EveryPeer(XbahnPeer) }
