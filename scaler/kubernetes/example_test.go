package kubernetes_test

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// Workers run as a DaemonSet are reported, but not scaled: the controller
// answers 409 to a rescale because the error wraps controller.ErrNotScalable.
func ExampleScaler_Scale() {
	cs := fake.NewClientset(&appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "stampede-worker", Namespace: "load"},
		Status:     appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, NumberReady: 2},
	})
	s, err := kubernetes.NewWithClient(cs, kubernetes.Options{Namespace: "load", Kind: "DaemonSet", Name: "stampede-worker"})
	if err != nil {
		fmt.Println(err)
		return
	}
	desired, ready, err := s.Replicas(context.Background())
	fmt.Println(desired, ready, err)
	err = s.Scale(context.Background(), 5)
	fmt.Println(err)
	fmt.Println(errors.Is(err, controller.ErrNotScalable))
	// Output:
	// 3 2 <nil>
	// daemonset load/stampede-worker: workers run as a DaemonSet: one per node, not scalable
	// true
}

// The Role the chart renders for workers run as a Deployment.
func ExamplePermissions() {
	for _, rule := range kubernetes.Permissions("Deployment") {
		fmt.Printf("%q %v %v\n", rule.APIGroups[0], rule.Resources, rule.Verbs)
	}
	// Output:
	// "apps" [deployments] [get]
	// "apps" [deployments/scale] [get update]
	// "" [configmaps] [get update create]
}

func ExampleConfigMapStore() {
	store := kubernetes.ConfigMapStore{Client: fake.NewClientset(), Namespace: "load", Name: "stampede-state"}
	ctx := context.Background()
	state, err := store.Load(ctx) // no ConfigMap yet: a fresh state
	if err != nil {
		fmt.Println(err)
		return
	}
	replicas := 4
	state.Replicas = &replicas
	if err := store.Save(ctx, state); err != nil { // creates the ConfigMap
		fmt.Println(err)
		return
	}
	again, err := store.Load(ctx)
	fmt.Println(*again.Replicas, err)
	// Output: 4 <nil>
}
