package interop

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// peerMissing ends a test whose peer implementation is not installed: it
// fails under CI=true, whose .ci/run installs every peer, and skips
// elsewhere.
func peerMissing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// peerCtx bounds a test against a peer process.
func peerCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// linePeer is a peer of another ZeroMQ implementation in a child process
// (testdata/pyzmq_peer.py, testdata/JeromqPeer.java), driven one command
// a line: "bind K TYPE", "connect K TYPE ENDPOINT fTOPIC", "subscribe K
// fTOPIC", "send K fFRAME...", "recv K TIMEOUT_MS" and "close", where a
// frame is "f" and
// its base64. Each answer is a line, "ok ..." or "err ...". It is a
// compat.Peer.
type linePeer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner

	mu sync.Mutex // one command and its answer at a time
}

// startLinePeer starts cmd as a line peer, stopped when the test ends.
func startLinePeer(t testing.TB, cmd *exec.Cmd) *linePeer {
	t.Helper()
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &linePeer{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	p.out.Buffer(nil, 64<<20)
	t.Cleanup(func() { p.Close() })
	return p
}

// do sends a command and returns the words of its answer after "ok".
func (p *linePeer) do(words ...string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return nil, errors.New("peer closed")
	}
	if _, err := io.WriteString(p.in, strings.Join(words, " ")+"\n"); err != nil {
		return nil, fmt.Errorf("peer: %w", err)
	}
	if !p.out.Scan() {
		return nil, fmt.Errorf("peer ended: %v", p.out.Err())
	}
	answer := strings.Fields(p.out.Text())
	if len(answer) == 0 || answer[0] != "ok" {
		return nil, fmt.Errorf("peer: %s", p.out.Text())
	}
	return answer[1:], nil
}

func token(f []byte) string { return "f" + base64.StdEncoding.EncodeToString(f) }

func (p *linePeer) Bind(_ context.Context, k int, t zmtp.Type) (string, error) {
	a, err := p.do("bind", fmt.Sprint(k), t.String())
	if err != nil {
		return "", err
	}
	if len(a) != 1 {
		return "", fmt.Errorf("peer bound %q", a)
	}
	return a[0], nil
}

func (p *linePeer) Connect(_ context.Context, k int, t zmtp.Type, endpoint, topic string) error {
	_, err := p.do("connect", fmt.Sprint(k), t.String(), endpoint, token([]byte(topic)))
	return err
}

// Subscribe subscribes SUB socket k to topic.
func (p *linePeer) Subscribe(k int, topic string) error {
	_, err := p.do("subscribe", fmt.Sprint(k), token([]byte(topic)))
	return err
}

func (p *linePeer) Send(_ context.Context, k int, frames [][]byte) error {
	words := []string{"send", fmt.Sprint(k)}
	for _, f := range frames {
		words = append(words, token(f))
	}
	_, err := p.do(words...)
	return err
}

func (p *linePeer) Recv(ctx context.Context, k int) ([][]byte, error) {
	wait := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	a, err := p.do("recv", fmt.Sprint(k), fmt.Sprint(max(wait.Milliseconds(), 1)))
	if err != nil {
		return nil, err
	}
	frames := make([][]byte, len(a))
	for i, w := range a {
		if frames[i], err = base64.StdEncoding.DecodeString(strings.TrimPrefix(w, "f")); err != nil {
			return nil, err
		}
	}
	return frames, nil
}

func (p *linePeer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return nil
	}
	io.WriteString(p.in, "close\n")
	p.in.Close()
	p.in = nil
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
		return errors.New("peer did not end")
	}
}
