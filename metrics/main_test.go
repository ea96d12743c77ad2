package metrics_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/stampedehq/stampede/generator"
	"github.com/stampedehq/stampede/metrics"
)

// *metrics.Recorder is what the generator records into.
var _ generator.Recorder = (*metrics.Recorder)(nil)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
