package worker

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
)

// DefaultID is the worker's id when none is configured: the pod name from
// the downward API (POD_NAME) on Kubernetes, else host-pid-random.
func DefaultID() string {
	if pod := os.Getenv("POD_NAME"); pod != "" {
		return pod
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
