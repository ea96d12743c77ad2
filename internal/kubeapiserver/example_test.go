package kubeapiserver_test

import (
	"context"
	"fmt"
	"log"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stampedehq/stampede/internal/kubeapiserver"
)

// A test starts a cluster, uses the admin client to set up objects, and
// hands a program a kubeconfig with a narrower token. (No Output: it needs
// the binaries scripts/ensure-kube-apiserver installs.)
func ExampleStart() {
	dir, err := os.MkdirTemp("", "kube")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cluster, err := kubeapiserver.Start(context.Background(), kubeapiserver.Options{Dir: dir})
	if err != nil {
		log.Fatal(err) // names make deps when kube-apiserver or etcd is missing
	}
	defer cluster.Stop()
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		log.Fatal(err)
	}
	namespaces, err := admin.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(namespaces.Items) > 0)
	if err := cluster.AdminKubeconfig(dir + "/kubeconfig"); err != nil {
		log.Fatal(err)
	}
}
