// Command engineer is the engineer command line of package
// github.com/xbahn-go/xbahn/engineer with CURVE support, which needs
// golang.org/x/crypto and so lives in this module:
//
//	go run ./cmd/engineer --curve-server-key KEY zmq://HOST:PORT/req --help
package main

import (
	"context"
	"os"

	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/zmtp"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

func main() {
	os.Exit(engineer.Main(context.Background(), os.Args[1:], engineer.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Curve: client,
	}))
}

// client makes a CURVE client from Z85 keys: with a new key pair when
// none is given, and with the public key worked out from the secret one
// when only that is.
func client(server, public, secret string) (zmtp.Mechanism, error) {
	var c curve.Client
	var err error
	if c.ServerKey, err = curve.ParseKey(server); err != nil {
		return nil, err
	}
	if public == "" && secret == "" {
		c.PublicKey, c.SecretKey, err = curve.NewKeyPair()
		return c, err
	}
	if public != "" {
		if c.PublicKey, err = curve.ParseKey(public); err != nil {
			return nil, err
		}
	}
	if c.SecretKey, err = curve.ParseKey(secret); err != nil {
		return nil, err
	}
	return c, nil
}
