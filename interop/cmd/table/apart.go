//go:build libzmq

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// A serverKind names what a server answers.
type serverKind string

const (
	echoServer serverKind = "echo"
	rpcServer  serverKind = "rpc"
)

// serve starts the server of kind of im, answering requests of size bytes
// for an echo, and returns its endpoint: in this process, or with apart in
// a process of its own.
func serve(ctx context.Context, c *closer, im impl, apart bool, kind serverKind, size int) (string, error) {
	if apart {
		return serveApart(ctx, c, im, kind, size)
	}
	if kind == rpcServer {
		return im.serveRPC(ctx, c)
	}
	return im.serveEcho(ctx, c, size)
}

// serverEnv is the variable of the environment that makes this program a
// server for the program that started it (see serveChild): its value is
// the kind, the size and the implementation's name, apart by spaces.
const serverEnv = "XBAHN_TABLE_SERVER"

// serveApart runs this program again as the server of kind of im, and
// returns the endpoint it prints. The server ends when c closes its
// standard input.
func serveApart(ctx context.Context, c *closer, im impl, kind serverKind, size int) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", serverEnv, kind, size, im.name))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() {
		// Wait closes stdout once the server has exited, which ends a
		// read of its endpoint that is still under way.
		cmd.Wait()
		close(exited)
	}()
	c.add(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(opTimeout):
			cmd.Process.Kill()
			<-exited
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
		io.Copy(io.Discard, stdout)
	}()
	select {
	case s := <-line:
		ep := strings.TrimSpace(s)
		if ep == "" {
			return "", errors.New("the server process printed no endpoint")
		}
		return ep, nil
	case <-time.After(opTimeout):
		return "", fmt.Errorf("the server process printed no endpoint within %v", opTimeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// serveChild makes this program the server that its environment asks for,
// if it does: it starts the server, prints its endpoint, and serves until
// its standard input ends. It reports whether it was asked to, and the
// exit status.
func serveChild() (asked bool, status int) {
	v, ok := os.LookupEnv(serverEnv)
	if !ok {
		return false, 0
	}
	fields := strings.SplitN(v, " ", 3)
	if len(fields) != 3 {
		fmt.Fprintf(os.Stderr, "table: %s=%q: want KIND SIZE IMPLEMENTATION\n", serverEnv, v)
		return true, 2
	}
	size, err := strconv.Atoi(fields[1])
	var im *impl
	for i := range impls {
		if impls[i].name == fields[2] {
			im = &impls[i]
		}
	}
	if err != nil || im == nil {
		fmt.Fprintf(os.Stderr, "table: %s=%q: no such size or implementation\n", serverEnv, v)
		return true, 2
	}
	ctx := context.Background()
	c := newCloser(ctx)
	defer c.Close()
	ep, err := serve(ctx, c, *im, false, serverKind(fields[0]), size)
	if err != nil {
		fmt.Fprintf(os.Stderr, "table: the %s server of %s: %v\n", fields[0], im.name, err)
		return true, 1
	}
	fmt.Println(ep)
	io.Copy(io.Discard, os.Stdin)
	return true, 0
}
