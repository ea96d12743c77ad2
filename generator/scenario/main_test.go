package scenario

import (
	"errors"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newRand is a seeded source, so that tests are reproducible.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
