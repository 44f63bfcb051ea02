// Command engineer talks to xbahn servers from the command line.
//
// For now it offers one command, demo, which starts a REP echo server and a
// REQ client on loopback in this process and prints their exchange:
//
//	go run ./cmd/engineer demo
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "demo" {
		fmt.Fprintln(stderr, "usage: engineer demo")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := demo(ctx, stdout); err != nil {
		fmt.Fprintln(stderr, "engineer:", err)
		return 1
	}
	return 0
}

// demo runs a REP echo server and a REQ client over loopback TCP.
func demo(ctx context.Context, out io.Writer) error {
	server, err := zmtp.NewSocket(zmtp.REP, nil)
	if err != nil {
		return err
	}
	defer server.Close()
	endpoint, err := server.Bind("tcp://127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "REP server listening on", endpoint)

	served := make(chan error, 1)
	go func() {
		for {
			req, err := server.Recv(ctx)
			if err != nil {
				served <- err
				return
			}
			fmt.Fprintf(out, "server: got %q\n", req)
			if err := server.Send(ctx, append([][]byte{[]byte("echo")}, req...)...); err != nil {
				served <- err
				return
			}
		}
	}()

	client, err := zmtp.NewSocket(zmtp.REQ, nil)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.Connect(endpoint); err != nil {
		return err
	}
	for _, msg := range []string{"hello", "xbahn", "ZMTP 3.1"} {
		fmt.Fprintf(out, "client: send %q\n", msg)
		if err := client.Send(ctx, []byte(msg)); err != nil {
			return err
		}
		reply, err := client.Recv(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "client: reply %q\n", reply)
	}
	select {
	case err := <-served:
		return err
	default:
		return nil
	}
}
