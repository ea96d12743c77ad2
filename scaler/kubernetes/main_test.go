package kubernetes_test

import (
	"testing"

	"go.uber.org/goleak"
)

// klog (imported by client-go's rest package) starts its flush daemon in
// its init and never stops it; it is the one goroutine ignored here.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("k8s.io/klog/v2.(*flushDaemon).run.func1"))
}
