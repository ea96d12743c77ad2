package test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
	kubescaler "github.com/stampedehq/stampede/scaler/kubernetes"
)

// What k8s/manifests/stampede.yaml (the chart's defaults, rendered for
// `kubectl apply -f`) installs, and where.
const (
	kubeManifests      = "../k8s/manifests/stampede.yaml"
	kubeNamespace      = "stampede"
	kubeServiceAccount = "stampede-controller"
	kubeRole           = "stampede-controller"
	kubeWorkers        = "stampede-worker"
	kubeStateConfigMap = "stampede-state"
	kubeTokenSecret    = "stampede-api-token"
)

// kubeEnv is a real API server with the manifests applied, and the
// controller's service account's kubeconfig.
type kubeEnv struct {
	cluster    *kubeapiserver.Cluster
	admin      kubernetes.Interface
	applier    *kubeapiserver.Applier
	kubeconfig string // the service account's, from the TokenRequest API
	manifests  []*unstructured.Unstructured
}

// newKubeEnv starts the API server, creates the namespace and the token
// Secret the manifests' header says to create, applies the manifests and
// writes a kubeconfig for the chart's service account.
func newKubeEnv(t *testing.T, ctx context.Context) *kubeEnv {
	t.Helper()
	cluster, err := kubeapiserver.Start(ctx, kubeapiserver.Options{Dir: t.TempDir(), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(); err != nil {
			t.Error(err)
		}
	})
	config := cluster.AdminConfig()
	k := &kubeEnv{cluster: cluster}
	if k.admin, err = kubernetes.NewForConfig(config); err != nil {
		t.Fatal(err)
	}
	if k.applier, err = kubeapiserver.NewApplier(config, "stampede-e2e"); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile(kubeManifests)
	if err != nil {
		t.Fatal(err)
	}
	if k.manifests, err = kubeapiserver.SplitYAML(data); err != nil {
		t.Fatalf("%s: %v", kubeManifests, err)
	}
	setup, err := kubeapiserver.SplitYAML([]byte(`apiVersion: v1
kind: Namespace
metadata: {name: ` + kubeNamespace + `}
---
apiVersion: v1
kind: Secret
metadata: {name: ` + kubeTokenSecret + `, namespace: ` + kubeNamespace + `}
stringData: {token: test-api-token}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range append(setup, k.manifests...) {
		if err := k.apply(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	k.kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	token, err := k.admin.CoreV1().ServiceAccounts(kubeNamespace).CreateToken(ctx, kubeServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: kubePtr(int64(3600))}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s: %v", kubeServiceAccount, err)
	}
	if err := cluster.KubeconfigForToken(k.kubeconfig, token.Status.Token, kubeNamespace); err != nil {
		t.Fatal(err)
	}
	return k
}

func kubePtr[T any](v T) *T { return &v }

// apply server-side applies obj as the admin, taking over any field
// another manager set (kubectl apply --server-side --force-conflicts).
func (k *kubeEnv) apply(ctx context.Context, obj *unstructured.Unstructured) error {
	_, err := k.applier.Apply(ctx, obj)
	return err
}

// reapply applies the manifests' object of kind again (after a test
// changed or deleted it).
func (k *kubeEnv) reapply(t *testing.T, ctx context.Context, kind string) {
	t.Helper()
	for _, obj := range k.manifests {
		if obj.GetKind() == kind {
			if err := k.apply(ctx, obj.DeepCopy()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// replicas is the workers' Deployment's spec.replicas as the server has it.
func (k *kubeEnv) replicas(t *testing.T, ctx context.Context) int {
	t.Helper()
	d, err := k.admin.AppsV1().Deployments(kubeNamespace).Get(ctx, kubeWorkers, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Replicas == nil {
		t.Fatalf("deployment %s has no spec.replicas", kubeWorkers)
	}
	return int(*d.Spec.Replicas)
}

// allowed asks the server (SubjectAccessReview) whether the chart's
// service account may do verb on the resource.
func (k *kubeEnv) allowed(t *testing.T, ctx context.Context, attrs authorizationv1.ResourceAttributes) (bool, string) {
	t.Helper()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               "system:serviceaccount:" + kubeNamespace + ":" + kubeServiceAccount,
		Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + kubeNamespace, "system:authenticated"},
		ResourceAttributes: &attrs,
	}}
	got, err := k.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got.Status.Allowed, got.Status.Reason
}

// kubeStatus is the part of GET /api/v1/status these tests read.
type kubeStatus struct {
	Run *struct {
		ID    string `json:"id"`
		State string `json:"state"`
		Users int    `json:"users"`
	} `json:"run"`
	Workers struct {
		Desired     int    `json:"desired"`
		Ready       int    `json:"ready"`
		ScalerError string `json:"scaler_error"`
	} `json:"workers"`
}

func kubeStatusOf(t *testing.T, ctl string) kubeStatus {
	t.Helper()
	var s kubeStatus
	if code := call(t, http.MethodGet, ctl+"/api/v1/status", nil, &s); code != http.StatusOK {
		t.Fatalf("GET /api/v1/status: %d", code)
	}
	return s
}

// kubeAPIError is the controller's error body.
type kubeAPIError struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// kubeScale asks the controller for n workers and returns the status code
// and, on an error, its body.
func kubeScale(t *testing.T, ctl string, n int) (int, kubeAPIError) {
	t.Helper()
	var e kubeAPIError
	code := call(t, http.MethodPut, ctl+"/api/v1/workers/scale", map[string]int{"replicas": n}, &e)
	return code, e
}

// startKubeController runs `stampede controller --scaler kubernetes` with
// the service account's kubeconfig and the chart's names.
func startKubeController(t *testing.T, k *kubeEnv, extra ...string) (*proc, string) {
	t.Helper()
	args := append([]string{"--scaler", "kubernetes", "--kubeconfig", k.kubeconfig, "--namespace", kubeNamespace,
		"--workers-name", kubeWorkers, "--state-configmap", kubeStateConfigMap}, fastLeases...)
	return startController(t, append(args, extra...)...)
}

// kubeContainsAll reports whether s contains every one of subs.
func kubeContainsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// kubeWithin bounds a subtest's API calls.
func kubeWithin(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func namespaceObject(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// annotateDeployment and annotateConfigMap update the workers' Deployment
// and the state ConfigMap as the admin, as another tool would.
func annotateDeployment(ctx context.Context, k *kubeEnv, i int) error {
	d, err := k.admin.AppsV1().Deployments(kubeNamespace).Get(ctx, kubeWorkers, metav1.GetOptions{})
	if err != nil {
		return err
	}
	metav1.SetMetaDataAnnotation(&d.ObjectMeta, "test.stampede.dev/edit", strconv.Itoa(i))
	_, err = k.admin.AppsV1().Deployments(kubeNamespace).Update(ctx, d, metav1.UpdateOptions{})
	return err
}

func annotateConfigMap(ctx context.Context, k *kubeEnv, i int) error {
	cm, err := k.admin.CoreV1().ConfigMaps(kubeNamespace).Get(ctx, kubeStateConfigMap, metav1.GetOptions{})
	if err != nil {
		return err
	}
	metav1.SetMetaDataAnnotation(&cm.ObjectMeta, "test.stampede.dev/edit", strconv.Itoa(i))
	_, err = k.admin.CoreV1().ConfigMaps(kubeNamespace).Update(ctx, cm, metav1.UpdateOptions{})
	return err
}

// kubeSavedState is the part of the controller's state (in the state
// ConfigMap's StateKey) these tests read.
type kubeSavedState struct {
	Replicas *int `json:"replicas"`
	Run      *struct {
		ID    string `json:"id"`
		Users int    `json:"users"`
	} `json:"run"`
}

// savedState reads the state ConfigMap as the admin; false when it is
// missing or does not decode.
func (k *kubeEnv) savedState(ctx context.Context) (kubeSavedState, bool) {
	var saved kubeSavedState
	cm, err := k.admin.CoreV1().ConfigMaps(kubeNamespace).Get(ctx, kubeStateConfigMap, metav1.GetOptions{})
	if err != nil {
		return saved, false
	}
	return saved, json.Unmarshal([]byte(cm.Data[kubescaler.StateKey]), &saved) == nil
}
