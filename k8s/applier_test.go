package k8s

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

// fieldManager is who the apply test's server-side applies are recorded as.
const fieldManager = "stampede-chart-test"

// startCluster starts a real etcd and kube-apiserver for the test and stops
// them when it ends. A missing binary fails the test with how to get it.
func startCluster(t *testing.T) *kubeapiserver.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cluster, err := kubeapiserver.Start(ctx, kubeapiserver.Options{Dir: t.TempDir(), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(); err != nil {
			t.Error(err)
		}
	})
	return cluster
}

// warnings records the Warning headers the API server answers with (Pod
// Security admission's, deprecations).
type warnings struct {
	mu   sync.Mutex
	seen []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, text)
}

// take returns the warnings seen since the last take.
func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := w.seen
	w.seen = nil
	return seen
}

// applier applies manifests to the cluster the way `kubectl apply
// --server-side` does (kubeapiserver.Applier), and collects the server's
// warnings.
type applier struct {
	*kubeapiserver.Applier
	typed    kubernetes.Interface
	warnings *warnings
}

func newApplier(t *testing.T, cluster *kubeapiserver.Cluster) *applier {
	t.Helper()
	config := cluster.AdminConfig()
	w := &warnings{}
	config.WarningHandler = w
	typed, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	a, err := kubeapiserver.NewApplier(config, fieldManager)
	if err != nil {
		t.Fatal(err)
	}
	return &applier{Applier: a, typed: typed, warnings: w}
}

// get reads obj back from the server.
func (a *applier) get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	res, err := a.Resource(obj)
	if err != nil {
		return nil, err
	}
	return res.Get(ctx, obj.GetName(), metav1.GetOptions{})
}

// createNamespace creates a namespace that enforces the "restricted" Pod
// Security Standard, as a platform team's would, and warns of any pod
// template that breaks it.
func (a *applier) createNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
	}}}
	_, err := a.typed.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	return err
}

// installCRDs applies every CustomResourceDefinition in dir, waits until
// the API server has established each, and has the mapper discover them.
func (a *applier) installCRDs(ctx context.Context, dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CRDs in %s (%v)", dir, err)
	}
	var names []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		objects, err := kubeapiserver.SplitYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, obj := range objects {
			if _, err := a.Apply(ctx, obj); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			names = append(names, obj.GetName())
		}
	}
	crds := a.Dynamic.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	for _, name := range names {
		if err := waitEstablished(ctx, crds, name); err != nil {
			return nil, err
		}
	}
	a.Mapper.Reset()
	return names, nil
}

// waitEstablished polls the CRD's Established condition, bounded by 30 s.
func waitEstablished(ctx context.Context, crds dynamic.NamespaceableResourceInterface, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		crd, err := crds.Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			for _, c := range conditions {
				if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s not Established within 30s (last error: %v)", name, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// notKept lists the paths of want (a manifest) that got (what the server
// stored) lacks or holds with another value: fields the server dropped or
// changed. Fields only in got (defaults, status, metadata the server adds)
// are fine, and so is an empty string the server leaves out: the API's
// types omit empty strings, which read back as "" all the same (an env
// var's `value: ""` is one).
func notKept(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, the server has %v", path, got)}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var lost []string
		for _, k := range keys {
			gv, ok := g[k]
			if !ok && w[k] == "" {
				continue
			}
			if !ok {
				lost = append(lost, path+"."+k+": dropped by the server")
				continue
			}
			lost = append(lost, notKept(w[k], gv, path+"."+k)...)
		}
		return lost
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, the server has %v", path, len(w), got)}
		}
		var lost []string
		for i := range w {
			lost = append(lost, notKept(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return lost
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %v, the server has %v", path, want, got)}
		}
		return nil
	}
}

// describe names an object for messages: "Deployment stampede-worker".
func describe(obj *unstructured.Unstructured) string {
	return strings.TrimSpace(obj.GetKind() + " " + obj.GetName())
}
