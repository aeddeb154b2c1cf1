package coc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// listOf answers list calls from n bindings, paging by limit and offset as the contract says,
// and records the offsets asked for. A simulator tenant holds at most one binding per platform,
// so more than one page needs this stand-in.
func listOf(n int, offsets *[]int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		*offsets = append(*offsets, offset)
		page := coc.BindingList{Total: n, List: []coc.Binding{}}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := offset; i < min(offset+limit, n); i++ {
			page.List = append(page.List, coc.Binding{
				AppType: coc.Lark, Status: coc.StatusEnabled, CreatedAt: at, UpdatedAt: at, KeyUpdatedAt: at,
				Fields: map[string]string{"app_id": fmt.Sprintf("cli_%04d", i), "service_id": "s"},
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(coc.Success(page))
	}
}

// AllBindings reads ⌈n/100⌉ pages of the largest size the API allows, and no page more: an
// exact multiple of the page size must not cost an extra, empty call.
func TestAllBindingsReadsEachPageOnce(t *testing.T) {
	for _, tc := range []struct {
		bindings    int
		wantOffsets []int
	}{
		{0, []int{0}},
		{3, []int{0}},
		{coc.MaxPageLimit, []int{0}},
		{2 * coc.MaxPageLimit, []int{0, 100}},
		{250, []int{0, 100, 200}},
	} {
		t.Run(strconv.Itoa(tc.bindings), func(t *testing.T) {
			var offsets []int
			client := rawClient(t, listOf(tc.bindings, &offsets), func(c *coc.Config) { c.MaxResponseBytes = coc.DefaultMaxResponseBytes })
			seen := map[string]bool{}
			for b, err := range client.AllBindings(context.Background(), "") {
				if err != nil {
					t.Fatal(err)
				}
				seen[b.Identifier()] = true
			}
			if len(seen) != tc.bindings {
				t.Errorf("read %d distinct bindings, want %d", len(seen), tc.bindings)
			}
			if fmt.Sprint(offsets) != fmt.Sprint(tc.wantOffsets) {
				t.Errorf("pages at offsets %v, want %v", offsets, tc.wantOffsets)
			}
		})
	}
}
