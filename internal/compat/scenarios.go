package compat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/xbahn-go/xbahn"
	"github.com/xbahn-go/xbahn/rpc"
	"github.com/xbahn-go/xbahn/zmtp"
)

// Scenarios are the transcripts of conversations between the original's
// client and server, with the Go programs that take each side's place.
// g3-pubsub-no-topic has no message to replay: the original's subscriber
// without a topic received nothing; NoTopic checks that ours receives
// everything.
func Scenarios() []*Scenario {
	return []*Scenario{
		{Name: "a-api", Server: apiServer(nil), Client: apiClient},
		{Name: "b-widgets-restart", Server: apiServer(nil), Client: widgetsClient, RestartBefore: 2},
		{Name: "c-twoway", Server: twoWayServer, Client: twoWayClient, ClientBinds: []int{2}},
		{Name: "d-widget-aware", Server: widgetAwareServer, Client: widgetAwareClient, ClientBinds: []int{2}, Ours: []Divergence{{
			Original: `"error": "'NoneType' object has no attribute 'main'"`,
			Ours:     `"error": "no connection to that client"`,
			Why:      "a server widget calling a one-way client: the original fails on its missing wire back with Python's AttributeError",
		}}},
		{Name: "e-engineer", Server: engineerServer, Client: engineerClient, Ours: []Divergence{
			{
				Original: `{"args": ["what"], "kwargs": {}}`,
				Ours:     `{"args": ["what"], "kwargs": {}, "type": "string"}`,
				Why:      "our descriptions give an argument's type beside click's declaration, which the original's command line ignores",
			},
			{
				Original: `{"args": ["--extra/--no-extra"], "kwargs": {"default": false, "help": "include extra info"}}`,
				Ours:     `{"args": ["--extra/--no-extra"], "kwargs": {"default": false, "help": "include extra info"}, "type": "bool"}`,
				Why:      "likewise for an option",
			},
			{
				Original: `"arguments": [{"args": ["b"], "kwargs": {"nargs": 1}}, {"args": ["a"], "kwargs": {"nargs": 1}}]`,
				Ours:     `"arguments": [{"args": ["a"], "kwargs": {}, "type": "int"}, {"args": ["b"], "kwargs": {}, "type": "int"}]`,
				Why:      "the original lists the arguments in the reverse of their declaration, a bug; ours come in order",
			},
		}},
		{Name: "f-link", Server: linkServer, Client: linkClient, Ours: []Divergence{{
			Fix: answered,
			Why: "the original's automatic reply to a message no handler answered has no response_id, so a send_and_wait for it waits for ever; ours answers the request",
		}}},
		{Name: "g1-pubsub-topic", Server: streamServer("pub/news", 4, 7, true), Client: streamClient("sub/news", 4, 7), Topic: "news", Stream: true},
		{Name: "g2-pushpull", Server: streamServer("push", 0, 2, false), Client: streamClient("pull", 0, 2)},
	}
}

// EngineerCall is a-api with the engineer command line's call as the
// client: a shell session making a-api's calls to the original's server,
// which does not describe its functions.
func EngineerCall() *Scenario {
	return &Scenario{Name: "a-api", Client: engineerCallClient}
}

// answered makes an automatic reply, which has only an id, the answer to
// req, as the Go side's is.
func answered(req, msg []byte) []byte {
	auto := regexp.MustCompile(`^\{"meta": \{"id": ("[^"]+")\}, `)
	r, err := parse(req)
	if err != nil {
		return msg
	}
	meta, _ := r.get("meta")
	id, _ := meta.get("id")
	return auto.ReplaceAll(msg, []byte(`{"meta": {"id": $1, "path": "xbahn.response.`+id.str+`", "response_id": "`+id.str+`"}, `))
}

// Cases is a transcript of hand-made requests to the original's server,
// one connection each, with the Go server that answers them.
type Cases struct {
	Name   string
	Server func(endpoint string) (Running, error)
	// Ours are the Go server's answers where they differ from the
	// original's, by case.
	Ours map[string]Reply
}

// Reply is an answer of the Go server that differs from the original's.
type Reply struct {
	// Error is the error text of the reply. Without one, the reply is
	// the original's reply to case Like.
	Error string
	Like  string
	// Bare marks the reply to a request that does not decode: it can
	// answer no id.
	Bare bool
	Why  string
}

// The reasons of the Go server's answers.
const (
	whyNoHandler = "the original answers a path that no handler takes with an empty message, which leaves its requester waiting; ours says so"
	whyWedged    = "the original gives no reply to a request it cannot read and answers nobody after it; ours says why and goes on serving"
	whyOurText   = "a Python TypeError of the original; ours names the problem in Go's terms"
)

// ErrorCases are h1 and h2.
func ErrorCases() []*Cases {
	noHandler := func(path string) Reply {
		return Reply{Error: "xbahn: no handler for path " + fmt.Sprintf("%q", path), Why: whyNoHandler}
	}
	undecodable := func(text string) Reply {
		return Reply{Error: "xbahn: request does not decode: " + text, Bare: true, Why: whyWedged}
	}
	return []*Cases{
		{Name: "h1-errors-raw", Server: apiServer(nil), Ours: map[string]Reply{
			"unknown path":               noHandler("nowhere"),
			"no meta.path":               noHandler(""),
			"path 'comm' (prefix only)":  noHandler("comm"),
			"path 'comm.callx'":          noHandler("comm.callx"),
			"path looks like a response": noHandler("xbahn.response.zzz"),
			"attach_remote with an unknown widget type": {Error: `no widget called "nosuchtype"`,
				Why: "the original fails making a widget of no registered type with a TypeError"},
			"no data key":      {Error: "a call names its method in data, as a string, not null", Why: whyOurText},
			"data is a number": {Error: "a call names its method in data, as a string, not the integer 5", Why: whyOurText},
			"too few args":     {Error: `missing argument "b"`, Why: whyOurText},
			"too many args":    {Error: "takes 0 arguments, 1 given", Why: whyOurText},
			"unexpected kwarg": {Error: `got an unexpected keyword argument "c"`, Why: whyOurText},
			"arg of the wrong kind": {Error: `argument "a": cannot use the string "x" as int`,
				Why: "the original's multiply converts with int(); ours takes ints"},
			"args is an object": {Error: `argument "a": cannot use the string "a" as int`,
				Why: "an object's keys are the arguments, as in the original; ours takes ints"},
			"args is a string":                     undecodable("wire: wrong value type in args at offset 79"),
			"meta is a list of pairs":              undecodable("wire: wrong value type in meta at offset 9"),
			"meta is an empty list":                undecodable("wire: wrong value type in meta at offset 9"),
			"not JSON":                             undecodable("wire: unknown encoding at offset 0"),
			"baseline ping right after 'not JSON'": {Like: "baseline ping (xbahn-style JSON)", Why: whyWedged},
			"empty payload":                        undecodable("wire: truncated input at offset 0"),
			"JSON array":                           undecodable("wire: unknown encoding at offset 0"),
			"JSON string":                          undecodable("wire: unknown encoding at offset 0"),
			"JSON null":                            undecodable("wire: unknown encoding at offset 0"),
			"missing meta":                         undecodable("wire: missing meta at offset 42"),
			"meta null":                            undecodable("wire: wrong value type in meta at offset 9"),
			"kwargs is an array":                   undecodable("wire: wrong value type in kwargs at offset 87"),
			"path is a number":                     noHandler(""),
			"invalid UTF-8":                        undecodable("wire: syntax error in data at offset 57"),
			"two-part message":                     undecodable("a message is one frame, not 2"),
		}},
		{Name: "h2-errors-auth", Server: apiServer(&rpc.ServerOptions{Key: "s3cr3t-key-0001"})},
	}
}

// placeholder returns the n-th made-up id of an expected reply: a UUID
// that the matcher pairs with whatever id ours has.
func placeholder(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// Replay sends every case to the Go server through peer, each on its own
// connection, and checks the replies against the original's, or against
// Ours where the Go server differs.
func (c *Cases) Replay(ctx context.Context, peer Peer) error {
	t, err := Load(c.Name)
	if err != nil {
		return err
	}
	srv, err := c.Server("tcp://127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { srv.Close() }()
	replies := map[string]string{}
	for _, cs := range t.Header.Cases {
		if len(cs.Reply) == 1 {
			replies[cs.Case] = cs.Reply[0]
		}
	}
	m := newMatcher()
	var errs []error
	for n, cs := range t.Header.Cases {
		if len(cs.Conns) == 0 { // the original's server restarted
			ep := srv.Endpoint()
			srv.Close()
			if srv, err = c.Server(ep); err != nil {
				return err
			}
			continue
		}
		k := cs.Conns[0]
		frames := make([][]byte, len(cs.Sent))
		for i, s := range cs.Sent {
			if frames[i], err = sent(s); err != nil {
				return err
			}
		}
		want, err := c.expected(cs.Case, frames[0], replies, n)
		if err != nil {
			return err
		}
		if err := peer.Connect(ctx, k, zmtp.REQ, srv.Endpoint(), ""); err != nil {
			return err
		}
		if err := peer.Send(ctx, k, frames); err != nil {
			return fmt.Errorf("%s: %s: sending: %w", c.Name, cs.Case, err)
		}
		got, err := recvWithin(ctx, peer, k)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", c.Name, cs.Case, err)
		}
		if err := checkFrames(m, [][]byte{[]byte(want)}, got); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", c.Name, cs.Case, err))
		}
	}
	return errors.Join(errs...)
}

// expected returns the reply the Go server is to give to case name, whose
// request is req.
func (c *Cases) expected(name string, req []byte, replies map[string]string, n int) (string, error) {
	r, ours := c.Ours[name]
	if !ours {
		if want, ok := replies[name]; ok {
			return want, nil
		}
		return "", fmt.Errorf("%s: %s: the original gave no reply, and ours is not listed", c.Name, name)
	}
	if r.Like != "" {
		// The same reply, with an id of its own.
		return uuidRE.ReplaceAllLiteralString(replies[r.Like], placeholder(n)), nil
	}
	meta := `{"id": "` + placeholder(n) + `", "error": ` + dumps(node{kind: 's', str: r.Error})
	if !r.Bare {
		var msg struct {
			Meta struct {
				ID string `json:"id"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(req, &msg); err != nil || msg.Meta.ID == "" {
			return "", fmt.Errorf("%s: %s: the request has no id to answer", c.Name, name)
		}
		id := dumps(node{kind: 's', str: msg.Meta.ID})
		meta += `, "path": ` + strings.Replace(id, `"`, `"xbahn.response.`, 1) + `, "response_id": ` + id
	}
	return `{"meta": ` + meta + `}, "data": null, "args": [], "kwargs": {}}`, nil
}

// NoTopic checks what g3-pubsub-no-topic shows the original getting
// wrong: its subscriber without a topic subscribed to nothing and got
// none of the messages published. Ours subscribes to everything, so it
// gets the original's messages, which the peer publishes without a topic.
func NoTopic(ctx context.Context, peer Peer) error {
	t, err := Load("g2-pushpull")
	if err != nil {
		return err
	}
	ep, err := peer.Bind(ctx, 1, zmtp.PUB)
	if err != nil {
		return err
	}
	conn, err := xbahn.Connect(url(ep, "sub"), nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	got := make(chan *xbahn.Message, 1)
	xbahn.NewLink(xbahn.Conns{Receive: conn}).OnReceive(func(m *xbahn.Message, _ *xbahn.Wire) error {
		select {
		case got <- m:
		default:
		}
		return nil
	})
	every := time.NewTicker(10 * time.Millisecond) // the publisher's pace, until the subscriber has joined
	defer every.Stop()
	for {
		if err := peer.Send(ctx, 1, t.Lines[0].Frames); err != nil {
			return err
		}
		select {
		case m := <-got:
			if m.Path != "events.tick" || m.Data != "tick 0" {
				return fmt.Errorf("the subscriber got %s %v, want events.tick \"tick 0\"", m.Path, m.Data)
			}
			return nil
		case <-ctx.Done():
			return fmt.Errorf("the subscriber without a topic got nothing: %w", ctx.Err())
		case <-every.C:
		}
	}
}
