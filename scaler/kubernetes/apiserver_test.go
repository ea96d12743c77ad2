package kubernetes_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// fakeAPIServer answers the scale subresource and the Deployment the way
// the Kubernetes API server does, so that New's real client, and the
// decoding of the server's error Status, are tested too.
type fakeAPIServer struct {
	mu        sync.Mutex
	replicas  int
	conflicts int  // answer this many PUTs 409 first
	forbidden bool // answer PUTs 403
	requests  []string
	// putVersions are the resourceVersions the scale PUTs carried.
	putVersions []string
}

const scalePath = "/apis/apps/v1/namespaces/load/deployments/stampede-worker/scale"

func (f *fakeAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == scalePath:
		f.writeScale(w)
	case r.Method == http.MethodPut && r.URL.Path == scalePath && f.forbidden:
		writeStatus(w, http.StatusForbidden, "Forbidden",
			`deployments.apps \"stampede-worker\" is forbidden: User \"system:serviceaccount:load:stampede-controller\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"load\"`)
	case r.Method == http.MethodPut && r.URL.Path == scalePath && f.conflicts > 0:
		f.conflicts--
		writeStatus(w, http.StatusConflict, "Conflict",
			`Operation cannot be fulfilled on deployments.apps \"stampede-worker\": the object has been modified; please apply your changes to the latest version and try again`)
	case r.Method == http.MethodPut && r.URL.Path == scalePath:
		// client-go sends protobuf or JSON; the scheme's decoder reads both.
		data, _ := io.ReadAll(r.Body)
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
		scale, ok := obj.(*autoscalingv1.Scale)
		if err != nil || !ok {
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("not a Scale (%T): %v", obj, err))
			return
		}
		f.replicas = int(scale.Spec.Replicas)
		f.putVersions = append(f.putVersions, scale.ResourceVersion)
		f.writeScale(w)
	case r.Method == http.MethodGet && r.URL.Path == "/apis/apps/v1/namespaces/load/deployments/stampede-worker":
		fmt.Fprintf(w, `{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"stampede-worker","namespace":"load"},"spec":{"replicas":%d},"status":{"readyReplicas":1}}`, f.replicas)
	default:
		writeStatus(w, http.StatusNotFound, "NotFound", `deployments.apps \"stampede-worker\" not found`)
	}
}

func (f *fakeAPIServer) writeScale(w http.ResponseWriter) {
	fmt.Fprintf(w, `{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"stampede-worker","namespace":"load","resourceVersion":"7"},"spec":{"replicas":%d},"status":{"replicas":%d}}`, f.replicas, f.replicas)
}

func writeStatus(w http.ResponseWriter, code int, reason, message string) {
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"%s","reason":"%s","details":{"name":"stampede-worker","group":"apps","kind":"deployments"},"code":%d}`, message, reason, code)
}

// newServerScaler starts api on 127.0.0.1 and returns a Scaler from New
// with a kubeconfig pointing at it.
func newServerScaler(t *testing.T, api *fakeAPIServer, kind string) *kubernetes.Scaler {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	config := strings.ReplaceAll(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "URL"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: load}}]
current-context: c
`, "URL", srv.URL)
	if err := os.WriteFile(kubeconfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := kubernetes.New(kubernetes.Options{Kubeconfig: kubeconfig, Kind: kind, Name: "stampede-worker"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAgainstAPIServer(t *testing.T) {
	tests := []struct {
		name     string
		api      *fakeAPIServer
		kind     string
		err      string
		is       func(error) bool
		replicas int // on the server afterwards
		requests int
	}{
		{name: "scale", api: &fakeAPIServer{replicas: 2}, replicas: 5, requests: 2},
		{name: "conflict then success", api: &fakeAPIServer{replicas: 2, conflicts: 2}, replicas: 5, requests: 6},
		{
			name: "forbidden", api: &fakeAPIServer{replicas: 2, forbidden: true}, replicas: 2, requests: 2, is: apierrors.IsForbidden,
			err: `forbidden: cannot update deployments/scale in namespace "load" (grant the controller's Role: update on deployments/scale): deployments.apps "stampede-worker" is forbidden: User "system:serviceaccount:load:stampede-controller"`,
		},
		{
			name: "not found", api: &fakeAPIServer{}, kind: "StatefulSet", requests: 1, is: apierrors.IsNotFound,
			err: "statefulset load/stampede-worker not found: check STAMPEDE_WORKERS_NAME and STAMPEDE_WORKERS_KIND",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServerScaler(t, tt.api, tt.kind)
			err := s.Scale(t.Context(), 5)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Scale(5) = %v, want an error containing %q", err, tt.err)
				}
				if !tt.is(err) {
					t.Errorf("Scale(5) = %v: wrong kind of error", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			tt.api.mu.Lock()
			replicas, requests, putVersions := tt.api.replicas, tt.api.requests, tt.api.putVersions
			tt.api.mu.Unlock()
			for _, v := range putVersions {
				if v != "" {
					t.Errorf("a scale update carried resourceVersion %q: an edit since the read would refuse it", v)
				}
			}
			if replicas != tt.replicas {
				t.Errorf("server has %d replicas, want %d", replicas, tt.replicas)
			}
			if len(requests) != tt.requests {
				t.Errorf("%d requests, want %d: %v", len(requests), tt.requests, requests)
			}
		})
	}
}

func TestReplicasAgainstAPIServer(t *testing.T) {
	s := newServerScaler(t, &fakeAPIServer{replicas: 3}, "Deployment")
	desired, ready, err := s.Replicas(t.Context())
	if err != nil || desired != 3 || ready != 1 {
		t.Fatalf("Replicas() = %d, %d, %v; want 3, 1", desired, ready, err)
	}
}
