package kubeapiserver_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

// TestCluster starts one real etcd and kube-apiserver and checks what the
// other packages' tests rely on: the admin client and kubeconfig work, a
// token kubeconfig is checked by the server, a restart keeps the objects
// on the same address, and Stop leaves no process behind.
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cluster, err := kubeapiserver.Start(ctx, kubeapiserver.Options{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := cluster.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if !strings.HasPrefix(cluster.URL, "https://127.0.0.1:") {
		t.Errorf("URL %s is not on 127.0.0.1", cluster.URL)
	}
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	version, err := admin.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if want := kubeapiserver.DefaultVersion; os.Getenv("KUBE_VERSION") == "" && version.GitVersion != want {
		t.Errorf("server version %s, want %s", version.GitVersion, want)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kept", Namespace: "default"}, Data: map[string]string{"k": "v"}}
	if _, err := admin.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	t.Run("admin kubeconfig", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := cluster.AdminKubeconfig(path); err != nil {
			t.Fatal(err)
		}
		cs := clientsetFromKubeconfig(t, path)
		if _, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := cluster.KubeconfigForToken(path, "not-a-token", "default"); err != nil {
			t.Fatal(err)
		}
		_, err := clientsetFromKubeconfig(t, path).CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{})
		if !apierrors.IsUnauthorized(err) {
			t.Errorf("an unknown token got %v, want 401 Unauthorized", err)
		}
	})

	t.Run("restart keeps objects and address", func(t *testing.T) {
		if err := cluster.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{}); err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("with the API server stopped, a get answered %v, want connection refused", err)
		}
		if err := cluster.StartAPIServer(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cluster.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := admin.CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{})
		if err != nil || got.Data["k"] != "v" {
			t.Errorf("after restarts: %v, %v", got.Data, err)
		}
	})

	t.Run("stop ends every process", func(t *testing.T) {
		pids := processesUsing(t, dir)
		if len(pids) != 2 {
			t.Fatalf("processes with %s in their arguments: %v, want etcd and kube-apiserver", dir, pids)
		}
		if err := cluster.Stop(); err != nil {
			t.Fatal(err)
		}
		for _, pid := range pids {
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("pid %d still there after Stop (%v)", pid, err)
			}
		}
		if err := cluster.StartAPIServer(ctx); err == nil {
			t.Error("StartAPIServer after Stop succeeded")
		}
	})
}

func clientsetFromKubeconfig(t *testing.T, path string) kubernetes.Interface {
	t.Helper()
	config, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	// Its own transport: close its idle connections when the test ends.
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// processesUsing lists the pids whose command line mentions dir.
func processesUsing(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}
