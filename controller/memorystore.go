package controller

import (
	"context"
	"encoding/json"
	"sync"
)

// MemoryStore keeps the state in memory, encoded as the file would hold it,
// so that a Load never shares anything with what was saved. It is for tests
// and for controllers whose state may die with them. The zero value is
// empty and ready to use.
type MemoryStore struct {
	mu   sync.Mutex
	data []byte
}

func (m *MemoryStore) String() string { return "memory" }

// Load returns a copy of the last state saved, or an empty one.
func (m *MemoryStore) Load(ctx context.Context) (*State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		return &State{Version: StateVersion}, nil
	}
	return decodeState("(memory)", m.data)
}

// Save keeps a copy of s.
func (m *MemoryStore) Save(ctx context.Context, s *State) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = data
	return nil
}
