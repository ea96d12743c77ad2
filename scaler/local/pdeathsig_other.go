//go:build !linux

package local

import "os/exec"

// dieWithParent has no portable equivalent off Linux; children then stop
// when the controller they heartbeat to is gone (their orphan timeout).
func dieWithParent(*exec.Cmd) {}
