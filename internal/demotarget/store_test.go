package demotarget

import (
	"encoding/json"
	"testing"
)

// TestStoreList checks that list returns the lowest ids, sorted, capped at
// the limit, whatever the store size and however the shards fill.
func TestStoreList(t *testing.T) {
	tests := []struct {
		name      string
		create    int
		deleteOdd bool // delete the items with odd ids
		limit     int
		wantIDs   []int64 // the first ids expected; wantLen in all
		wantLen   int
	}{
		{name: "empty", create: 0, limit: 1000, wantLen: 0},
		{name: "few", create: 5, limit: 1000, wantIDs: []int64{1, 2, 3, 4, 5}, wantLen: 5},
		{name: "exactly the limit", create: 1000, limit: 1000, wantIDs: []int64{1, 2}, wantLen: 1000},
		{name: "past twice the limit", create: 2500, limit: 1000, wantIDs: []int64{1, 2, 3}, wantLen: 1000},
		{name: "with holes", create: 2500, deleteOdd: true, limit: 1000, wantIDs: []int64{2, 4, 6}, wantLen: 1000},
		{name: "small limit", create: 300, limit: 7, wantIDs: []int64{1, 2, 3, 4, 5, 6, 7}, wantLen: 7},
		{name: "no limit", create: 3, limit: 0, wantLen: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore()
			for range tt.create {
				st.create("d", false)
			}
			if tt.deleteOdd {
				for id := int64(1); id <= int64(tt.create); id += 2 {
					st.remove(id)
				}
			}
			items := st.list(tt.limit)
			if len(items) != tt.wantLen {
				t.Fatalf("%d items, want %d", len(items), tt.wantLen)
			}
			for i, want := range tt.wantIDs {
				if items[i].ID != want {
					t.Errorf("item %d has id %d, want %d", i, items[i].ID, want)
				}
			}
			for i := 1; i < len(items); i++ {
				if items[i-1].ID >= items[i].ID {
					t.Fatalf("ids not increasing at %d: %d then %d", i, items[i-1].ID, items[i].ID)
				}
			}
			if text, _ := json.Marshal(items); len(items) == 0 && string(text) != "[]" {
				t.Errorf("empty list encodes as %s, want []", text)
			}
		})
	}
}

func TestStoreCounts(t *testing.T) {
	st := newStore()
	a := st.create("a", false)
	b := st.create("b", true)
	if st.len() != 2 {
		t.Fatalf("len %d, want 2", st.len())
	}
	if !st.remove(a.ID) || st.remove(a.ID) {
		t.Fatal("remove: want true once, then false")
	}
	if _, ok := st.update(a.ID, itemPatch{}); ok {
		t.Error("update of a removed item succeeded")
	}
	done := true
	if got, ok := st.update(b.ID, itemPatch{Completed: &done}); !ok || got != (Item{ID: b.ID, Description: "b", Completed: true}) {
		t.Errorf("update = %+v, %v", got, ok)
	}
	if st.len() != 1 {
		t.Errorf("len %d, want 1", st.len())
	}
}
