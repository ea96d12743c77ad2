//go:build !linux

package local

import (
	"os/exec"
	"syscall"
)

// detach puts the child in its own process group (see the Linux version);
// off Linux there is no parent-death signal, so children stop when the
// controller they heartbeat to is gone (their orphan timeout).
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
