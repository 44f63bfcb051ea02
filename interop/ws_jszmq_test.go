package interop

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// jszmqVersion is the jszmq the tests install with npm.
const jszmqVersion = "0.1.2"

// installJszmq installs jszmq with npm into dir and returns the
// node_modules directory to give node as NODE_PATH. Without node or npm,
// or when the install fails (no network), it ends the test through
// peerMissing.
func installJszmq(t *testing.T, dir string) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			peerMissing(t, "the jszmq interop tests cannot run: "+tool+" is not installed (Debian: nodejs, npm)")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", "jszmq@"+jszmqVersion)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		peerMissing(t, "the jszmq interop tests cannot run: npm install jszmq@"+jszmqVersion+" (needs the npm registry): "+err.Error()+"\n"+string(out))
	}
	return filepath.Join(dir, "node_modules")
}

// A jsPeer is a jszmq socket in a node process (testdata/jszmq_peer.js).
type jsPeer struct {
	t    testing.TB
	in   io.WriteCloser
	msgs chan [][]byte
	addr string // what it bound
}

// jsEvent is a line of the peer's output.
type jsEvent struct {
	Bound string   `json:"bound"`
	Ready bool     `json:"ready"`
	Msg   []string `json:"msg"`
	Error string   `json:"error"`
}

// startJS starts a jszmq socket of typ that binds (where is its path) or
// connects (where is the endpoint), with routing id id unless it is "".
func startJS(t *testing.T, modules string, typ zmtp.Type, bind bool, where, id string) *jsPeer {
	t.Helper()
	mode := "connect"
	if bind {
		mode = "bind"
	}
	cmd := exec.Command("node", filepath.Join("testdata", "jszmq_peer.js"), strings.ToLower(typ.String()), mode, where)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "JSZMQ_ID="+id)
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
	p := &jsPeer{t: t, in: in, msgs: make(chan [][]byte, 64)}
	started := make(chan jsEvent, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(p.msgs)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 16<<20)
		first := true
		for sc.Scan() {
			var ev jsEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("jszmq peer wrote %q: %v", sc.Text(), err)
				continue
			}
			switch {
			case ev.Error != "":
				t.Errorf("jszmq peer: %s", ev.Error)
			case first:
				first = false
				started <- ev
			case ev.Msg != nil:
				m := make([][]byte, len(ev.Msg))
				for i, f := range ev.Msg {
					m[i], _ = base64.StdEncoding.DecodeString(f)
				}
				p.msgs <- m
			}
		}
		if first {
			close(started)
		}
	}()
	t.Cleanup(func() {
		in.Close()
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		select {
		case <-exited:
		case <-time.After(wsTimeout):
			cmd.Process.Kill()
			<-exited
		}
		<-done
	})
	select {
	case ev, ok := <-started:
		if !ok {
			t.Fatal("jszmq peer ended before it started")
		}
		p.addr = ev.Bound
	case <-time.After(wsTimeout):
		t.Fatal("jszmq peer did not start")
	}
	return p
}

// waitHandshake waits for a handshake to succeed among events.
func waitHandshake(t *testing.T, events <-chan zmtp.Event) {
	t.Helper()
	timeout := time.After(wsTimeout)
	for {
		select {
		case ev := <-events:
			if ev.Kind == zmtp.EventHandshakeSucceeded {
				return
			}
		case <-timeout:
			t.Fatal("no handshake with the jszmq peer")
		}
	}
}

func (p *jsPeer) command(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = p.in.Write(append(b, '\n'))
	return err
}

func (p *jsPeer) end() wsEnd {
	return wsEnd{
		send: func(frames [][]byte) error {
			enc := make([]string, len(frames))
			for i, f := range frames {
				enc[i] = base64.StdEncoding.EncodeToString(f)
			}
			return p.command(map[string][]string{"send": enc})
		},
		recv: func(d time.Duration) ([][]byte, error) {
			select {
			case m, ok := <-p.msgs:
				if !ok {
					return nil, errors.New("jszmq peer ended")
				}
				return m, nil
			case <-time.After(d):
				return nil, errors.New("jszmq peer received nothing in " + d.String())
			}
		},
	}
}

// TestWSJszmq runs each shape over ws with jszmq on either side, and
// either side binding. jszmq speaks the bare ZWS2.0 subprotocol: routing
// ids instead of a NULL handshake, no commands.
func TestWSJszmq(t *testing.T) {
	modules := installJszmq(t, t.TempDir())
	for _, sh := range wsShapes {
		for _, oursFirst := range []bool{true, false} {
			for _, oursBind := range []bool{true, false} {
				name := sh.name + map[bool]string{true: "/ours " + sh.first.String(), false: "/ours " + sh.second.String()}[oursFirst] +
					map[bool]string{true: "/ours binds", false: "/jszmq binds"}[oursBind]
				t.Run(name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					ourType, theirType := sh.second, sh.first
					if oursFirst {
						ourType, theirType = sh.first, sh.second
					}
					o := &zmtp.Options{ReconnectInterval: 10 * time.Millisecond}
					jsID := ""
					if oursFirst {
						o.Identity = []byte("first")
					} else if theirType == zmtp.DEALER {
						jsID = "first"
					}
					ours := wsSocket(t, ourType, o)
					if ourType == zmtp.SUB {
						if err := ours.Subscribe([]byte("news")); err != nil {
							t.Fatal(err)
						}
					}
					var js *jsPeer
					if oursBind {
						ep, err := ours.Bind("ws://127.0.0.1:0" + wsPath)
						if err != nil {
							t.Fatal(err)
						}
						js = startJS(t, modules, theirType, false, ep, jsID)
					} else {
						js = startJS(t, modules, theirType, true, wsPath, jsID)
						// A bound jszmq socket drops what it sends
						// before a peer is attached: wait for ours.
						events := make(chan zmtp.Event, 16)
						stop := ours.Monitor(events)
						if err := ours.Connect(js.addr); err != nil {
							t.Fatal(err)
						}
						waitHandshake(t, events)
						stop()
					}
					if theirType == zmtp.SUB {
						if err := js.command(map[string]string{"subscribe": "news"}); err != nil {
							t.Fatal(err)
						}
					}
					a, b := ourEnd(ctx, ours), js.end()
					if !oursFirst {
						a, b = b, a
					}
					// jszmq's ROUTER puts a zero byte before the
					// routing id a peer announced.
					id := "first"
					if oursFirst {
						id = "\x00first"
					}
					wsExchange(t, sh, a, b, id)
				})
			}
		}
	}
}
