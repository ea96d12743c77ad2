package scenario

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"text/template"
)

// maxLoremWords bounds lorem, so that a typo cannot build huge bodies.
const maxLoremWords = 10000

// randomFuncs holds the template functions that draw random values. rng is
// the calling user's source, so that a seeded run is reproducible; nil falls
// back to math/rand/v2's global source.
type randomFuncs struct {
	rng *rand.Rand
}

func (f *randomFuncs) funcMap() template.FuncMap {
	return template.FuncMap{
		"lorem":   f.lorem,
		"uuid":    f.uuid,
		"randInt": f.randInt,
		"env":     os.Getenv,
	}
}

func (f *randomFuncs) uint64n(n uint64) uint64 {
	if f.rng == nil {
		return rand.Uint64N(n)
	}
	return f.rng.Uint64N(n)
}

func (f *randomFuncs) uint64() uint64 {
	if f.rng == nil {
		return rand.Uint64()
	}
	return f.rng.Uint64()
}

// lorem returns n random lorem-ipsum words separated by spaces.
func (f *randomFuncs) lorem(n int) (string, error) {
	if n < 0 || n > maxLoremWords {
		return "", fmt.Errorf("lorem %d: want 0 to %d words", n, maxLoremWords)
	}
	var b strings.Builder
	b.Grow(n * 7)
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(loremWords[f.uint64n(uint64(len(loremWords)))])
	}
	return b.String(), nil
}

// uuid returns a random (version 4) UUID built from the random source.
func (f *randomFuncs) uuid() string {
	var u [16]byte
	hi, lo := f.uint64(), f.uint64()
	for i := range 8 {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], u[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], u[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], u[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], u[8:10])
	out[23] = '-'
	hex.Encode(out[24:], u[10:])
	return string(out[:])
}

// randInt returns a random integer in [lo, hi].
func (f *randomFuncs) randInt(lo, hi int) (int, error) {
	if lo > hi {
		return 0, fmt.Errorf("randInt %d %d: min is greater than max", lo, hi)
	}
	span := uint64(hi) - uint64(lo) // the width of the range, wrapping correctly for any ints
	if span == ^uint64(0) {
		return int(f.uint64()), nil
	}
	return lo + int(f.uint64n(span+1)), nil
}

// loremWords is the vocabulary of lorem.
var loremWords = [...]string{
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
	"sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore",
	"magna", "aliqua", "enim", "ad", "minim", "veniam", "quis", "nostrud",
	"exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo",
	"consequat", "duis", "aute", "irure", "in", "reprehenderit", "voluptate",
	"velit", "esse", "cillum", "eu", "fugiat", "nulla", "pariatur", "excepteur",
	"sint", "occaecat", "cupidatat", "non", "proident", "sunt", "culpa", "qui",
	"officia", "deserunt", "mollit", "anim", "id", "est", "laborum",
}
