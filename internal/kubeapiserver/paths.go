package kubeapiserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// DefaultVersion is the kube-apiserver version used when KUBE_VERSION is
// unset; scripts/ensure-kube-apiserver has the same default.
const DefaultVersion = "v1.35.4"

// errMissing is what the lookup errors wrap when a binary is not installed.
var errMissing = errors.New("not installed")

// APIServerPath finds the kube-apiserver binary the way
// scripts/ensure-kube-apiserver caches it: $STAMPEDE_KUBE_APISERVER, else
// ${STAMPEDE_BIN_DIR:-$HOME/.cache/stampede/bin}/kube-apiserver-<version>
// with the version from $KUBE_VERSION (default DefaultVersion).
func APIServerPath() (string, error) {
	if p := os.Getenv("STAMPEDE_KUBE_APISERVER"); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("STAMPEDE_KUBE_APISERVER=%s: %w", p, err)
		}
		return p, nil
	}
	version := os.Getenv("KUBE_VERSION")
	if version == "" {
		version = DefaultVersion
	}
	dir := os.Getenv("STAMPEDE_BIN_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding kube-apiserver: %w (set STAMPEDE_KUBE_APISERVER or STAMPEDE_BIN_DIR)", err)
		}
		dir = filepath.Join(home, ".cache", "stampede", "bin")
	}
	p := filepath.Join(dir, "kube-apiserver-"+version)
	if err := executable(p); err != nil {
		return "", fmt.Errorf("kube-apiserver %s %w at %s: run make deps (scripts/ensure-kube-apiserver builds it once, ~3 min): %w", version, errMissing, p, err)
	}
	return p, nil
}

// EtcdPath finds etcd on PATH, else at /usr/bin/etcd where Debian's
// etcd-server package puts it.
func EtcdPath() (string, error) {
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	const debian = "/usr/bin/etcd"
	if err := executable(debian); err != nil {
		return "", fmt.Errorf("etcd %w (not on PATH nor at %s): run make deps (scripts/ensure-kube-apiserver installs Debian's etcd-server)", errMissing, debian)
	}
	return debian, nil
}

func executable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}
