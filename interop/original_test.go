package interop

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/internal/compat"
	"github.com/xbahn-go/xbahn/zmtp"
)

// python is Debian's interpreter, which python3-zmq installs pyzmq for.
const python = "/usr/bin/python3"

// requirePyzmq ends the test unless pyzmq can be imported: it fails under
// CI=true, which installs python3-zmq, and skips elsewhere.
func requirePyzmq(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import zmq; print(zmq.pyzmq_version(), zmq.zmq_version())").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("the pyzmq peer tests cannot run: %s -c 'import zmq': %v: %s (Debian: apt-get install python3-zmq)", python, err, out)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// pyPeer is a compat.Peer of pyzmq sockets on libzmq, in a Python process
// that testdata/pyzmq_peer.py drives.
type pyPeer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner

	mu sync.Mutex // one command and its answer at a time
}

func newPyPeer(t *testing.T) *pyPeer {
	t.Helper()
	requirePyzmq(t)
	cmd := exec.Command(python, "testdata/pyzmq_peer.py")
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
	p := &pyPeer{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	p.out.Buffer(nil, 64<<20)
	t.Cleanup(func() { p.Close() })
	return p
}

// do sends one command and reads its answer.
func (p *pyPeer) do(cmd map[string]any) (map[string]any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("pyzmq peer: %w", err)
	}
	if !p.out.Scan() {
		return nil, fmt.Errorf("pyzmq peer ended: %v", p.out.Err())
	}
	var answer map[string]any
	if err := json.Unmarshal(p.out.Bytes(), &answer); err != nil {
		return nil, fmt.Errorf("pyzmq peer: %w: %q", err, p.out.Bytes())
	}
	if e, ok := answer["error"].(string); ok {
		return nil, fmt.Errorf("pyzmq peer: %s", e)
	}
	return answer, nil
}

func typeName(t zmtp.Type) string { return t.String() }

func (p *pyPeer) Bind(_ context.Context, k int, t zmtp.Type) (string, error) {
	a, err := p.do(map[string]any{"op": "bind", "k": k, "type": typeName(t)})
	if err != nil {
		return "", err
	}
	ep, _ := a["endpoint"].(string)
	return ep, nil
}

func (p *pyPeer) Connect(_ context.Context, k int, t zmtp.Type, endpoint, topic string) error {
	_, err := p.do(map[string]any{"op": "connect", "k": k, "type": typeName(t), "endpoint": endpoint, "topic": topic})
	return err
}

func (p *pyPeer) Send(_ context.Context, k int, frames [][]byte) error {
	enc := make([]string, len(frames))
	for i, f := range frames {
		enc[i] = base64.StdEncoding.EncodeToString(f)
	}
	_, err := p.do(map[string]any{"op": "send", "k": k, "frames": enc})
	return err
}

func (p *pyPeer) Recv(ctx context.Context, k int) ([][]byte, error) {
	wait := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	a, err := p.do(map[string]any{"op": "recv", "k": k, "timeout_ms": max(wait.Milliseconds(), 1)})
	if err != nil {
		return nil, err
	}
	list, _ := a["frames"].([]any)
	frames := make([][]byte, len(list))
	for i, f := range list {
		s, _ := f.(string)
		if frames[i], err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, err
		}
	}
	return frames, nil
}

func (p *pyPeer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return nil
	}
	p.in.Write([]byte(`{"op": "close"}` + "\n"))
	p.in.Close()
	p.in = nil
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("pyzmq peer did not end")
	}
}

func originalCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestOriginalClientsAgainstOurServers plays the original's clients of the
// transcripts from pyzmq sockets against our servers over TCP, with
// default options on our side.
func TestOriginalClientsAgainstOurServers(t *testing.T) {
	for _, s := range compat.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			if err := s.ReplayServer(originalCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("g3-pubsub-no-topic", func(t *testing.T) {
		if err := compat.NoTopic(originalCtx(t), newPyPeer(t)); err != nil {
			t.Error(err)
		}
	})
	for _, c := range compat.ErrorCases() {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Replay(originalCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOurClientsAgainstOriginalServers plays the original's servers of the
// transcripts from pyzmq sockets while our clients run, with default
// options.
func TestOurClientsAgainstOriginalServers(t *testing.T) {
	for _, s := range compat.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			if err := s.ReplayClient(originalCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
}
