package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileStore keeps the state in a JSON file (--state-file), replaced
// atomically: written to a temporary file in the same directory, synced, and
// renamed over the old one, so that a crash leaves the old state or the new
// one, never half of one.
type FileStore struct {
	Path string
}

func (f FileStore) String() string { return "state file " + f.Path }

// Load reads the file. A missing file is a fresh state; a corrupt one is an
// error naming the file.
func (f FileStore) Load(ctx context.Context) (*State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Version: StateVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", f.Path, err)
	}
	return decodeState(f.Path, data)
}

// decodeState reads a saved state; errors name where it came from.
func decodeState(from string, data []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt (%v): fix it, or move it away to start afresh", from, err)
	}
	if s.Version != StateVersion {
		return nil, fmt.Errorf("state file %s has version %d; this controller reads version %d", from, s.Version, StateVersion)
	}
	return &s, nil
}

// Save writes s to the file atomically.
func (f FileStore) Save(ctx context.Context, s *State) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("state file %s: encoding: %w", f.Path, err)
	}
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", f.Path, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("state file %s: writing %s: %w", f.Path, tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("state file %s: syncing %s: %w", f.Path, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file %s: closing %s: %w", f.Path, tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("state file %s: %w", f.Path, err)
	}
	done = true
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the system allows it; failing that
// the rename is still atomic, only perhaps not yet on disk.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
