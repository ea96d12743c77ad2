package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/client-go/kubernetes/scheme"
)

// fakeAPIServer serves the little of the Kubernetes API the scaler uses: a
// Deployment and its scale subresource, and records the replicas set.
type fakeAPIServer struct {
	mu       sync.Mutex
	replicas int
	puts     []int
}

func (f *fakeAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	const base = "/apis/apps/v1/namespaces/load/deployments/stampede-worker"
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == base+"/scale" && r.Method == http.MethodGet:
		fmt.Fprintf(w, `{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"stampede-worker","namespace":"load","resourceVersion":"%d"},"spec":{"replicas":%d},"status":{"replicas":%d}}`, len(f.puts)+1, f.replicas, f.replicas)
	case r.URL.Path == base+"/scale" && r.Method == http.MethodPut:
		// client-go sends protobuf (or JSON); its own codecs read either.
		body, _ := io.ReadAll(r.Body)
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
		scale, ok := obj.(*autoscalingv1.Scale)
		if err != nil || !ok {
			http.Error(w, fmt.Sprintf("not a Scale: %v", err), http.StatusBadRequest)
			return
		}
		f.replicas = int(scale.Spec.Replicas)
		f.puts = append(f.puts, f.replicas)
		scale.APIVersion, scale.Kind = "autoscaling/v1", "Scale"
		_ = json.NewEncoder(w).Encode(scale)
	case r.URL.Path == base && r.Method == http.MethodGet:
		fmt.Fprintf(w, `{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"stampede-worker","namespace":"load"},"spec":{"replicas":%d},"status":{"readyReplicas":%d}}`, f.replicas, f.replicas)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"%s %s not served by the fake"}`, r.Method, r.URL.Path)
	}
}

func TestControllerRescalesAKubernetesDeployment(t *testing.T) {
	fake := &fakeAPIServer{replicas: 2}
	apiServer := httptest.NewServer(fake)
	defer apiServer.Close()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: %q}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: fake, user: u, namespace: load}}]
current-context: c
`, apiServer.URL)
	if err := os.WriteFile(kubeconfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runToEnd(t, 30*time.Second, nil, "controller", "--scaler", "kubernetes", "--kubeconfig", kubeconfig)
	if code != 2 || !strings.Contains(stderr, "STAMPEDE_WORKERS_NAME") {
		t.Errorf("no workers name: exit %d, %s", code, stderr)
	}

	_, ctl := startController(t, "--scaler", "kubernetes", "--kubeconfig", kubeconfig, "--workers-name", "stampede-worker")
	for _, n := range []int{4, 1, 3} {
		if code := call(t, http.MethodPut, ctl+"/api/v1/workers/scale", map[string]int{"replicas": n}, nil); code != http.StatusOK {
			t.Fatalf("scale to %d: %d", n, code)
		}
		var status struct {
			Workers struct {
				Desired int `json:"desired"`
				Ready   int `json:"ready"`
			} `json:"workers"`
		}
		call(t, http.MethodGet, ctl+"/api/v1/status", nil, &status)
		if status.Workers.Desired != n || status.Workers.Ready != n {
			t.Errorf("after scaling to %d: status desired %d ready %d", n, status.Workers.Desired, status.Workers.Ready)
		}
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if got := fmt.Sprint(fake.puts); got != "[4 1 3]" {
		t.Errorf("the API server saw replicas %s, want [4 1 3]", got)
	}
}
