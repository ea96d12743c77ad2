package metrics

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The geometry of every Histogram: microseconds from 1µs to 1h with two
// significant digits, so a recorded value is off by at most 1% (2^-7 in
// fact). All histograms share it, which keeps Merge exact.
const (
	histLowestMicros  = 1
	histHighestMicros = int64(time.Hour / time.Microsecond)
	histSigFigs       = 2
)

// maxEncodedHistogram bounds the JSON string a histogram is read from: even
// with every one of its 3328 counts in use, a histogram of this geometry
// encodes to about 40 KiB at most.
const maxEncodedHistogram = 1 << 20

// Histogram is a latency distribution that merges without loss of accuracy:
// quantiles of a merged histogram are as accurate as those of one that
// recorded every value. It keeps microseconds from 1µs to 1h with a relative
// error of at most 1% and takes 26 KiB of memory (3328 int64 counts).
//
// Its JSON form is a string: the HdrHistogram V2 compressed encoding in
// base64, about 1 KiB for a typical spread of latencies.
//
// The zero value is an empty histogram. A Histogram is not safe for
// concurrent use.
type Histogram struct {
	h *hdrhistogram.Histogram
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{h: newHDR()}
}

func newHDR() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowestMicros, histHighestMicros, histSigFigs)
}

func (h *Histogram) hdr() *hdrhistogram.Histogram {
	if h.h == nil {
		h.h = newHDR()
	}
	return h.h
}

// Record adds one value. Values below 1µs count as 0 and values beyond an
// hour as an hour.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d / time.Microsecond)
	v = max(0, min(v, histHighestMicros))
	// The only error left is a total count past MaxInt64.
	_ = h.hdr().RecordValue(v)
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.h == nil || o.h.TotalCount() == 0 {
		return
	}
	h.hdr().Merge(o.h)
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	if h == nil || h.h == nil {
		return NewHistogram()
	}
	return &Histogram{h: h.h.Clone()}
}

// Count returns the number of values recorded.
func (h *Histogram) Count() int64 {
	if h == nil || h.h == nil {
		return 0
	}
	return h.h.TotalCount()
}

// Quantile returns the value that a fraction q of the recorded values are
// at or below; q is clamped to [0, 1]. It returns 0 when h is empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	q = max(0, min(q, 1))
	return micros(h.h.ValueAtQuantile(q * 100))
}

// Max returns the largest value recorded, or 0.
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return micros(h.h.Max())
}

// Min returns the smallest value recorded, or 0.
func (h *Histogram) Min() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return micros(h.h.Min())
}

// Mean returns the mean of the values recorded, or 0.
func (h *Histogram) Mean() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Mean() * float64(time.Microsecond))
}

func micros(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// MarshalJSON encodes h as a JSON string holding its HdrHistogram V2
// compressed, base64 encoding.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	return h.marshalJSON(&histogramEncoder{})
}

// marshalJSON is MarshalJSON with an encoder that may be reused.
func (h *Histogram) marshalJSON(enc *histogramEncoder) ([]byte, error) {
	if h == nil {
		return []byte("null"), nil
	}
	hdr := h.h
	if hdr == nil {
		hdr = newHDR()
	}
	encoded, err := enc.encode(hdr)
	if err != nil {
		return nil, fmt.Errorf("encoding latency histogram: %w", err)
	}
	out := make([]byte, 0, len(encoded)+2)
	out = append(out, '"')
	out = append(out, encoded...) // base64 needs no JSON escaping
	return append(out, '"'), nil
}

// UnmarshalJSON decodes what MarshalJSON wrote. It accepts only histograms of
// the geometry NewHistogram makes, so that merges stay exact and a hostile
// header cannot make it allocate more than one histogram's worth.
func (h *Histogram) UnmarshalJSON(data []byte) error {
	if len(data) > maxEncodedHistogram {
		return fmt.Errorf("latency histogram: %d bytes, more than the %d a histogram takes", len(data), maxEncodedHistogram)
	}
	if string(data) == "null" { // as encoding/json does: null changes nothing
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("latency histogram: want a base64 string: %w", err)
	}
	if err := checkEncodedGeometry(s); err != nil {
		return fmt.Errorf("latency histogram: %w", err)
	}
	decoded, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return fmt.Errorf("latency histogram: %w", err)
	}
	h.h = decoded
	return nil
}

// checkEncodedGeometry reads the header of an encoded histogram (before
// hdrhistogram.Decode allocates the counts its header asks for) and checks
// that its geometry is ours.
func checkEncodedGeometry(s string) error {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("not base64: %w", err)
	}
	// Outer header: cookie, length of the zlib stream (int32s, big endian).
	if len(raw) < 8 {
		return errors.New("encoding too short")
	}
	n := int32(binary.BigEndian.Uint32(raw[4:8]))
	if n < 0 || int(n) > len(raw)-8 {
		return fmt.Errorf("compressed length %d out of range", n)
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8 : 8+int(n)]))
	if err != nil {
		return fmt.Errorf("not zlib compressed: %w", err)
	}
	defer func() { _ = z.Close() }()
	// Inner header: cookie, payload length, normalizing offset, significant
	// digits (int32s), lowest and highest trackable values (int64s).
	var hdr [32]byte
	if _, err := io.ReadFull(z, hdr[:]); err != nil {
		return fmt.Errorf("header truncated: %w", err)
	}
	digits := int32(binary.BigEndian.Uint32(hdr[12:16]))
	lowest := int64(binary.BigEndian.Uint64(hdr[16:24]))
	highest := int64(binary.BigEndian.Uint64(hdr[24:32]))
	if digits != histSigFigs || lowest > histLowestMicros || highest != histHighestMicros {
		return fmt.Errorf("range %d..%dµs at %d digits, want %d..%dµs at %d digits",
			lowest, highest, digits, histLowestMicros, histHighestMicros, histSigFigs)
	}
	return nil
}
