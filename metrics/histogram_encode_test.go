package metrics

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// TestEncoderMatchesHDR checks that histogramEncoder writes exactly what
// hdrhistogram's Encode writes, so that any HdrHistogram V2 reader reads it.
func TestEncoderMatchesHDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	spread := newHDR()
	for range 5000 {
		_ = spread.RecordValue(int64(rng.Uint64N(uint64(histHighestMicros))))
	}
	huge := newHDR() // counts needing all nine bytes
	_ = huge.RecordValues(1000, 1<<58)
	_ = huge.RecordValues(5, 3)
	other := hdrhistogram.New(1, 10_000, 3) // the encoder is not tied to our geometry
	_ = other.RecordValues(42, 7)

	var enc histogramEncoder // reused across cases, as Snapshot does
	for _, tt := range []struct {
		name string
		h    *hdrhistogram.Histogram
	}{
		{"empty", newHDR()},
		{"zero", func() *hdrhistogram.Histogram { h := newHDR(); _ = h.RecordValue(0); return h }()},
		{"an hour", func() *hdrhistogram.Histogram { h := newHDR(); _ = h.RecordValue(histHighestMicros); return h }()},
		{"spread", spread},
		{"huge counts", huge},
		{"other geometry", other},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, err := tt.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc.encode(tt.h)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding differs from hdrhistogram's:\n got %s\nwant %s", got, want)
			}
			back, err := hdrhistogram.Decode(got)
			if err != nil || !back.Equals(tt.h) {
				t.Errorf("decodes to a different histogram (err %v)", err)
			}
		})
	}
}

func TestMarshalNilAndZeroHistogram(t *testing.T) {
	s := Snapshot{
		Endpoints: []EndpointStats{{Name: "a", Method: "GET"}, {Name: "b", Method: "GET", Latency: &Histogram{}}},
		Tasks:     []TaskStats{{Name: "t"}},
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	if back.Endpoints[0].Latency != nil || back.Endpoints[1].Latency.Count() != 0 || back.Tasks[0].Duration != nil {
		t.Errorf("round trip of nil and empty histograms: %s", data)
	}
}
