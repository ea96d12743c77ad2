// Package local is the scaler that runs workers as child processes of this
// one (`stampede run`, or `stampede controller --scaler local`): Scale
// starts or stops `stampede worker` processes, and a child that dies is
// noticed and replaced while the desired count says so. Children get
// SIGTERM when their parent dies (on Linux), so no worker outlives it.
package local
