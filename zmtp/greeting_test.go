package zmtp

import (
	"errors"
	"testing"
)

func greetingBytes(major, minor byte, mech string, mutate func(b []byte)) []byte {
	b := AppendGreeting(nil, mech, false)
	b[10], b[11] = major, minor
	if mutate != nil {
		mutate(b)
	}
	return b
}

func TestAppendGreeting(t *testing.T) {
	got := AppendGreeting(nil, "NULL", true)
	want := []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 1, 'N', 'U', 'L', 'L'}
	if len(got) != GreetingSize {
		t.Fatalf("len = %d, want %d", len(got), GreetingSize)
	}
	if string(got[:16]) != string(want) {
		t.Errorf("greeting starts % x, want % x", got[:16], want)
	}
	for i := 16; i < GreetingSize; i++ {
		if want := byte(0); i == 32 {
			if got[i] != 1 {
				t.Errorf("as-server byte = %d, want 1", got[i])
			}
		} else if got[i] != want {
			t.Errorf("byte %d = %d, want 0", i, got[i])
		}
	}
}

func TestParseGreeting(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    Greeting
		wantErr error
	}{
		{"3.1", greetingBytes(3, 1, "NULL", nil), Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}, nil},
		{"3.0", greetingBytes(3, 0, "PLAIN", nil), Greeting{Major: 3, Minor: 0, Mechanism: "PLAIN"}, nil},
		{"3.7 kept", greetingBytes(3, 7, "NULL", nil), Greeting{Major: 3, Minor: 7, Mechanism: "NULL"}, nil},
		{"4.2 as 3.1", greetingBytes(4, 2, "NULL", nil), Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}, nil},
		{"padding not checked", greetingBytes(3, 1, "NULL", func(b []byte) {
			copy(b[1:9], []byte{0, 0, 0, 0, 0, 0, 0, 9}) // libzmq puts routing-id length+1 here
		}), Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}, nil},
		{"as-server any value", greetingBytes(3, 1, "CURVE", func(b []byte) { b[32] = 7 }),
			Greeting{Major: 3, Minor: 1, Mechanism: "CURVE", AsServer: true}, nil},
		{"filler not checked", greetingBytes(3, 1, "NULL", func(b []byte) { b[40] = 0xAA }),
			Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}, nil},
		{"2.0", greetingBytes(1, 0, "NULL", nil), Greeting{}, ErrVersion},
		{"revision 0", greetingBytes(0, 0, "NULL", nil), Greeting{}, ErrVersion},
		{"revision 2", greetingBytes(2, 0, "NULL", nil), Greeting{}, ErrVersion},
		{"1.0 no signature", greetingBytes(3, 1, "NULL", func(b []byte) { b[0] = 0x05 }), Greeting{}, ErrVersion},
		{"1.0 no 0x7f bit", greetingBytes(3, 1, "NULL", func(b []byte) { b[9] = 0x7E }), Greeting{}, ErrVersion},
		{"short", greetingBytes(3, 1, "NULL", nil)[:63], Greeting{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGreeting(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseGreeting() error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseGreeting() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseGreetingVersionMessage(t *testing.T) {
	_, err := ParseGreeting(greetingBytes(1, 0, "NULL", nil))
	if got, want := err.Error(), "zmtp: greeting: peer speaks ZMTP 2.0: a ZMTP 3 greeting was expected"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Op != "greeting" {
		t.Errorf("error %v is not a *ProtocolError for the greeting", err)
	}
}
