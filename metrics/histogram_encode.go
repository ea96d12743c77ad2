package metrics

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The cookies of the HdrHistogram V2 encoding, as hdrhistogram writes them.
const (
	v2CompressedCookie = hdrhistogram.V2CompressedEncodingCookieBase | 0x10
	v2Cookie           = hdrhistogram.V2EncodingCookieBase | 0x10
)

// histogramEncoder writes the HdrHistogram V2 compressed encoding in base64,
// byte for byte what hdrhistogram's Encode writes, but reuses its zlib writer
// and buffers from one histogram to the next. Encode makes a new zlib writer
// (about 800 KB of tables) per histogram, so that a snapshot of 200
// endpoints allocated 170 MB on every heartbeat.
type histogramEncoder struct {
	zw      *zlib.Writer
	inner   bytes.Buffer // header and counts, to be compressed
	outer   bytes.Buffer // cookie, length and the compressed inner
	payload []byte
}

// encode returns h's encoding; the slice is h's own.
func (e *histogramEncoder) encode(h *hdrhistogram.Histogram) ([]byte, error) {
	snap := h.Export()
	ratio := snap.IntegerToDoubleConversionRatio
	if ratio == 0 {
		ratio = 1
	}

	// Counts up to the last one in use (at least one), each a zig-zag
	// LEB128 number, with a run of zeros written as minus its length.
	last := 0
	for i, c := range snap.Counts {
		if c != 0 {
			last = i
		}
	}
	e.payload = e.payload[:0]
	counts := snap.Counts[:last+1]
	for i := 0; i < len(counts); {
		c := counts[i]
		i++
		if c == 0 {
			zeros := int64(1)
			for i < len(counts) && counts[i] == 0 {
				zeros++
				i++
			}
			if zeros > 1 {
				c = -zeros
			}
		}
		e.payload = appendZigZag(e.payload, c)
	}

	e.inner.Reset()
	header := []any{
		int32(v2Cookie), int32(len(e.payload)), int32(0), // no normalizing index offset
		int32(snap.SignificantFigures), snap.LowestTrackableValue, snap.HighestTrackableValue, ratio,
	}
	for _, v := range header {
		// Writes into a bytes.Buffer of fixed-size values cannot fail.
		_ = binary.Write(&e.inner, binary.BigEndian, v)
	}
	e.inner.Write(e.payload)

	var compressed bytes.Buffer
	if e.zw == nil {
		var err error
		if e.zw, err = zlib.NewWriterLevel(&compressed, zlib.BestCompression); err != nil {
			return nil, err
		}
	} else {
		e.zw.Reset(&compressed)
	}
	if _, err := e.zw.Write(e.inner.Bytes()); err != nil {
		return nil, err
	}
	if err := e.zw.Close(); err != nil {
		return nil, err
	}

	e.outer.Reset()
	_ = binary.Write(&e.outer, binary.BigEndian, int32(v2CompressedCookie))
	_ = binary.Write(&e.outer, binary.BigEndian, int32(compressed.Len()))
	e.outer.Write(compressed.Bytes())
	out := make([]byte, base64.StdEncoding.EncodedLen(e.outer.Len()))
	base64.StdEncoding.Encode(out, e.outer.Bytes())
	return out, nil
}

// appendZigZag appends v zig-zag encoded as LEB128 in at most 9 bytes, the
// ninth holding 8 bits, as HdrHistogram's V2 encoding has it.
func appendZigZag(dst []byte, v int64) []byte {
	u := uint64((v << 1) ^ (v >> 63))
	for range 8 {
		if u>>7 == 0 {
			return append(dst, byte(u))
		}
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}
