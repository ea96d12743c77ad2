package kubernetes_test

import (
	"errors"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

const (
	testNamespace = "load"
	testWorkers   = "stampede-worker"
	testState     = "stampede-state"
)

// schemaGroupResource shortens failTimes' callbacks.
type schemaGroupResource = schema.GroupResource

var configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func int32p(n int32) *int32 { return &n }

func testDeployment(replicas, ready int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: testWorkers, Namespace: testNamespace},
		Spec:       appsv1.DeploymentSpec{Replicas: int32p(replicas)},
		Status:     appsv1.DeploymentStatus{Replicas: replicas, ReadyReplicas: ready},
	}
}

func testStatefulSet(replicas, ready int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: testWorkers, Namespace: testNamespace},
		Spec:       appsv1.StatefulSetSpec{Replicas: int32p(replicas)},
		Status:     appsv1.StatefulSetStatus{Replicas: replicas, ReadyReplicas: ready},
	}
}

func testDaemonSet(desired, ready int32) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: testWorkers, Namespace: testNamespace},
		Status:     appsv1.DaemonSetStatus{DesiredNumberScheduled: desired, NumberReady: ready},
	}
}

func testConfigMap(data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: testState, Namespace: testNamespace},
		Data:       data,
	}
}

// newFake returns a fake clientset holding objs that also serves the scale
// subresource of Deployments and StatefulSets, which the fake's object
// tracker does not: it would hand back the workload itself.
func newFake(objs ...runtime.Object) *fake.Clientset {
	cs := fake.NewClientset(objs...)
	tracker := cs.Tracker()
	cs.PrependReactor("get", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "scale" {
			return false, nil, nil
		}
		obj, err := tracker.Get(a.GetResource(), a.GetNamespace(), a.(k8stesting.GetAction).GetName())
		if err != nil {
			return true, nil, err
		}
		meta, replicas := workloadReplicas(obj)
		return true, &autoscalingv1.Scale{
			ObjectMeta: metav1.ObjectMeta{Name: meta.Name, Namespace: meta.Namespace, ResourceVersion: meta.ResourceVersion},
			Spec:       autoscalingv1.ScaleSpec{Replicas: *replicas},
		}, nil
	})
	cs.PrependReactor("update", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "scale" {
			return false, nil, nil
		}
		scale := a.(k8stesting.UpdateAction).GetObject().(*autoscalingv1.Scale)
		obj, err := tracker.Get(a.GetResource(), a.GetNamespace(), scale.Name)
		if err != nil {
			return true, nil, err
		}
		_, replicas := workloadReplicas(obj)
		*replicas = scale.Spec.Replicas
		return true, scale, tracker.Update(a.GetResource(), obj, a.GetNamespace())
	})
	return cs
}

// workloadReplicas points at the workload's spec.replicas.
func workloadReplicas(obj runtime.Object) (metav1.ObjectMeta, *int32) {
	switch w := obj.(type) {
	case *appsv1.Deployment:
		return w.ObjectMeta, w.Spec.Replicas
	case *appsv1.StatefulSet:
		return w.ObjectMeta, w.Spec.Replicas
	}
	panic("no scale subresource for " + obj.GetObjectKind().GroupVersionKind().Kind)
}

// failTimes makes the first n calls of verb on resource (and subresource)
// fail with the error made by fail; later ones go through. n < 0 fails
// every one.
func failTimes(cs *fake.Clientset, verb, resource, subresource string, n int, fail func(schema.GroupResource, string) error) {
	var mu sync.Mutex
	cs.PrependReactor(verb, resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != subresource {
			return false, nil, nil
		}
		mu.Lock()
		defer mu.Unlock()
		if n == 0 {
			return false, nil, nil
		}
		n--
		return true, nil, fail(a.GetResource().GroupResource(), actionName(a))
	})
}

func actionName(a k8stesting.Action) string {
	switch a := a.(type) {
	case k8stesting.GetAction:
		return a.GetName()
	case interface{ GetObject() runtime.Object }: // an update or a create
		return objectName(a.GetObject())
	}
	return ""
}

func objectName(obj runtime.Object) string {
	if m, ok := obj.(metav1.Object); ok {
		return m.GetName()
	}
	return ""
}

func conflict(gr schema.GroupResource, name string) error {
	return apierrors.NewConflict(gr, name, errors.New("the object has been modified; please apply your changes to the latest version and try again"))
}

func forbidden(gr schema.GroupResource, name string) error {
	return apierrors.NewForbidden(gr, name, errors.New(`User "system:serviceaccount:load:stampede-controller" cannot do this`))
}

func alreadyExists(gr schema.GroupResource, name string) error {
	return apierrors.NewAlreadyExists(gr, name)
}

func internalError(schema.GroupResource, string) error {
	return apierrors.NewInternalError(errors.New("etcd is down"))
}

// countActions counts the actions of verb on resource/subresource.
func countActions(t *testing.T, cs *fake.Clientset, verb, resource string) int {
	t.Helper()
	n := 0
	for _, a := range cs.Actions() {
		full := a.GetResource().Resource
		if a.GetSubresource() != "" {
			full += "/" + a.GetSubresource()
		}
		if a.GetVerb() == verb && full == resource {
			n++
		}
	}
	return n
}
