package zmtp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func connect(t testing.TB, s *Socket, ep string) {
	t.Helper()
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
}

func TestDealerRouter(t *testing.T) {
	ctx := testCtx(t)
	router := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, router)
	names := []string{"alpha", "beta", ""}
	dealers := make([]*Socket, len(names))
	for i, name := range names {
		dealers[i] = mustSocket(t, DEALER, &Options{Identity: []byte(name)})
		connect(t, dealers[i], ep)
		if err := dealers[i].Send(ctx, []byte("from"), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for range names {
		msg, err := router.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) != 3 || string(msg[1]) != "from" {
			t.Fatalf("ROUTER got %q, want [id from n]", msg)
		}
		var i int
		fmt.Sscan(string(msg[2]), &i)
		if names[i] != "" && string(msg[0]) != names[i] {
			t.Errorf("routing id of dealer %d = %q, want %q", i, msg[0], names[i])
		}
		if names[i] == "" && (len(msg[0]) != 5 || msg[0][0] != 0) {
			t.Errorf("generated routing id = % x, want 0 and 4 bytes", msg[0])
		}
		if err := router.Send(ctx, msg[0], []byte("to"), msg[2]); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range dealers {
		msg, err := d.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("[to %d]", i); fmt.Sprintf("%s", msg) != want {
			t.Errorf("dealer %d got %s, want %s", i, msg, want)
		}
	}
}

func TestRouterUnknownID(t *testing.T) {
	ctx := testCtx(t)
	plain := mustSocket(t, ROUTER, nil)
	if err := plain.Send(ctx, []byte("nobody"), []byte("x")); err != nil {
		t.Errorf("Send to an unknown id = %v, want a silent drop", err)
	}
	strict := mustSocket(t, ROUTER, &Options{RouterMandatory: true})
	if err := strict.Send(ctx, []byte("nobody"), []byte("x")); !errors.Is(err, ErrHostUnreachable) {
		t.Errorf("Send to an unknown id = %v, want ErrHostUnreachable", err)
	}
	if err := strict.Send(ctx, []byte("only an id")); err == nil {
		t.Error("Send of a lone id frame succeeded")
	}
}

func TestRouterRefusesDuplicateIdentity(t *testing.T) {
	ctx := testCtx(t)
	router := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, router)
	first := mustSocket(t, DEALER, &Options{Identity: []byte("same")})
	connect(t, first, ep)
	first.Send(ctx, []byte("1"))
	if msg, err := router.Recv(ctx); err != nil || string(msg[0]) != "same" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	peer := dialRaw(t, ep)
	peer.greet()
	peer.write(AppendReady(nil, Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte("same")}}))
	peer.readCommand()
	peer.waitClosed(5 * time.Second)
}

func TestLoadBalancing(t *testing.T) {
	for _, typ := range []Type{DEALER, PUSH} {
		t.Run(typ.String(), func(t *testing.T) {
			ctx := testCtx(t)
			sender := mustSocket(t, typ, nil)
			const peers, msgs = 3, 30
			receivers := make([]*Socket, peers)
			for i := range receivers {
				rt := PULL
				if typ == DEALER {
					rt = DEALER
				}
				receivers[i] = mustSocket(t, rt, nil)
				connect(t, sender, mustBind(t, receivers[i]))
			}
			waitConnected(t, sender, peers)
			for i := 0; i < msgs; i++ {
				if err := sender.Send(ctx, []byte{byte(i)}); err != nil {
					t.Fatal(err)
				}
			}
			for i, r := range receivers {
				for j := 0; j < msgs/peers; j++ {
					if _, err := r.Recv(ctx); err != nil {
						t.Fatalf("receiver %d message %d: %v", i, j, err)
					}
				}
				short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				if msg, err := r.Recv(short); err == nil {
					t.Errorf("receiver %d got a message too many: %q", i, msg)
				}
				cancel()
			}
		})
	}
}

func TestFairQueueing(t *testing.T) {
	ctx := testCtx(t)
	pull := mustSocket(t, PULL, nil)
	ep := mustBind(t, pull)
	const senders, each = 3, 20
	for i := 0; i < senders; i++ {
		push := mustSocket(t, PUSH, nil)
		connect(t, push, ep)
		for j := 0; j < each; j++ {
			if err := push.Send(ctx, []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Wait until every message sits in the inboxes, then check that the
	// receiver takes one message per sender in turn.
	deadline := time.Now().Add(5 * time.Second)
	for {
		pull.mu.Lock()
		n := 0
		for _, p := range pull.pipes {
			n += p.inbox.len()
		}
		pull.mu.Unlock()
		if n == senders*each {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages queued", n, senders*each)
		}
		pull.wakeAll()
		time.Sleep(time.Millisecond)
	}
	for round := 0; round < each; round++ {
		seen := map[byte]bool{}
		for i := 0; i < senders; i++ {
			msg, err := pull.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen[msg[0][0]] = true
		}
		if len(seen) != senders {
			t.Fatalf("round %d took messages from %d senders, want %d", round, len(seen), senders)
		}
	}
}

// wakeAll has every pump read now.
func (s *Socket) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pipes {
		p.wake()
	}
}

// waitSubscriptions waits until the PUB or XPUB socket has n subscriptions
// from its peers.
func waitSubscriptions(t testing.TB, s *Socket, n int) {
	t.Helper()
	x := s.pat.(*pub)
	deadline := time.Now().Add(5 * time.Second)
	for {
		x.mu.Lock()
		got := 0
		for _, subs := range x.subs {
			subs.each(func(_ []byte, c int) { got += c })
		}
		x.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPubSubPrefixes(t *testing.T) {
	ctx := testCtx(t)
	pub := mustSocket(t, PUB, nil)
	ep := mustBind(t, pub)
	topics := []string{"a", "ab", ""}
	subs := make([]*Socket, len(topics))
	for i, topic := range topics {
		subs[i] = mustSocket(t, SUB, nil)
		subs[i].Subscribe([]byte(topic))
		connect(t, subs[i], ep)
	}
	waitSubscriptions(t, pub, len(topics))
	for _, m := range []string{"a1", "ab2", "b3", "end"} {
		pub.Send(ctx, []byte(m), []byte("payload"))
	}
	want := [][]string{{"a1", "ab2"}, {"ab2"}, {"a1", "ab2", "b3", "end"}}
	for i, s := range subs {
		var got []string
		for range want[i] {
			msg, err := s.Recv(ctx)
			if err != nil {
				t.Fatalf("subscriber %q: %v", topics[i], err)
			}
			got = append(got, string(msg[0]))
		}
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("subscriber %q got %v, want %v", topics[i], got, want[i])
		}
	}
}

func TestSubscriptionsCounted(t *testing.T) {
	ctx := testCtx(t)
	pub := mustSocket(t, PUB, nil)
	ep := mustBind(t, pub)
	sub := mustSocket(t, SUB, nil)
	connect(t, sub, ep)
	// The SUB counts; the PUB holds each peer's topics as a set, as
	// libzmq's do, and hears only of the last cancellation.
	sub.Subscribe([]byte("t"))
	sub.Subscribe([]byte("t"))
	waitSubscriptions(t, pub, 1)
	sub.Unsubscribe([]byte("t"))
	pub.Send(ctx, []byte("t1"))
	if msg, err := sub.Recv(ctx); err != nil || string(msg[0]) != "t1" {
		t.Fatalf("Recv = %q, %v; want [t1]", msg, err)
	}
	sub.Unsubscribe([]byte("t"))
	sub.Unsubscribe([]byte("t")) // one too many: ignored
	waitSubscriptions(t, pub, 0)
}

func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	ctx := testCtx(t)
	pub := mustSocket(t, PUB, &Options{SendHWM: 10})
	ep := mustBind(t, pub)
	// A subscriber that never reads.
	slow := dialRaw(t, ep)
	slow.handshake("SUB")
	slow.write(AppendCommand(nil, CmdSubscribe))
	fast := mustSocket(t, SUB, nil)
	fast.Subscribe(nil)
	connect(t, fast, ep)
	waitSubscriptions(t, pub, 2)
	big := make([]byte, 64<<10)
	for i := 0; i < 300; i++ { // 19 MiB: more than the slow peer's kernel buffers
		sendCtx, cancel := context.WithTimeout(ctx, time.Second)
		big[0] = byte(i)
		if err := pub.Send(sendCtx, big); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		cancel()
		msg, err := fast.Recv(ctx)
		if err != nil || msg[0][0] != byte(i) {
			t.Fatalf("fast subscriber message %d: %v", i, err)
		}
	}
}

func TestXPubSeesSubscriptions(t *testing.T) {
	ctx := testCtx(t)
	xpub := mustSocket(t, XPUB, nil)
	ep := mustBind(t, xpub)
	s1 := mustSocket(t, SUB, nil)
	s2 := mustSocket(t, SUB, nil)
	connect(t, s1, ep)
	connect(t, s2, ep)
	expect := func(want string) {
		t.Helper()
		msg, err := xpub.Recv(ctx)
		if err != nil || string(msg[0]) != want {
			t.Fatalf("XPUB Recv = %q, %v; want %q", msg, err, want)
		}
	}
	s1.Subscribe([]byte("x"))
	expect("\x01x")
	s2.Subscribe([]byte("x")) // not the first: not reported
	s2.Subscribe([]byte("y"))
	expect("\x01y")
	s1.Unsubscribe([]byte("x")) // not the last
	s2.Unsubscribe([]byte("x"))
	expect("\x00x")
}

func TestXSubSubscribesBySending(t *testing.T) {
	ctx := testCtx(t)
	pub := mustSocket(t, PUB, nil)
	ep := mustBind(t, pub)
	xsub := mustSocket(t, XSUB, nil)
	connect(t, xsub, ep)
	if err := xsub.Send(ctx, []byte("\x01news")); err != nil {
		t.Fatal(err)
	}
	waitSubscriptions(t, pub, 1)
	pub.Send(ctx, []byte("sport"))
	pub.Send(ctx, []byte("news!"))
	if msg, err := xsub.Recv(ctx); err != nil || string(msg[0]) != "news!" {
		t.Fatalf("Recv = %q, %v; want [news!]", msg, err)
	}
}

func TestPubSubWithZMTP30Peers(t *testing.T) {
	ctx := testCtx(t)
	// A 3.0 subscriber subscribes with a message, not a command.
	pub := mustSocket(t, PUB, nil)
	ep := mustBind(t, pub)
	peer := dialRaw(t, ep)
	peer.write(greetingBytes(3, 0, "NULL", nil))
	peer.r.next(GreetingSize)
	peer.write(AppendReady(nil, Metadata{{PropSocketType, []byte("SUB")}}))
	peer.readCommand()
	peer.sendMsg("\x01we")
	waitSubscriptions(t, pub, 1)
	pub.Send(ctx, []byte("weather"))
	if got := peer.readMsg(); string(got[0]) != "weather" {
		t.Errorf("3.0 subscriber got %q", got)
	}

	// Our SUB tells a 3.0 publisher with a message.
	lep, accept := listenRaw(t)
	sub := mustSocket(t, SUB, nil)
	sub.Subscribe([]byte("we"))
	connect(t, sub, lep)
	p30 := accept()
	p30.write(greetingBytes(3, 0, "NULL", nil))
	p30.r.next(GreetingSize)
	p30.write(AppendReady(nil, Metadata{{PropSocketType, []byte("PUB")}}))
	p30.readCommand()
	flags, body, err := p30.readFrame()
	if err != nil || flags.Has(FlagCommand) || string(body) != "\x01we" {
		t.Errorf("subscription from our SUB = %v %q, %v; want message \\x01we", flags, body, err)
	}
	p30.sendMsg("weather")
	p30.sendMsg("other")
	if msg, err := sub.Recv(ctx); err != nil || string(msg[0]) != "weather" {
		t.Errorf("SUB Recv = %q, %v", msg, err)
	}
}

func TestPair(t *testing.T) {
	ctx := testCtx(t)
	a := mustSocket(t, PAIR, nil)
	ep := mustBind(t, a)
	b := mustSocket(t, PAIR, nil)
	connect(t, b, ep)
	b.Send(ctx, []byte("ping"))
	if msg, err := a.Recv(ctx); err != nil || string(msg[0]) != "ping" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	a.Send(ctx, []byte("pong"))
	if msg, err := b.Recv(ctx); err != nil || string(msg[0]) != "pong" {
		t.Fatalf("Recv = %q, %v", msg, err)
	}
	// A second peer is refused while the first is connected.
	third := dialRaw(t, ep)
	third.handshake("PAIR")
	third.waitClosed(5 * time.Second)
}

func TestNotSupported(t *testing.T) {
	ctx := testCtx(t)
	tests := []struct {
		typ  Type
		send bool
	}{
		{PUB, false}, {SUB, true}, {PUSH, false}, {PULL, true},
	}
	for _, tt := range tests {
		s := mustSocket(t, tt.typ, nil)
		var err error
		if tt.send {
			err = s.Send(ctx, []byte("x"))
		} else {
			_, err = s.Recv(ctx)
		}
		if !errors.Is(err, ErrNotSupported) {
			t.Errorf("%v send=%v: error = %v, want ErrNotSupported", tt.typ, tt.send, err)
		}
	}
	if err := mustSocket(t, REQ, nil).Subscribe([]byte("x")); !errors.Is(err, ErrNotSupported) {
		t.Errorf("REQ Subscribe = %v, want ErrNotSupported", err)
	}
}

func TestTypePairs(t *testing.T) {
	all := []Type{PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB}
	var ok []string
	for _, a := range all {
		for _, b := range all {
			if a.Compatible(b) {
				if !b.Compatible(a) {
					t.Errorf("%v accepts %v but not the reverse", a, b)
				}
				if a.String() <= b.String() {
					ok = append(ok, a.String()+"-"+b.String())
				}
			}
		}
	}
	sort.Strings(ok)
	want := "DEALER-DEALER DEALER-REP DEALER-ROUTER PAIR-PAIR PUB-SUB PUB-XSUB PULL-PUSH REP-REQ REQ-ROUTER ROUTER-ROUTER SUB-XPUB XPUB-XSUB"
	if got := strings.Join(ok, " "); got != want {
		t.Errorf("compatible pairs:\n got %s\nwant %s", got, want)
	}
}

func TestConcurrentSenders(t *testing.T) {
	ctx := testCtx(t)
	pull := mustSocket(t, PULL, nil)
	ep := mustBind(t, pull)
	push := mustSocket(t, PUSH, nil)
	connect(t, push, ep)
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				push.Send(ctx, []byte(fmt.Sprintf("%d-%d", g, i)), []byte("second"))
			}
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < goroutines*each; i++ {
		msg, err := pull.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) != 2 || string(msg[1]) != "second" || seen[string(msg[0])] {
			t.Fatalf("message %q broken or repeated", msg)
		}
		seen[string(msg[0])] = true
	}
	wg.Wait()
}

func TestLoadBalancingSkipsLostPeer(t *testing.T) {
	ctx := testCtx(t)
	push := mustSocket(t, PUSH, &Options{ReconnectInterval: time.Hour})
	pulls := make([]*Socket, 3)
	for i := range pulls {
		pulls[i] = mustSocket(t, PULL, nil)
		connect(t, push, mustBind(t, pulls[i]))
	}
	waitConnected(t, push, 3)
	pulls[1].Close()
	// Wait until the lost connection is noticed.
	waitConnectedExactly(t, push, 2)
	const msgs = 20
	for i := 0; i < msgs; i++ {
		if err := push.Send(ctx, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{0, 2} {
		for j := 0; j < msgs/2; j++ {
			if _, err := pulls[i].Recv(ctx); err != nil {
				t.Fatalf("receiver %d message %d: %v", i, j, err)
			}
		}
	}
}

func TestMsgPeer(t *testing.T) {
	ctx := testCtx(t)
	router := mustSocket(t, ROUTER, nil)
	ep := mustBind(t, router)
	dealer := mustSocket(t, DEALER, &Options{Identity: []byte("d1")})
	connect(t, dealer, ep)
	dealer.Send(ctx, []byte("hi"))
	var m Msg
	if err := router.RecvMsg(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if m.Peer == nil || m.Peer.Type != DEALER || string(m.Peer.Identity) != "d1" || m.Peer.Addr == nil ||
		!strings.HasPrefix(m.Peer.Addr.String(), "127.0.0.1:") {
		t.Errorf("Peer = %+v", m.Peer)
	}
	if v, _ := m.Peer.Metadata.Get(PropSocketType); string(v) != "DEALER" {
		t.Errorf("peer metadata = %v", m.Peer.Metadata)
	}
}

func TestRecvWithEndedContext(t *testing.T) {
	pull := mustSocket(t, PULL, nil)
	ep := mustBind(t, pull)
	push := mustSocket(t, PUSH, nil)
	connect(t, push, ep)
	ctx := testCtx(t)
	push.Send(ctx, []byte("first"))
	if _, err := pull.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	for call := 1; call <= 3; call++ {
		done := make(chan error, 1)
		go func() {
			_, err := pull.Recv(short)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("call %d: Recv = %v, want context.DeadlineExceeded", call, err)
			}
		case <-time.After(2 * time.Second):
			push.Send(ctx, []byte("unblock"))
			t.Fatalf("call %d with an ended context still waits", call)
		}
	}
}

func TestRouterKeepsFirstMessages(t *testing.T) {
	ctx := testCtx(t)
	for attempt := 0; attempt < 30; attempt++ {
		dealer := mustSocket(t, DEALER, nil)
		ep := mustBind(t, dealer)
		router := mustSocket(t, ROUTER, nil)
		first := make(chan string, 1)
		go func() {
			// Receives that do not wait, racing the connection.
			ended, cancel := context.WithCancel(ctx)
			cancel()
			for {
				m, err := router.Recv(ended)
				if err == nil {
					first <- string(m[len(m)-1])
					return
				}
				if !errors.Is(err, context.Canceled) {
					first <- err.Error()
					return
				}
			}
		}()
		connect(t, router, ep)
		for i := 0; i < 3; i++ {
			dealer.Send(ctx, []byte{byte('0' + i)})
		}
		select {
		case got := <-first:
			if got != "0" {
				t.Fatalf("attempt %d: the first message was %q, want \"0\"", attempt, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("attempt %d: no message", attempt)
		}
		router.Close()
		dealer.Close()
	}
}
