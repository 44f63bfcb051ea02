package xbahn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/wire"
	"github.com/xbahn-go/xbahn/zmtp"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustListen(t testing.TB, url string, o *Options) *Conn {
	t.Helper()
	c, err := Listen(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustConnect(t testing.TB, url string, o *Options) *Conn {
	t.Helper()
	c, err := Connect(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// peerURL is the URL a peer of c connects to.
func peerURL(c *Conn) string { return strings.TrimPrefix(c.Remote(), "connect->") }

func TestEventOrder(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	sl := NewLink(Conns{Receive: server, Respond: server})
	sl.OnReceive(func(m *Message, w *Wire) error { return w.Respond(m, NewMessage("answer")) })

	client := mustConnect(t, peerURL(server), nil)
	var order []string
	note := func(s string) Handler {
		return func(m *Message, w *Wire) error {
			order = append(order, s+":"+m.Path)
			return nil
		}
	}
	l := NewLink(Conns{})
	w, err := l.AddWire("main", Conns{Send: client, Receive: client}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.OnReceive(note("link receive"))
	l.OnPath("xbahn.response", note("link path xbahn.response"))
	l.OnPath("xbahn", note("link path xbahn"))
	l.OnResponse(note("link response"))
	w.OnReceive(note("wire receive"))
	w.OnPath("xbahn", note("wire path xbahn"))
	w.OnResponse(note("wire response"))
	m := NewMessage("q")
	m.OnResponse(func(resp *Message) { order = append(order, "message response:"+resp.Path) })
	resp, err := w.SendAndWait(ctx, "a.b", m)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ResponseID != m.ID || resp.Data != "answer" {
		t.Errorf("response = %+v, want an answer to %s", resp.Message, m.ID)
	}
	p := "xbahn.response." + m.ID
	want := []string{
		"link receive:" + p, "link path xbahn:" + p, "link path xbahn.response:" + p, "link response:" + p,
		"wire receive:" + p, "wire path xbahn:" + p, "wire response:" + p, "message response:" + p,
	}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("events:\n got %q\nwant %q", order, want)
	}
}

func TestPathHandlers(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	sl := NewLink(Conns{Receive: server, Respond: server})
	var mu sync.Mutex
	got := map[string][]string{}
	for _, p := range []string{"address", "address.usa", "person"} {
		sl.OnPath(p, func(m *Message, w *Wire) error {
			mu.Lock()
			got[p] = append(got[p], m.Path)
			mu.Unlock()
			return nil
		})
	}
	if _, err := sl.OnPath("bad..path", func(*Message, *Wire) error { return nil }); err == nil {
		t.Error("OnPath accepted an empty segment")
	}
	client := mustConnect(t, peerURL(server), nil)
	w := NewLink(Conns{Send: client, Receive: client}).Main()
	for _, p := range []string{"address", "address.usa", "address.usa.ny", "addressbook", "person", "other"} {
		if err := w.Send(ctx, p, NewMessage(p)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{
		"address":     {"address", "address.usa", "address.usa.ny"},
		"address.usa": {"address.usa", "address.usa.ny"},
		"person":      {"person"},
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paths handled = %v, want %v", got, want)
	}
}

func TestAutomaticAndErrorReplies(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	sl := NewLink(Conns{Receive: server, Respond: server})
	sl.OnPath("fail", func(m *Message, w *Wire) error { return errors.New("no such thing") })
	sl.OnPath("panic", func(m *Message, w *Wire) error { panic("boom") })
	sl.OnPath("quiet", func(m *Message, w *Wire) error { return nil })
	sl.OnPath("twice", func(m *Message, w *Wire) error {
		if err := w.Respond(m, NewMessage(1)); err != nil {
			return err
		}
		if err := w.Respond(m, NewMessage(2)); !errors.Is(err, ErrAlreadyResponded) {
			t.Errorf("second Respond = %v, want ErrAlreadyResponded", err)
		}
		return nil
	})
	client := mustConnect(t, peerURL(server), nil)
	w := NewLink(Conns{Send: client, Receive: client}).Main()

	// A handler that does not answer gets the original's empty reply;
	// a path without a handler an error, where the original's empty
	// reply left its requester waiting.
	resp, err := w.SendAndWait(ctx, "quiet.please", NewMessage("x"))
	if err != nil || resp.Data != nil || resp.Error != "" {
		t.Errorf("unanswered request: %+v, %v; want an empty reply", resp, err)
	}
	_, err = w.SendAndWait(ctx, "nobody.listens", NewMessage("x"))
	var nh *RemoteError
	if !errors.As(err, &nh) || nh.Message != `xbahn: no handler for path "nobody.listens"` || !errors.Is(err, ErrNoHandler) {
		t.Errorf("request no handler takes: %v, want a *RemoteError matching ErrNoHandler", err)
	}
	for _, tt := range []struct{ path, want string }{{"fail", "no such thing"}, {"panic", "panicked: boom"}} {
		_, err := w.SendAndWait(ctx, tt.path, NewMessage("x"))
		var re *RemoteError
		if !errors.As(err, &re) || !strings.Contains(re.Message, tt.want) {
			t.Errorf("%s: error = %v, want a *RemoteError with %q", tt.path, err, tt.want)
		}
	}
	resp, err = w.SendAndWait(ctx, "twice", NewMessage("x"))
	if err != nil || resp.Data != int64(1) {
		t.Errorf("reply = %v, %v; want 1", resp, err)
	}
	// The server still serves.
	if _, err := w.SendAndWait(ctx, "quiet", NewMessage("x")); err != nil {
		t.Errorf("after the failures: %v", err)
	}
}

func TestSendAndWaitDeadline(t *testing.T) {
	ctx := testCtx(t)
	// A REP socket that reads requests and never answers.
	silent, err := zmtp.NewSocket(zmtp.REP, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ep, err := silent.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	client := mustConnect(t, "zmq://"+strings.TrimPrefix(ep, "tcp://")+"/req", nil)
	w := NewLink(Conns{Send: client, Receive: client}).Main()
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := w.SendAndWait(short, "x", NewMessage("hello?")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SendAndWait = %v, want context.DeadlineExceeded", err)
	}
	// The context's 100ms is what ends the wait; a second, ten times
	// it, catches a wait that ignores it.
	if d := time.Since(start); d > time.Second {
		t.Errorf("SendAndWait returned after %v", d)
	}
	// The client is not stuck: the next request goes out, and its reply,
	// not the late one to the first request, is the one received.
	answer := func(req [][]byte, data string) {
		var in, out wire.Message
		if err := wire.Decode(req[0], &in); err != nil {
			t.Error(err)
			return
		}
		out.Data, out.ResponseID = data, in.ID
		b, err := out.AppendBinary(nil)
		if err != nil {
			t.Error(err)
			return
		}
		if err := silent.Send(ctx, b); err != nil {
			t.Errorf("answering %q: %v", data, err)
		}
	}
	first, err := silent.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The answering goroutine ends before the test does, so that it
	// never reports after it.
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		answer(first, "too late")
		second, err := silent.Recv(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		answer(second, "right")
	}()
	resp, err := w.SendAndWait(ctx, "x", NewMessage("again"))
	if err != nil || resp.Data != "right" {
		t.Errorf("SendAndWait = %v, %v; want the reply \"right\"", resp, err)
	}
	<-answered
}

func TestConcurrentRequesters(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		return w.Respond(m, NewMessage(m.Data))
	})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for c := 0; c < 8; c++ {
		conn := mustConnect(t, peerURL(server), nil)
		w := NewLink(Conns{Send: conn, Receive: conn}).Main()
		// Several goroutines share each REQ connection.
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					want := fmt.Sprintf("%d/%d/%d", c, g, i)
					resp, err := w.SendAndWait(ctx, "echo", NewMessage(want))
					if err != nil {
						errs <- err
						return
					}
					if resp.Data != want {
						errs <- fmt.Errorf("got %v, want %s", resp.Data, want)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDealerRouterAsync(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/router", nil)
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		// Answer later, from another goroutine, out of order.
		go func() {
			time.Sleep(time.Duration(len(m.Data.(string))%3) * time.Millisecond)
			w.Respond(m, NewMessage("re: "+m.Data.(string)))
		}()
		return nil
	})
	client := mustConnect(t, "zmq://"+strings.TrimPrefix(server.Endpoint(), "tcp://")+"/dealer", nil)
	w := NewLink(Conns{Send: client, Receive: client}).Main()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := strings.Repeat("q", g)
			resp, err := w.SendAndWait(ctx, "ask", NewMessage(q))
			if err != nil || resp.Data != "re: "+q {
				errs <- fmt.Errorf("caller %d: %v, %v", g, resp, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTopics(t *testing.T) {
	ctx := testCtx(t)
	hub := &zmtp.Hub{}
	pub := mustListen(t, "zmq://feed/pub/news?transport=inproc", &Options{Hub: hub})
	other := mustListen(t, "zmq://feed2/pub/newspaper?transport=inproc", &Options{Hub: hub})
	plain := mustListen(t, "zmq://feed3/pub?transport=inproc", &Options{Hub: hub})

	got := make(chan string, 10)
	collect := func(m *Message, w *Wire) error { got <- fmt.Sprint(m.Data); return nil }
	news := mustConnect(t, "zmq://feed/sub/news?transport=inproc", &Options{Hub: hub})
	NewLink(Conns{Receive: news}).OnReceive(collect)
	all := mustConnect(t, "zmq://feed2/sub?transport=inproc", &Options{Hub: hub})
	if err := all.Socket().Connect("inproc://feed3"); err != nil {
		t.Fatal(err)
	}
	NewLink(Conns{Receive: all}).OnReceive(collect)

	pw := NewLink(Conns{Send: pub}).Main()
	ow := NewLink(Conns{Send: other}).Main()
	qw := NewLink(Conns{Send: plain}).Main()
	// "news" must not take "newspaper": the exact prefix is stripped.
	if err := pw.Send(ctx, "t", NewMessage("headline")); err != nil {
		t.Fatal(err)
	}
	ow.Send(ctx, "t", NewMessage("paper"))
	qw.Send(ctx, "t", NewMessage("untopical"))
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		select {
		case s := <-got:
			seen[s] = true
		case <-ctx.Done():
			t.Fatalf("got %v, want headline, paper and untopical", seen)
		}
	}
	if !seen["headline"] || !seen["paper"] || !seen["untopical"] {
		t.Errorf("received %v", seen)
	}
}

func TestJSONToPython(t *testing.T) {
	ctx := testCtx(t)
	// A raw REP stands for a Python xbahn server: it sees JSON, and its
	// JSON reply comes back as a Message.
	rep, _ := zmtp.NewSocket(zmtp.REP, nil)
	defer rep.Close()
	ep, _ := rep.Bind("tcp://127.0.0.1:0")
	client := mustConnect(t, "zmq://"+strings.TrimPrefix(ep, "tcp://")+"/req", &Options{Encoding: wire.JSON})
	w := NewLink(Conns{Send: client, Receive: client}).Main()
	done := make(chan error, 1)
	go func() {
		req, err := rep.Recv(ctx)
		if err != nil {
			done <- err
			return
		}
		if !strings.HasPrefix(string(req[0]), `{"meta": {"id": "`) || !strings.Contains(string(req[0]), `"data": "multiply", "args": [7, 6]`) {
			done <- fmt.Errorf("request on the wire = %s", req[0])
			return
		}
		var m wire.Message
		if err := wire.Decode(req[0], &m); err != nil {
			done <- err
			return
		}
		reply := `{"meta": {"id": "x", "path": "xbahn.response.` + m.ID + `", "response_id": "` + m.ID + `"}, "data": 42, "args": [], "kwargs": {}}`
		done <- rep.Send(ctx, []byte(reply))
	}()
	resp, err := w.SendAndWait(ctx, "comm.call", NewMessage("multiply", 7, 6))
	if err != nil || resp.Data != int64(42) {
		t.Fatalf("SendAndWait = %v, %v; want 42", resp, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestResponseKeepsRequestEncoding(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil) // sends binary by default
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		return w.Respond(m, NewMessage("ok"))
	})
	req, _ := zmtp.NewSocket(zmtp.REQ, nil)
	defer req.Close()
	req.Connect(server.Endpoint())
	var m wire.Message
	m.ID, m.Data = "py-1", "hello"
	b, _ := m.AppendJSON(nil)
	req.Send(ctx, b)
	reply, err := req.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wire.Sniff(reply[0]) != wire.JSON {
		t.Errorf("reply to a JSON request is %v, want JSON: %q", wire.Sniff(reply[0]), reply[0])
	}
}

func TestWireMetaAndLink(t *testing.T) {
	ctx := testCtx(t)
	server := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	meta := make(chan map[string]any, 1)
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		meta <- m.Meta
		return nil
	})
	client := mustConnect(t, peerURL(server), nil)
	l := NewLink(Conns{})
	w, err := l.AddWire("tagged", Conns{Send: client}, map[string]any{"client": "$", "n": 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddWire("tagged", Conns{}, nil); !errors.Is(err, ErrWireExists) {
		t.Errorf("AddWire with a taken name = %v, want ErrWireExists", err)
	}
	if l.Main() != w || l.Wire("tagged") != w || len(l.Wires()) != 1 {
		t.Error("the first wire is not the main one")
	}
	w.Send(ctx, "x", NewMessage(nil))
	if got := <-meta; got["client"] != "$" || got["n"] != int64(1) {
		t.Errorf("meta = %v", got)
	}
	if err := l.Cut("tagged", true); err != nil {
		t.Fatal(err)
	}
	if err := w.Send(ctx, "x", NewMessage(nil)); err == nil {
		t.Error("Send after Cut with disconnect succeeded")
	}
	if err := NewLink(Conns{}).Cut("nothing", false); err == nil {
		t.Error("Cut of an unknown wire succeeded")
	}
}

func TestWaitForSignal(t *testing.T) {
	c := mustListen(t, "zmq://127.0.0.1:0/rep", nil)
	done := make(chan error, 1)
	go func() { done <- c.WaitForSignal(syscall.SIGWINCH) }()
	// Deliver the signal until it is caught: Notify may not be in place
	// at the first try, and SIGWINCH is ignored by default.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		syscall.Kill(os.Getpid(), syscall.SIGWINCH)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-c.Done():
			default:
				t.Error("connection open after WaitForSignal")
			}
			return
		case <-tick.C:
		case <-time.After(5 * time.Second):
			t.Fatal("WaitForSignal did not return")
		}
	}
}

func TestPlainCredentialsInURL(t *testing.T) {
	ctx := testCtx(t)
	plain := zmtp.PlainServer{Authenticate: func(user, pass string, _ net.Addr) (string, error) {
		if user == "admin" && pass == "s3cret" {
			return user, nil
		}
		return "", errors.New("no")
	}}
	server := mustListen(t, "zmq://127.0.0.1:0/rep", &Options{Socket: zmtp.Options{Mechanism: plain}})
	NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
		user, _ := m.Peer().Metadata.Get(zmtp.PropUserID)
		return w.Respond(m, NewMessage("hello "+string(user)))
	})
	host := strings.TrimPrefix(server.Endpoint(), "tcp://")
	good := mustConnect(t, "zmq://admin:s3cret@"+host+"/req", nil)
	resp, err := NewLink(Conns{Send: good, Receive: good}).Main().SendAndWait(ctx, "x", NewMessage(nil))
	if err != nil || resp.Data != "hello admin" {
		t.Fatalf("with good credentials: %v, %v", resp, err)
	}
	bad := mustConnect(t, "zmq://admin:wrong@"+host+"/req", nil)
	if _, err := NewLink(Conns{Send: bad, Receive: bad}).Main().SendAndWait(ctx, "x", NewMessage(nil)); !errors.Is(err, zmtp.ErrAuth) {
		t.Errorf("with a wrong password: %v, want zmtp.ErrAuth", err)
	}
	if _, err := Listen("zmq://u:p@127.0.0.1:0/rep", nil); err == nil {
		t.Error("a listening URL with credentials was accepted")
	}
}

func TestMessagePrints(t *testing.T) {
	m := NewMessage("John Smith")
	m.Path = "person"
	if got, want := fmt.Sprintf("%v", m), `{"meta": {"path": "person"}, "data": "John Smith", "args": [], "kwargs": {}}`; got != want {
		t.Errorf("%%v of a Message = %s, want %s", got, want)
	}
}

// TestWSRoundTrip makes a request over ZeroMQ's WebSocket transport, on
// the default path and on another.
func TestWSRoundTrip(t *testing.T) {
	for _, query := range []string{"?transport=ws", "?transport=ws&path=/zmq"} {
		server := mustListen(t, "zmq://127.0.0.1:0/rep"+query, nil)
		if ep := server.Endpoint(); !strings.HasPrefix(ep, "ws://127.0.0.1:") {
			t.Fatalf("%s: listening on %q, want a ws:// endpoint", query, ep)
		}
		NewLink(Conns{Receive: server, Respond: server}).OnReceive(func(m *Message, w *Wire) error {
			return w.Respond(m, NewMessage("re: "+m.Data.(string)))
		})
		client := mustConnect(t, peerURL(server), nil)
		resp, err := NewLink(Conns{Send: client, Receive: client}).Main().SendAndWait(testCtx(t), "ask", NewMessage("hi"))
		if err != nil || resp.Data != "re: hi" {
			t.Errorf("%s: got %v, %v, want re: hi", query, resp, err)
		}
	}
}
