package kubernetes_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/scaler/kubernetes"
)

func newStore(cs *fake.Clientset) kubernetes.ConfigMapStore {
	return kubernetes.ConfigMapStore{Client: cs, Namespace: testNamespace, Name: testState}
}

func sampleState() *controller.State {
	replicas := 3
	return &controller.State{
		Version:    controller.StateVersion,
		Generation: 7,
		Replicas:   &replicas,
		Run:        &controller.RunState{ID: "r1", State: "running", Model: "closed", Users: 50, SpawnRate: 5},
		Workers:    []controller.WorkerState{{ID: "stampede-worker-0", State: "running", Generation: 7}},
		Stats:      map[string]json.RawMessage{"stampede-worker-0": json.RawMessage(`{"requests":10}`)},
	}
}

func TestConfigMapStoreLoadMissingMatchesFileStore(t *testing.T) {
	want, err := controller.FileStore{Path: filepath.Join(t.TempDir(), "missing.json")}.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, objs := range [][]runtime.Object{nil, {testConfigMap(nil)}, {testConfigMap(map[string]string{"other": "x"})}} {
		got, err := newStore(newFake(objs...)).Load(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Load() with %d objects = %+v, want %+v as FileStore gives", len(objs), got, want)
		}
	}
}

func TestConfigMapStoreSaveLoad(t *testing.T) {
	tests := []struct {
		name    string
		objs    []runtime.Object
		setup   func(*fake.Clientset)
		creates int
		updates int
		keep    map[string]string // other keys that must survive
	}{
		{name: "creates", creates: 1},
		{name: "updates", objs: []runtime.Object{testConfigMap(map[string]string{kubernetes.StateKey: `{"version":1}`})}, updates: 1},
		{name: "keeps other keys", objs: []runtime.Object{testConfigMap(map[string]string{"note": "by hand"})}, updates: 1, keep: map[string]string{"note": "by hand"}},
		{
			name: "conflict then success", objs: []runtime.Object{testConfigMap(nil)}, updates: 3,
			setup: func(cs *fake.Clientset) { failTimes(cs, "update", "configmaps", "", 2, conflict) },
		},
		{
			name: "lost create race then update", creates: 1, updates: 1,
			setup: func(cs *fake.Clientset) {
				// Another controller creates it between our get and create.
				failTimes(cs, "create", "configmaps", "", 1, func(gr schemaGroupResource, name string) error {
					if _, err := cs.Tracker().Get(configMapsGVR, testNamespace, name); apierrors.IsNotFound(err) {
						if err := cs.Tracker().Add(testConfigMap(map[string]string{"note": "theirs"})); err != nil {
							return err
						}
					}
					return alreadyExists(gr, name)
				})
			},
			keep: map[string]string{"note": "theirs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newFake(tt.objs...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			store := newStore(cs)
			want := sampleState()
			if err := store.Save(t.Context(), want); err != nil {
				t.Fatal(err)
			}
			got, err := store.Load(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load() after Save = %+v, want %+v", got, want)
			}
			if n := countActions(t, cs, "create", "configmaps"); n != tt.creates {
				t.Errorf("%d creates, want %d", n, tt.creates)
			}
			if n := countActions(t, cs, "update", "configmaps"); n != tt.updates {
				t.Errorf("%d updates, want %d", n, tt.updates)
			}
			cm, err := cs.CoreV1().ConfigMaps(testNamespace).Get(context.Background(), testState, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.keep {
				if cm.Data[k] != v {
					t.Errorf("key %s = %q after Save, want %q kept", k, cm.Data[k], v)
				}
			}
		})
	}
}

func TestConfigMapStoreSaveUnchangedSendsNoUpdate(t *testing.T) {
	cs := newFake()
	store := newStore(cs)
	for range 2 {
		if err := store.Save(t.Context(), sampleState()); err != nil {
			t.Fatal(err)
		}
	}
	if n := countActions(t, cs, "update", "configmaps"); n != 0 {
		t.Errorf("%d updates for an unchanged state, want 0", n)
	}
}

func TestConfigMapStoreErrors(t *testing.T) {
	big := sampleState()
	big.Stats["huge"] = json.RawMessage(`"` + strings.Repeat("x", kubernetes.MaxConfigMapBytes) + `"`)
	nearlyFull := testConfigMap(map[string]string{"other": strings.Repeat("y", kubernetes.MaxConfigMapBytes-100)})
	tests := []struct {
		name  string
		objs  []runtime.Object
		setup func(*fake.Clientset)
		load  bool // Load, else Save
		state *controller.State
		err   string
		is    func(error) bool
	}{
		{
			name: "corrupt", load: true, objs: []runtime.Object{testConfigMap(map[string]string{kubernetes.StateKey: "{"})},
			err: "configmap load/stampede-state key state.json is corrupt (",
		},
		{
			name: "other version", load: true, objs: []runtime.Object{testConfigMap(map[string]string{kubernetes.StateKey: `{"version":99}`})},
			err: "configmap load/stampede-state key state.json has version 99; this controller reads version 1",
		},
		{
			name: "forbidden get", load: true, is: apierrors.IsForbidden,
			setup: func(cs *fake.Clientset) { failTimes(cs, "get", "configmaps", "", -1, forbidden) },
			err:   `forbidden: cannot get configmaps in namespace "load" (grant the controller's Role: get on configmaps)`,
		},
		{
			name: "forbidden create", is: apierrors.IsForbidden, state: sampleState(),
			setup: func(cs *fake.Clientset) { failTimes(cs, "create", "configmaps", "", -1, forbidden) },
			err:   `forbidden: cannot create configmaps in namespace "load" (grant the controller's Role: create on configmaps)`,
		},
		{
			name: "forbidden update", is: apierrors.IsForbidden, state: sampleState(), objs: []runtime.Object{testConfigMap(nil)},
			setup: func(cs *fake.Clientset) { failTimes(cs, "update", "configmaps", "", -1, forbidden) },
			err:   `forbidden: cannot update configmaps in namespace "load" (grant the controller's Role: update on configmaps)`,
		},
		{
			name: "server error", state: sampleState(),
			setup: func(cs *fake.Clientset) { failTimes(cs, "get", "configmaps", "", -1, internalError) },
			err:   "get configmap load/stampede-state: Internal error occurred: etcd is down",
		},
		{
			name: "too large", state: big,
			err: "configmap load/stampede-state: the state is 1048",
		},
		{
			name: "too large with other keys", state: sampleState(), objs: []runtime.Object{nearlyFull},
			err: "over the 1048576 a ConfigMap holds",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newFake(tt.objs...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			store := newStore(cs)
			var err error
			if tt.load {
				_, err = store.Load(t.Context())
			} else {
				err = store.Save(t.Context(), tt.state)
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want an error containing %q", err, tt.err)
			}
			if tt.is != nil && !tt.is(err) {
				t.Errorf("%v: wrong kind of error", err)
			}
		})
	}
}

func TestConfigMapStoreCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cs := newFake()
	store := newStore(cs)
	if _, err := store.Load(ctx); err != context.Canceled {
		t.Errorf("Load() = %v, want context.Canceled", err)
	}
	if err := store.Save(ctx, sampleState()); err != context.Canceled {
		t.Errorf("Save() = %v, want context.Canceled", err)
	}
	if n := len(cs.Actions()); n != 0 {
		t.Errorf("%d API calls after cancel, want none", n)
	}
}

func TestConfigMapStoreMissingField(t *testing.T) {
	tests := []struct {
		store kubernetes.ConfigMapStore
		err   string
	}{
		{kubernetes.ConfigMapStore{Namespace: "n", Name: "s"}, "no Client"},
		{kubernetes.ConfigMapStore{Client: newFake(), Name: "s"}, `state ConfigMap "s": no Namespace`},
		{kubernetes.ConfigMapStore{Client: newFake(), Namespace: "n"}, `state ConfigMap in namespace "n": no Name`},
	}
	for _, tt := range tests {
		if _, err := tt.store.Load(t.Context()); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Load() = %v, want an error containing %q", err, tt.err)
		}
		if err := tt.store.Save(t.Context(), sampleState()); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Save() = %v, want an error containing %q", err, tt.err)
		}
	}
}
