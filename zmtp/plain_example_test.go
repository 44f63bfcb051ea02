package zmtp_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
)

// ExamplePlainServer shows a server that checks user names and passwords,
// and what a client with a wrong password sees.
func ExamplePlainServer() {
	rep, _ := zmtp.NewSocket(zmtp.REP, &zmtp.Options{Mechanism: zmtp.PlainServer{
		Authenticate: func(user, pass string, _ net.Addr) (string, error) {
			if user == "admin" && pass == "secret" {
				return user, nil
			}
			return "", errors.New("wrong user name or password")
		},
	}})
	defer rep.Close()
	ep, _ := rep.Bind("tcp://127.0.0.1:0")

	req, _ := zmtp.NewSocket(zmtp.REQ, &zmtp.Options{Mechanism: zmtp.PlainClient{Username: "admin", Password: "guess"}})
	defer req.Close()
	req.Connect(ep)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := req.Send(ctx, []byte("hello"))
	if err == nil {
		_, err = req.Recv(ctx)
	}
	fmt.Println(errors.Is(err, zmtp.ErrAuth))
	var ae *zmtp.AuthError
	if errors.As(err, &ae) {
		fmt.Println(ae)
	}
	// Output:
	// true
	// zmtp: PLAIN authentication failed: server sent ERROR "400"
}
