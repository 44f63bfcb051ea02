package wire

import (
	"encoding/json"
	"testing"
)

// BenchmarkJSONStdlibOrder is the reference of BenchmarkTypedDecode:
// encoding/json decoding the same Order from its JSON.
func BenchmarkJSONStdlibOrder(b *testing.B) {
	in, err := json.Marshal(orderValue())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var o Order
		if err := json.Unmarshal(in, &o); err != nil {
			b.Fatal(err)
		}
	}
}
