package kubernetes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/stampedehq/stampede/controller"
)

// StateKey is the ConfigMap data key that holds the state as JSON.
const StateKey = "state.json"

// MaxConfigMapBytes is the most data (keys and values together) the API
// server accepts in one ConfigMap.
const MaxConfigMapBytes = 1 << 20

// ConfigMapStore keeps the controller's state (controller.StateStore) as
// JSON in the StateKey of one ConfigMap, which the first Save creates.
// Other keys of that ConfigMap are left as they are.
type ConfigMapStore struct {
	Client    kubernetes.Interface
	Namespace string
	Name      string
}

var _ controller.StateStore = ConfigMapStore{}

func (c ConfigMapStore) String() string {
	return "configmap " + c.Namespace + "/" + c.Name
}

// check refuses a canceled ctx, and a store missing a field, which the API
// would answer less clearly.
func (c ConfigMapStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case c.Client == nil:
		return errors.New("state ConfigMap store: no Client")
	case c.Namespace == "":
		return fmt.Errorf("state ConfigMap %q: no Namespace", c.Name)
	case c.Name == "":
		return fmt.Errorf("state ConfigMap in namespace %q: no Name", c.Namespace)
	}
	return nil
}

// explain names the ConfigMap in err.
func (c ConfigMapStore) explain(err error, verb string) error {
	for _, call := range configMapCalls {
		if call.verb == verb {
			return explain(err, call, "configmap", c.Namespace, c.Name, "the state ConfigMap's name")
		}
	}
	panic("kubernetes ConfigMapStore: " + verb + " configmaps is not in configMapCalls")
}

// Load reads the state. A missing ConfigMap, or one without StateKey, is a
// fresh state, as a missing state file is for controller.FileStore; a
// corrupt one is an error naming the ConfigMap and key.
func (c ConfigMapStore) Load(ctx context.Context) (*controller.State, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	cm, err := c.Client.CoreV1().ConfigMaps(c.Namespace).Get(ctx, c.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return &controller.State{Version: controller.StateVersion}, nil
	}
	if err != nil {
		return nil, c.explain(err, "get")
	}
	data, ok := cm.Data[StateKey]
	if !ok {
		return &controller.State{Version: controller.StateVersion}, nil
	}
	return decodeState(c.String(), []byte(data))
}

// decodeState reads a saved state; errors name where it came from.
func decodeState(from string, data []byte) (*controller.State, error) {
	var s controller.State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s key %s is corrupt (%v): fix it, or delete the key to start afresh", from, StateKey, err)
	}
	if s.Version != controller.StateVersion {
		return nil, fmt.Errorf("%s key %s has version %d; this controller reads version %d", from, StateKey, s.Version, controller.StateVersion)
	}
	return &s, nil
}

// errTooLarge is what Save's error wraps when the state does not fit.
var errTooLarge = errors.New("too large for a ConfigMap")

// Save writes the state, creating the ConfigMap the first time, and reading
// it again and retrying when someone else changed it meanwhile.
func (c ConfigMapStore) Save(ctx context.Context, s *controller.State) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("%s: encoding the state: %w", c, err)
	}
	value := string(data)
	if err := c.checkSize(map[string]string{StateKey: value}); err != nil {
		return err
	}
	configMaps := c.Client.CoreV1().ConfigMaps(c.Namespace)
	// A create that loses a race with another's reads the winner's
	// ConfigMap and updates it, as a conflicting update does.
	retriable := func(err error) bool { return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) }
	return retry.OnError(retry.DefaultRetry, retriable, func() error {
		cm, err := configMaps.Get(ctx, c.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			cm = &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{
					Name:      c.Name,
					Namespace: c.Namespace,
					Labels:    map[string]string{"app.kubernetes.io/managed-by": "stampede"},
				},
				Data: map[string]string{StateKey: value},
			}
			_, err = configMaps.Create(ctx, cm, metav1.CreateOptions{})
			return c.explain(err, "create")
		}
		if err != nil {
			return c.explain(err, "get")
		}
		if cm.Data[StateKey] == value {
			return nil
		}
		cm = cm.DeepCopy()
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		cm.Data[StateKey] = value
		if err := c.checkSize(cm.Data); err != nil {
			return err
		}
		_, err = configMaps.Update(ctx, cm, metav1.UpdateOptions{})
		return c.explain(err, "update")
	})
}

// checkSize refuses data the API server would refuse, with a clearer error.
func (c ConfigMapStore) checkSize(data map[string]string) error {
	size := 0
	for k, v := range data {
		size += len(k) + len(v)
	}
	if size > MaxConfigMapBytes {
		return fmt.Errorf("%s: the state is %d bytes with its key (and other keys), over the %d a ConfigMap holds (mostly the per-worker stats of the run): %w",
			c, size, MaxConfigMapBytes, errTooLarge)
	}
	return nil
}
