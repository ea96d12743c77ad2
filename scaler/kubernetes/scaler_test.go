package kubernetes_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/scaler/kubernetes"
)

func newScaler(t *testing.T, cs *fake.Clientset, kind string) *kubernetes.Scaler {
	t.Helper()
	s, err := kubernetes.NewWithClient(cs, kubernetes.Options{Namespace: testNamespace, Kind: kind, Name: testWorkers})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScale(t *testing.T) {
	tests := []struct {
		name      string
		kind      string
		objs      []runtime.Object
		setup     func(*fake.Clientset)
		replicas  int
		want      int32  // spec.replicas afterwards, when err is ""
		err       string // in the error; "" for none
		is        func(error) bool
		updates   int // update calls on the scale subresource
		noActions bool
	}{
		{name: "up", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)}, replicas: 5, want: 5, updates: 1},
		{name: "down", kind: "Deployment", objs: []runtime.Object{testDeployment(5, 5)}, replicas: 1, want: 1, updates: 1},
		{name: "to zero", kind: "Deployment", objs: []runtime.Object{testDeployment(3, 3)}, replicas: 0, want: 0, updates: 1},
		{name: "unchanged sends no update", kind: "Deployment", objs: []runtime.Object{testDeployment(3, 3)}, replicas: 3, want: 3, updates: 0},
		{name: "statefulset up", kind: "StatefulSet", objs: []runtime.Object{testStatefulSet(1, 1)}, replicas: 4, want: 4, updates: 1},
		{name: "short kind name", kind: "sts", objs: []runtime.Object{testStatefulSet(4, 4)}, replicas: 2, want: 2, updates: 1},
		{
			name: "conflict then success", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "update", "deployments", "scale", 2, conflict)
			},
			replicas: 6, want: 6, updates: 3,
		},
		{
			name: "conflict every time gives up", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "update", "deployments", "scale", -1, conflict)
			},
			replicas: 6, err: "update deployment load/stampede-worker", is: apierrors.IsConflict, updates: 5,
		},
		{
			name: "not found", kind: "Deployment", replicas: 3,
			err: "deployment load/stampede-worker not found: check STAMPEDE_WORKERS_NAME", is: apierrors.IsNotFound,
		},
		{
			name: "statefulset not found", kind: "StatefulSet", objs: []runtime.Object{testDeployment(1, 1)}, replicas: 3,
			err: "statefulset load/stampede-worker not found: check STAMPEDE_WORKERS_NAME and STAMPEDE_WORKERS_KIND", is: apierrors.IsNotFound,
		},
		{
			name: "forbidden update", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "update", "deployments", "scale", -1, forbidden)
			},
			replicas: 3, updates: 1, is: apierrors.IsForbidden,
			err: `forbidden: cannot update deployments/scale in namespace "load" (grant the controller's Role: update on deployments/scale)`,
		},
		{
			name: "forbidden get", kind: "StatefulSet", objs: []runtime.Object{testStatefulSet(2, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "get", "statefulsets", "scale", -1, forbidden)
			},
			replicas: 3, is: apierrors.IsForbidden,
			err: `forbidden: cannot get statefulsets/scale in namespace "load" (grant the controller's Role: get on statefulsets/scale)`,
		},
		{
			name: "server error", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "update", "deployments", "scale", -1, internalError)
			},
			replicas: 3, updates: 1, err: "update deployment load/stampede-worker: Internal error occurred: etcd is down",
		},
		{
			name: "daemonset refused", kind: "DaemonSet", objs: []runtime.Object{testDaemonSet(3, 3)}, replicas: 3,
			err:       "daemonset load/stampede-worker: workers run as a DaemonSet: one per node, not scalable",
			is:        func(err error) bool { return errors.Is(err, controller.ErrNotScalable) },
			noActions: true,
		},
		{name: "negative", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)}, replicas: -1, err: "replicas -1: must be between 0 and", noActions: true},
		{name: "over int32", kind: "Deployment", objs: []runtime.Object{testDeployment(2, 2)}, replicas: 1 << 31, err: "replicas 2147483648", noActions: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newFake(tt.objs...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			s := newScaler(t, cs, tt.kind)
			err := s.Scale(t.Context(), tt.replicas)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Scale(%d): %v", tt.replicas, err)
				}
				desired, _, err := s.Replicas(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if desired != int(tt.want) {
					t.Errorf("desired replicas = %d, want %d", desired, tt.want)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Scale(%d) = %v, want an error containing %q", tt.replicas, err, tt.err)
				}
				if tt.is != nil && !tt.is(err) {
					t.Errorf("Scale(%d) = %v: wrong kind of error", tt.replicas, err)
				}
			}
			if tt.noActions {
				if n := len(cs.Actions()); n != 0 {
					t.Errorf("%d API calls, want none: %v", n, cs.Actions())
				}
				return
			}
			resource := kindResource[tt.kind] + "/scale"
			if n := countActions(t, cs, "update", resource); n != tt.updates {
				t.Errorf("%d updates of %s, want %d", n, resource, tt.updates)
			}
		})
	}
}

// kindResource is the resource of each kind the tests use.
var kindResource = map[string]string{
	"Deployment": "deployments", "StatefulSet": "statefulsets", "sts": "statefulsets", "DaemonSet": "daemonsets",
}

func TestReplicas(t *testing.T) {
	tests := []struct {
		name           string
		kind           string
		objs           []runtime.Object
		setup          func(*fake.Clientset)
		desired, ready int
		err            string
		is             func(error) bool
	}{
		{name: "deployment", kind: "Deployment", objs: []runtime.Object{testDeployment(3, 2)}, desired: 3, ready: 2},
		{name: "deployment none ready", kind: "deployment", objs: []runtime.Object{testDeployment(4, 0)}, desired: 4, ready: 0},
		{name: "statefulset", kind: "StatefulSet", objs: []runtime.Object{testStatefulSet(5, 5)}, desired: 5, ready: 5},
		{name: "daemonset reports", kind: "DaemonSet", objs: []runtime.Object{testDaemonSet(4, 3)}, desired: 4, ready: 3},
		{
			name: "not found", kind: "Deployment", is: apierrors.IsNotFound,
			err: "deployment load/stampede-worker not found: check STAMPEDE_WORKERS_NAME",
		},
		{
			name: "daemonset not found", kind: "DaemonSet", is: apierrors.IsNotFound,
			err: "daemonset load/stampede-worker not found: check STAMPEDE_WORKERS_NAME",
		},
		{
			name: "forbidden ready", kind: "Deployment", objs: []runtime.Object{testDeployment(3, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "get", "deployments", "", -1, forbidden)
			},
			is:  apierrors.IsForbidden,
			err: `forbidden: cannot get deployments in namespace "load" (grant the controller's Role: get on deployments): `,
		},
		{
			name: "forbidden daemonset", kind: "DaemonSet", objs: []runtime.Object{testDaemonSet(3, 2)},
			setup: func(cs *fake.Clientset) {
				failTimes(cs, "get", "daemonsets", "", -1, forbidden)
			},
			is:  apierrors.IsForbidden,
			err: `forbidden: cannot get daemonsets in namespace "load" (grant the controller's Role: get on daemonsets): daemonsets.apps "stampede-worker" is forbidden: User`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newFake(tt.objs...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			desired, ready, err := newScaler(t, cs, tt.kind).Replicas(t.Context())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Replicas() = %v, want an error containing %q", err, tt.err)
				}
				if tt.is != nil && !tt.is(err) {
					t.Errorf("Replicas() = %v: wrong kind of error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if desired != tt.desired || ready != tt.ready {
				t.Errorf("Replicas() = %d desired, %d ready; want %d, %d", desired, ready, tt.desired, tt.ready)
			}
		})
	}
}

// TestScaleSeesReadyLater checks that Replicas reports the workload's
// status as it changes, not what Scale asked for.
func TestScaleSeesReadyLater(t *testing.T) {
	cs := newFake(testDeployment(1, 1))
	s := newScaler(t, cs, "Deployment")
	if err := s.Scale(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	if desired, ready, err := s.Replicas(t.Context()); err != nil || desired != 3 || ready != 1 {
		t.Fatalf("Replicas() = %d, %d, %v; want 3, 1", desired, ready, err)
	}
	d, err := cs.AppsV1().Deployments(testNamespace).Get(t.Context(), testWorkers, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status.ReadyReplicas = 3
	if _, err := cs.AppsV1().Deployments(testNamespace).UpdateStatus(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if desired, ready, err := s.Replicas(t.Context()); err != nil || desired != 3 || ready != 3 {
		t.Fatalf("Replicas() = %d, %d, %v; want 3, 3", desired, ready, err)
	}
}

func TestString(t *testing.T) {
	s := newScaler(t, newFake(), "statefulsets")
	if got, want := s.String(), "statefulset load/stampede-worker"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
