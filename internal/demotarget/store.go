package demotarget

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// Item is one ToDo item as the API shows it.
type Item struct {
	ID          int64  `json:"Id"`
	Description string `json:"Description"`
	Completed   bool   `json:"Completed"`
}

// itemPatch holds the fields of an update; nil fields keep their value.
type itemPatch struct {
	Description *string
	Completed   *bool
}

// storeShards spreads items over independently locked maps so that
// concurrent requests for different ids rarely wait for each other.
const storeShards = 64

// store is the in-memory, concurrency-safe ToDo store.
type store struct {
	lastID atomic.Int64 // ids are handed out increasing from 1
	live   atomic.Int64 // items currently stored
	shards [storeShards]storeShard
}

type storeShard struct {
	mu    sync.RWMutex
	items map[int64]todo
	// Keeps two shards' locks off one cache line, so cores do not fight
	// over it.
	_ [64]byte
}

// todo is an item without its id, which is the map key.
type todo struct {
	description string
	completed   bool
}

func newStore() *store {
	st := &store{}
	for i := range st.shards {
		st.shards[i].items = make(map[int64]todo)
	}
	return st
}

func (st *store) shard(id int64) *storeShard {
	return &st.shards[uint64(id)%storeShards]
}

// create stores a new item and returns it with its id.
func (st *store) create(description string, completed bool) Item {
	id := st.lastID.Add(1)
	sh := st.shard(id)
	sh.mu.Lock()
	sh.items[id] = todo{description: description, completed: completed}
	sh.mu.Unlock()
	st.live.Add(1)
	return Item{ID: id, Description: description, Completed: completed}
}

// get returns the item with the id, if stored.
func (st *store) get(id int64) (Item, bool) {
	sh := st.shard(id)
	sh.mu.RLock()
	t, ok := sh.items[id]
	sh.mu.RUnlock()
	return Item{ID: id, Description: t.description, Completed: t.completed}, ok
}

// update applies a patch to the item with the id, if stored, and returns the
// updated item.
func (st *store) update(id int64, patch itemPatch) (Item, bool) {
	sh := st.shard(id)
	sh.mu.Lock()
	t, ok := sh.items[id]
	if ok {
		if patch.Description != nil {
			t.description = *patch.Description
		}
		if patch.Completed != nil {
			t.completed = *patch.Completed
		}
		sh.items[id] = t
	}
	sh.mu.Unlock()
	return Item{ID: id, Description: t.description, Completed: t.completed}, ok
}

// remove deletes the item with the id and reports whether it was stored.
func (st *store) remove(id int64) bool {
	sh := st.shard(id)
	sh.mu.Lock()
	_, ok := sh.items[id]
	if ok {
		delete(sh.items, id)
	}
	sh.mu.Unlock()
	if ok {
		st.live.Add(-1)
	}
	return ok
}

// len returns the number of stored items.
func (st *store) len() int { return int(st.live.Load()) }

// list returns the stored items with the lowest ids, at most limit of them,
// sorted by id. It holds one shard's lock at a time, so it is a consistent
// view of each shard, not of the whole store.
func (st *store) list(limit int) []Item {
	if limit <= 0 {
		return []Item{}
	}
	byID := func(a, b Item) int { return cmp.Compare(a.ID, b.ID) }
	// Sorting and truncating whenever the slice reaches twice the limit
	// keeps the memory bounded by the limit, not by the store size.
	items := make([]Item, 0, min(2*limit, st.len()+1))
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.RLock()
		for id, t := range sh.items {
			if len(items) == 2*limit {
				slices.SortFunc(items, byID)
				items = items[:limit]
			}
			items = append(items, Item{ID: id, Description: t.description, Completed: t.completed})
		}
		sh.mu.RUnlock()
	}
	slices.SortFunc(items, byID)
	if len(items) > limit {
		items = items[:limit]
	}
	return items
}
