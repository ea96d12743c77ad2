package test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// TestKubernetesAgainstARealAPIServer runs the real controller binary
// against a real kube-apiserver (internal/kubeapiserver) with the plain
// manifests applied (k8s/manifests/stampede.yaml: the chart's defaults), as
// the chart's service account with a token from the TokenRequest API — not
// as an admin, so RBAC is the chart's Role. There is no kubelet, so the
// workers' Deployment never has ready pods: ready stays 0 throughout, and
// desired is what the API server holds.
func TestKubernetesAgainstARealAPIServer(t *testing.T) {
	k := newKubeEnv(t, kubeWithin(t, 2*time.Minute))

	t.Run("rescale 2 to 4 to 1 to 3", func(t *testing.T) {
		ctx := kubeWithin(t, time.Minute)
		_, ctl := startKubeController(t, k)
		if got := k.replicas(t, ctx); got != 2 {
			t.Fatalf("the manifests' worker Deployment has %d replicas, want 2", got)
		}
		eventually(t, 10*time.Second, "status to report the Deployment's 2 replicas", func() bool {
			return kubeStatusOf(t, ctl).Workers.Desired == 2
		})
		for _, n := range []int{4, 1, 3} {
			if code, e := kubeScale(t, ctl, n); code != http.StatusOK {
				t.Fatalf("scale to %d: %d %+v", n, code, e)
			}
			if got := k.replicas(t, ctx); got != n {
				t.Errorf("after scaling to %d, the Deployment's spec.replicas is %d", n, got)
			}
			s := kubeStatusOf(t, ctl)
			if s.Workers.Desired != n || s.Workers.Ready != 0 || s.Workers.ScalerError != "" {
				t.Errorf("after scaling to %d: status desired %d ready %d scaler_error %q, want desired %d ready 0 (no kubelet)",
					n, s.Workers.Desired, s.Workers.Ready, s.Workers.ScalerError, n)
			}
		}
	})

	t.Run("service account may do exactly what the scaler needs", func(t *testing.T) {
		ctx := kubeWithin(t, time.Minute)
		role, err := k.admin.RbacV1().Roles(kubeNamespace).Get(ctx, kubeRole, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := kubernetes.NamedPermissions("Deployment", kubeWorkers, kubeStateConfigMap)
		if !sameRules(role.Rules, want) {
			t.Errorf("the chart's Role on the server has rules\n%v\nwant kubernetes.NamedPermissions\n%v", role.Rules, want)
		}
		// Every call the scaler and the state store make is allowed.
		for _, rule := range want {
			for _, attrs := range expand(rule) {
				if ok, reason := k.allowed(t, ctx, attrs); !ok {
					t.Errorf("the service account may not %s: %s", describeAttrs(attrs), reason)
				}
			}
		}
		if _, err := k.admin.CoreV1().Namespaces().Create(ctx, namespaceObject("other"), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		denied := []authorizationv1.ResourceAttributes{
			{Namespace: kubeNamespace, Verb: "delete", Resource: "pods"},
			{Namespace: kubeNamespace, Verb: "get", Resource: "secrets", Name: kubeTokenSecret},
			{Namespace: kubeNamespace, Verb: "list", Resource: "secrets"},
			{Namespace: "other", Verb: "update", Group: "apps", Resource: "deployments", Subresource: "scale", Name: kubeWorkers},
			{Namespace: "other", Verb: "get", Group: "apps", Resource: "deployments", Name: kubeWorkers},
			{Namespace: kubeNamespace, Verb: "patch", Group: "apps", Resource: "deployments", Subresource: "scale", Name: kubeWorkers},
			{Namespace: kubeNamespace, Verb: "update", Group: "apps", Resource: "deployments", Subresource: "scale", Name: "stampede-controller"},
			{Namespace: kubeNamespace, Verb: "update", Group: "apps", Resource: "deployments", Name: kubeWorkers},
			{Namespace: kubeNamespace, Verb: "create", Group: "apps", Resource: "deployments"},
			{Namespace: kubeNamespace, Verb: "list", Group: "apps", Resource: "deployments"},
			{Namespace: kubeNamespace, Verb: "delete", Resource: "configmaps", Name: kubeStateConfigMap},
			{Namespace: kubeNamespace, Verb: "update", Resource: "configmaps", Name: "stampede-scenario"},
			{Namespace: kubeNamespace, Verb: "list", Resource: "configmaps"},
			{Namespace: kubeNamespace, Verb: "create", Resource: "serviceaccounts", Subresource: "token", Name: kubeServiceAccount},
			{Namespace: kubeNamespace, Verb: "update", Group: "rbac.authorization.k8s.io", Resource: "roles", Name: kubeRole},
			{Namespace: "other", Verb: "create", Resource: "configmaps"},
			{Verb: "list", Resource: "namespaces"},
		}
		for _, attrs := range denied {
			if ok, _ := k.allowed(t, ctx, attrs); ok {
				t.Errorf("the service account may %s, which the scaler does not need", describeAttrs(attrs))
			}
		}
	})

	t.Run("a Role that does not grant the call is named in the error", func(t *testing.T) {
		ctx := kubeWithin(t, time.Minute)
		_, ctl := startKubeController(t, k)
		tests := []struct {
			name      string
			breakRBAC func() error
			restore   string // kind to apply again from the manifests
			wantVerb  string
		}{
			{"RoleBinding deleted", func() error {
				return k.admin.RbacV1().RoleBindings(kubeNamespace).Delete(ctx, kubeRole, metav1.DeleteOptions{})
			}, "RoleBinding", "get"},
			{"Role without update on deployments/scale", func() error {
				role, err := k.admin.RbacV1().Roles(kubeNamespace).Get(ctx, kubeRole, metav1.GetOptions{})
				if err != nil {
					return err
				}
				for i, r := range role.Rules {
					if slices.Contains(r.Resources, "deployments/scale") {
						role.Rules[i].Verbs = []string{"get"}
					}
				}
				_, err = k.admin.RbacV1().Roles(kubeNamespace).Update(ctx, role, metav1.UpdateOptions{})
				return err
			}, "Role", "update"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.breakRBAC(); err != nil {
					t.Fatal(err)
				}
				defer k.reapply(t, ctx, tt.restore)
				// RBAC sees the change through an informer: wait until it has.
				var code, before int
				var e kubeAPIError
				eventually(t, 10*time.Second, "the scale to be refused", func() bool {
					before = k.replicas(t, ctx)
					code, e = kubeScale(t, ctl, before+1)
					return code != http.StatusOK
				})
				wantMsg := []string{"forbidden", tt.wantVerb + " deployments/scale", `namespace "` + kubeNamespace + `"`, "system:serviceaccount:" + kubeNamespace + ":" + kubeServiceAccount}
				if code != http.StatusBadGateway || e.Field != "replicas" || !kubeContainsAll(e.Error, wantMsg...) {
					t.Errorf("scale without the permission answered %d %+v, want 502 naming %q", code, e, wantMsg)
				}
				if got := k.replicas(t, ctx); got != before {
					t.Errorf("a refused scale changed replicas %d -> %d", before, got)
				}
				eventually(t, 10*time.Second, "status to report the scaler's error", func() bool {
					return strings.Contains(kubeStatusOf(t, ctl).Workers.ScalerError, "forbidden")
				})
			})
		}
		// With the Role back, scaling works again.
		eventually(t, 10*time.Second, "scaling to work again with the Role restored", func() bool {
			code, _ := kubeScale(t, ctl, 2)
			return code == http.StatusOK
		})
		if got := k.replicas(t, ctx); got != 2 {
			t.Errorf("with the Role restored, replicas = %d, want 2", got)
		}
	})

	t.Run("concurrent edits: every scale lands, the state save is retried", func(t *testing.T) {
		ctx := kubeWithin(t, 2*time.Minute)
		_, ctl := startKubeController(t, k)
		if code, e := kubeScale(t, ctl, 2); code != http.StatusOK { // creates the state ConfigMap
			t.Fatalf("scale to 2: %d %+v", code, e)
		}
		editCtx, stopEditing := context.WithCancel(ctx)
		defer stopEditing()
		var edits atomic.Int64
		var wg sync.WaitGroup
		// An editor updates the Deployment's and the state ConfigMap's
		// annotations back to back, as other tools do on a real cluster:
		// each update bumps the resourceVersion the controller read.
		wg.Go(func() {
			for i := 0; i < 20000 && editCtx.Err() == nil; i++ {
				var err error
				if i%2 == 0 {
					err = annotateDeployment(editCtx, k, i)
				} else {
					err = annotateConfigMap(editCtx, k, i)
				}
				if err == nil {
					edits.Add(1)
				}
			}
		})
		conflicts := func(resource string) int {
			events, err := k.cluster.ReadAudit()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Verb == "update" && e.Resource == resource && e.Code == http.StatusConflict && e.User == "system:serviceaccount:"+kubeNamespace+":"+kubeServiceAccount {
					n++
				}
			}
			return n
		}
		// Scale until the state ConfigMap's update has met a conflict at
		// least once (bounded: it needs an edit between the store's get and
		// update), checking that every scale lands all the same.
		scales, last := 0, 2
		for scales < 300 && (scales < 10 || conflicts("configmaps") == 0) {
			last = 1 + scales%7
			if code, e := kubeScale(t, ctl, last); code != http.StatusOK {
				t.Fatalf("scale %d to %d during concurrent edits: %d %+v", scales, last, code, e)
			}
			if got := k.replicas(t, ctx); got != last {
				t.Fatalf("scale %d to %d during concurrent edits: spec.replicas is %d", scales, last, got)
			}
			scales++
		}
		stopEditing()
		wg.Wait()
		scaleConflicts, stateConflicts := conflicts("deployments"), conflicts("configmaps")
		t.Logf("%d scales landed during %d concurrent edits; the API server answered the controller %d conflicts on the scale, %d on the state ConfigMap",
			scales, edits.Load(), scaleConflicts, stateConflicts)
		if edits.Load() == 0 {
			t.Fatal("no concurrent edit landed")
		}
		// The scale update carries no resourceVersion, so an edit cannot
		// make it stale.
		if scaleConflicts != 0 {
			t.Errorf("the scale updates met %d conflicts, want none", scaleConflicts)
		}
		// The state is a read-modify-write of a shared ConfigMap: a stale
		// update is refused and retried, and the state still lands.
		if stateConflicts == 0 {
			t.Fatalf("no conflict on the state ConfigMap in %d scales: the edits never landed between the store's get and update", scales)
		}
		eventually(t, 10*time.Second, fmt.Sprintf("the state ConfigMap to hold replicas %d", last), func() bool {
			saved, ok := k.savedState(ctx)
			return ok && saved.Replicas != nil && *saved.Replicas == last
		})
	})

	t.Run("API server restarted mid-run", func(t *testing.T) {
		ctx := kubeWithin(t, 2*time.Minute)
		if err := k.admin.CoreV1().ConfigMaps(kubeNamespace).Delete(ctx, kubeStateConfigMap, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		p, ctl := startKubeController(t, k)
		startRun(t, ctl, "http://127.0.0.1:9", map[string]any{"users": 7})
		run := kubeStatusOf(t, ctl).Run
		if run == nil || run.State != "running" {
			t.Fatalf("no running run: %+v", run)
		}
		if err := k.cluster.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		restarted := false
		defer func() {
			if !restarted {
				if err := k.cluster.StartAPIServer(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
		code, e := kubeScale(t, ctl, 5)
		server := strings.TrimPrefix(k.cluster.URL, "https://")
		if code != http.StatusBadGateway || !kubeContainsAll(e.Error, server, "connection refused") {
			t.Errorf("scale with the API server down answered %d %+v, want 502 naming %s and the refused connection", code, e, server)
		}
		eventually(t, 10*time.Second, "status to report the unreachable API server", func() bool {
			return strings.Contains(kubeStatusOf(t, ctl).Workers.ScalerError, server)
		})
		if s := kubeStatusOf(t, ctl); s.Run == nil || s.Run.ID != run.ID || s.Run.State != "running" {
			t.Errorf("with the API server down the run is %+v, want %s still running", s.Run, run.ID)
		}
		if done, _ := processExited(p); done {
			t.Fatal("the controller exited while the API server was down")
		}

		if err := k.cluster.StartAPIServer(ctx); err != nil {
			t.Fatal(err)
		}
		restarted = true
		if code, e := kubeScale(t, ctl, 5); code != http.StatusOK {
			t.Errorf("the first scale after the API server is ready again answered %d %+v", code, e)
		}
		if got := k.replicas(t, ctx); got != 5 {
			t.Errorf("after the API server came back, replicas = %d, want 5", got)
		}
		eventually(t, 10*time.Second, "status to clear the scaler error", func() bool {
			s := kubeStatusOf(t, ctl)
			return s.Workers.ScalerError == "" && s.Workers.Desired == 5
		})
		eventually(t, 10*time.Second, "the state ConfigMap to hold the run and replicas 5", func() bool {
			saved, ok := k.savedState(ctx)
			return ok && saved.Replicas != nil && *saved.Replicas == 5 && saved.Run != nil && saved.Run.ID == run.ID
		})
		if s := kubeStatusOf(t, ctl); s.Run == nil || s.Run.ID != run.ID || s.Run.State != "running" {
			t.Errorf("after the API server came back the run is %+v, want %s still running", s.Run, run.ID)
		}
	})

	t.Run("desired state survives kill -9 in the ConfigMap", func(t *testing.T) {
		ctx := kubeWithin(t, 2*time.Minute)
		if err := k.admin.CoreV1().ConfigMaps(kubeNamespace).Delete(ctx, kubeStateConfigMap, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		first, ctl := startKubeController(t, k)
		startRun(t, ctl, "http://127.0.0.1:9", map[string]any{"users": 13})
		run := kubeStatusOf(t, ctl).Run
		if run == nil || run.Users != 13 {
			t.Fatalf("run after start: %+v", run)
		}
		// The controller saves in the background: wait until the ConfigMap
		// holds the run before killing it.
		var saved kubeSavedState
		eventually(t, 10*time.Second, "the state ConfigMap to hold the run", func() bool {
			var ok bool
			saved, ok = k.savedState(ctx)
			return ok && saved.Run != nil && saved.Run.ID == run.ID
		})
		if saved.Run.Users != 13 {
			t.Errorf("the ConfigMap holds users %d, want 13", saved.Run.Users)
		}
		if err := first.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		first.wait(10 * time.Second)

		_, ctl = startKubeController(t, k)
		s := kubeStatusOf(t, ctl) // its first answer
		if s.Run == nil || s.Run.ID != run.ID || s.Run.Users != 13 || s.Run.State != "running" {
			t.Errorf("the new controller's first status has run %+v, want %s running with 13 users", s.Run, run.ID)
		}
	})
}

// processExited reports whether the process has ended.
func processExited(p *proc) (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// sameRules reports whether two Roles' rules grant the same, in any order.
func sameRules(a, b []rbacv1.PolicyRule) bool {
	key := func(rules []rbacv1.PolicyRule) []string {
		var keys []string
		for _, r := range rules {
			for _, attrs := range expand(r) {
				keys = append(keys, describeAttrs(attrs))
			}
		}
		slices.Sort(keys)
		return keys
	}
	return slices.Equal(key(a), key(b))
}

// expand lists the single requests a rule allows in the chart's namespace.
func expand(r rbacv1.PolicyRule) []authorizationv1.ResourceAttributes {
	names := r.ResourceNames
	if len(names) == 0 {
		names = []string{""}
	}
	var all []authorizationv1.ResourceAttributes
	for _, g := range r.APIGroups {
		for _, res := range r.Resources {
			resource, sub, _ := strings.Cut(res, "/")
			for _, v := range r.Verbs {
				for _, n := range names {
					all = append(all, authorizationv1.ResourceAttributes{Namespace: kubeNamespace, Verb: v, Group: g, Resource: resource, Subresource: sub, Name: n})
				}
			}
		}
	}
	return all
}

func describeAttrs(a authorizationv1.ResourceAttributes) string {
	res := a.Resource
	if a.Subresource != "" {
		res += "/" + a.Subresource
	}
	if a.Group != "" {
		res += "." + a.Group
	}
	s := a.Verb + " " + res
	if a.Name != "" {
		s += " " + a.Name
	}
	if a.Namespace != "" {
		s += " in " + a.Namespace
	}
	return s
}
