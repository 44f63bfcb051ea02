package zmtp

import (
	"encoding/binary"
	"time"
)

// Command names of ZMTP 3.1 and its security mechanisms.
const (
	CmdReady     = "READY"
	CmdError     = "ERROR"
	CmdPing      = "PING"
	CmdPong      = "PONG"
	CmdSubscribe = "SUBSCRIBE"
	CmdCancel    = "CANCEL"
	CmdHello     = "HELLO"
	CmdWelcome   = "WELCOME"
	CmdInitiate  = "INITIATE"
	CmdMessage   = "MESSAGE"
)

// MaxPingContext is the most context bytes a PONG echoes.
const MaxPingContext = 16

// Command is a parsed command frame body. Data aliases the frame.
type Command struct {
	Name string
	Data []byte
}

// ParseCommand parses a command frame body: a name length, the name and the
// command's data. Known names are returned without allocating.
func ParseCommand(body []byte) (Command, error) {
	if len(body) < 1 || int(body[0]) > len(body)-1 || body[0] == 0 {
		return Command{}, protoErr("command", malformed("command name length does not fit the frame"))
	}
	n := int(body[0])
	name := body[1 : 1+n]
	var s string
	switch string(name) {
	case CmdReady:
		s = CmdReady
	case CmdError:
		s = CmdError
	case CmdPing:
		s = CmdPing
	case CmdPong:
		s = CmdPong
	case CmdSubscribe:
		s = CmdSubscribe
	case CmdCancel:
		s = CmdCancel
	case CmdMessage:
		s = CmdMessage
	default:
		s = string(name)
	}
	return Command{Name: s, Data: body[1+n:]}, nil
}

// AppendCommand appends a whole command frame with the given name and the
// concatenation of data.
func AppendCommand(b []byte, name string, data ...[]byte) []byte {
	size := 1 + len(name)
	for _, d := range data {
		size += len(d)
	}
	b = AppendFrameHeader(b, FlagCommand, size)
	b = append(b, byte(len(name)))
	b = append(b, name...)
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}

// AppendReady appends a READY command carrying md.
func AppendReady(b []byte, md Metadata) []byte {
	b = AppendFrameHeader(b, FlagCommand, 1+len(CmdReady)+md.size())
	b = append(b, byte(len(CmdReady)))
	b = append(b, CmdReady...)
	return md.Append(b)
}

// AppendError appends an ERROR command. A reason longer than 255 bytes is
// cut.
func AppendError(b []byte, reason string) []byte {
	if len(reason) > 255 {
		reason = reason[:255]
	}
	return AppendCommand(b, CmdError, []byte{byte(len(reason))}, []byte(reason))
}

// ParseError returns the reason of an ERROR command's data.
func ParseError(data []byte) (string, error) {
	if len(data) < 1 || int(data[0]) != len(data)-1 {
		return "", protoErr(CmdError, malformed("ERROR reason length does not match the frame"))
	}
	return string(data[1:]), nil
}

// AppendPing appends a PING command with a time-to-live (rounded down to
// tenths of a second, at most 6553.5 s) and a context of at most 16 bytes.
func AppendPing(b []byte, ttl time.Duration, context []byte) []byte {
	var t [2]byte
	binary.BigEndian.PutUint16(t[:], uint16(min(max(ttl/(100*time.Millisecond), 0), 0xFFFF)))
	if len(context) > MaxPingContext {
		context = context[:MaxPingContext]
	}
	return AppendCommand(b, CmdPing, t[:], context)
}

// ParsePing returns the time-to-live and context of a PING command's data.
func ParsePing(data []byte) (ttl time.Duration, context []byte, err error) {
	if len(data) < 2 {
		return 0, nil, protoErr(CmdPing, malformed("PING shorter than its TTL field"))
	}
	ttl = time.Duration(binary.BigEndian.Uint16(data)) * 100 * time.Millisecond
	return ttl, data[2:], nil
}

// AppendPong appends a PONG command echoing at most 16 bytes of context.
func AppendPong(b []byte, context []byte) []byte {
	if len(context) > MaxPingContext {
		context = context[:MaxPingContext]
	}
	return AppendCommand(b, CmdPong, context)
}
