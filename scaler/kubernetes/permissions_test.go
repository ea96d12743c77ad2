package kubernetes_test

import (
	"reflect"
	"slices"
	"sort"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stampedehq/stampede/scaler/kubernetes"
)

// grant is one verb on one resource, as RBAC checks it.
type grant struct{ group, resource, verb, name string }

// granted expands rules into one grant per verb, resource and name.
func granted(rules []rbacv1.PolicyRule) map[grant]bool {
	out := map[grant]bool{}
	for _, r := range rules {
		names := r.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					for _, n := range names {
						out[grant{g, res, v, n}] = true
					}
				}
			}
		}
	}
	return out
}

// TestPermissionsAreWhatTheCodeCalls drives every method of the Scaler and
// the ConfigMapStore through a fake clientset, and checks that the calls
// the fake saw are exactly what Permissions grants: so the Role rendered
// from Permissions neither misses a call nor grants one too many.
func TestPermissionsAreWhatTheCodeCalls(t *testing.T) {
	tests := []struct {
		kind     string
		workload runtime.Object
	}{
		{"Deployment", testDeployment(2, 2)},
		{"StatefulSet", testStatefulSet(2, 2)},
		{"DaemonSet", testDaemonSet(2, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			cs := newFake(tt.workload)
			s := newScaler(t, cs, tt.kind)
			store := newStore(cs)
			if _, _, err := s.Replicas(t.Context()); err != nil {
				t.Fatal(err)
			}
			_ = s.Scale(t.Context(), 5) // a DaemonSet refuses, without a call
			if _, err := store.Load(t.Context()); err != nil {
				t.Fatal(err)
			}
			st := sampleState()
			for range 2 { // create, then update
				st.Generation++
				if err := store.Save(t.Context(), st); err != nil {
					t.Fatal(err)
				}
			}

			called := map[grant]bool{}      // what was called, without names
			calledNamed := map[grant]bool{} // with the name each call named
			for _, a := range cs.Actions() {
				res := a.GetResource().Resource
				if a.GetSubresource() != "" {
					res += "/" + a.GetSubresource()
				}
				g := grant{a.GetResource().Group, res, a.GetVerb(), ""}
				called[g] = true
				if a.GetVerb() != "create" { // RBAC cannot check a create's name
					g.name = actionName(a)
				}
				calledNamed[g] = true
			}
			if want := granted(kubernetes.Permissions(tt.kind)); !reflect.DeepEqual(called, want) {
				t.Errorf("calls made:\n%v\nPermissions(%q) grants:\n%v", sortedGrants(called), tt.kind, sortedGrants(want))
			}
			named := kubernetes.NamedPermissions(tt.kind, testWorkers, testState)
			if want := granted(named); !reflect.DeepEqual(calledNamed, want) {
				t.Errorf("calls made:\n%v\nNamedPermissions grants:\n%v", sortedGrants(calledNamed), sortedGrants(want))
			}
		})
	}
}

func sortedGrants(m map[grant]bool) []grant {
	out := make([]grant, 0, len(m))
	for g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return slices.Compare([]string{a.group, a.resource, a.verb, a.name}, []string{b.group, b.resource, b.verb, b.name}) < 0
	})
	return out
}

// TestPermissionsRules pins the rules the chart's Role renders.
func TestPermissionsRules(t *testing.T) {
	tests := []struct {
		name string
		got  []rbacv1.PolicyRule
		want []rbacv1.PolicyRule
	}{
		{
			name: "deployment",
			got:  kubernetes.Permissions("Deployment"),
			want: []rbacv1.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get"}},
				{APIGroups: []string{"apps"}, Resources: []string{"deployments/scale"}, Verbs: []string{"get", "update"}},
				{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "update", "create"}},
			},
		},
		{
			name: "statefulset named",
			got:  kubernetes.NamedPermissions("statefulset", "w", "s"),
			want: []rbacv1.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"statefulsets"}, Verbs: []string{"get"}, ResourceNames: []string{"w"}},
				{APIGroups: []string{"apps"}, Resources: []string{"statefulsets/scale"}, Verbs: []string{"get", "update"}, ResourceNames: []string{"w"}},
				{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "update"}, ResourceNames: []string{"s"}},
				{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create"}},
			},
		},
		{
			name: "daemonset",
			got:  kubernetes.Permissions("DaemonSet"),
			want: []rbacv1.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"daemonsets"}, Verbs: []string{"get"}},
				{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "update", "create"}},
			},
		},
		{name: "unknown kind", got: kubernetes.Permissions("ReplicaSet"), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}
