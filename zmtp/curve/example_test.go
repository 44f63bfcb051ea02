package curve_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/xbahn-go/xbahn/zmtp"
	"github.com/xbahn-go/xbahn/zmtp/curve"
)

func ExampleAppendZ85() {
	text, _ := curve.AppendZ85(nil, []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B})
	fmt.Println(string(text))
	raw, _ := curve.DecodeZ85("HelloWorld")
	fmt.Printf("% X\n", raw)
	// Output:
	// HelloWorld
	// 86 4F D2 6F B5 59 F7 5B
}

func ExampleParseKey() {
	secret, err := curve.ParseKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
	if err != nil {
		fmt.Println(err)
		return
	}
	public, _ := curve.PublicKey(secret)
	fmt.Println(public)
	_, err = curve.ParseKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c ")
	fmt.Println(err)
	// Output:
	// Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID
	// curve: invalid Z85 character " " at offset 39
}

// Example shows a REQ client and a REP server that talk over CURVE and the
// server's choice of clients.
func Example() {
	serverPub, serverSec, _ := curve.NewKeyPair()
	clientPub, clientSec, _ := curve.NewKeyPair()

	rep, _ := zmtp.NewSocket(zmtp.REP, &zmtp.Options{Mechanism: curve.Server{
		PublicKey: serverPub,
		SecretKey: serverSec,
		Authorize: func(client curve.Key, _ net.Addr) (string, error) {
			if client != clientPub {
				return "", fmt.Errorf("unknown client %s", client)
			}
			return "client-1", nil
		},
	}})
	defer rep.Close()
	ep, _ := rep.Bind("tcp://127.0.0.1:0")

	req, _ := zmtp.NewSocket(zmtp.REQ, &zmtp.Options{Mechanism: curve.Client{
		ServerKey: serverPub,
		PublicKey: clientPub,
		SecretKey: clientSec,
	}})
	defer req.Close()
	req.Connect(ep)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req.Send(ctx, []byte("hello"))
	msg, _ := rep.Recv(ctx)
	fmt.Printf("server got %s\n", msg[0])
	rep.Send(ctx, []byte("world"))
	msg, _ = req.Recv(ctx)
	fmt.Printf("client got %s\n", msg[0])
	// Output:
	// server got hello
	// client got world
}
