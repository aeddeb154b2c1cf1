package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

var listedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// bindingOf is a well-formed binding of platform p, as COC would list it.
func bindingOf(p platforms.Platform) coc.Binding {
	fields := map[string]string{}
	for _, name := range p.NonSecretNames() {
		fields[name] = name + "-1"
	}
	return coc.Binding{AppType: p.AppType, Status: coc.StatusEnabled, CreatedAt: listedAt, UpdatedAt: listedAt, KeyUpdatedAt: listedAt, Fields: fields}
}

// listOf answers list calls from one binding per platform of the first n, paging by limit and
// offset as the contract says but never more than pageCap items a page, as a server with a
// smaller page size than asked for would; it records the offsets asked for.
func listOf(n, pageCap int, offsets *[]int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		*offsets = append(*offsets, offset)
		page := coc.BindingList{Total: n, List: []coc.Binding{}}
		for i := offset; i < min(offset+limit, offset+pageCap, n); i++ {
			page.List = append(page.List, bindingOf(platforms.All()[i]))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(simulator.Success(page))
	}
}

// AllBindings reads the pages it needs and no page more: a tenant's bindings fit in one page of
// the largest size the API allows, and a server that pages more finely is followed to its end.
func TestAllBindingsReadsEachPageOnce(t *testing.T) {
	n := len(platforms.All())
	for _, tc := range []struct {
		bindings, pageCap int
		wantOffsets       []int
	}{
		{0, coc.MaxPageLimit, []int{0}},
		{1, coc.MaxPageLimit, []int{0}},
		{n, coc.MaxPageLimit, []int{0}},
		{n, 1, pageOffsets(n, 1)},
		{n, 2, pageOffsets(n, 2)},
	} {
		t.Run(fmt.Sprintf("%d bindings, %d a page", tc.bindings, tc.pageCap), func(t *testing.T) {
			var offsets []int
			client := rawClient(t, listOf(tc.bindings, tc.pageCap, &offsets))
			seen := map[platforms.AppType]bool{}
			for b, err := range client.AllBindings(context.Background(), "") {
				if err != nil {
					t.Fatal(err)
				}
				seen[b.AppType] = true
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

// pageOffsets are the offsets of the pages of size that n bindings take.
func pageOffsets(n, size int) []int {
	var out []int
	for offset := 0; offset < n; offset += size {
		out = append(out, offset)
	}
	return out
}

// A list that COC could not have answered stops at once, with an error naming what is wrong:
// a page repeated forever with a large total, more bindings than app types, another app type
// than the filter's, an empty page before the total is reached. None takes more than two calls.
func TestAllBindingsStopsAtAListCOCCouldNotHaveAnswered(t *testing.T) {
	lark, wecom := bindingOf(mustPlatform(t, platforms.Lark)), bindingOf(mustPlatform(t, platforms.WeCom))
	for _, tc := range []struct {
		name   string
		filter platforms.AppType
		page   coc.BindingList
		want   string
	}{
		{"one page repeated, total 2", "", coc.BindingList{Total: 2, List: []coc.Binding{lark}}, "repeats the lark binding of an earlier page"},
		{"one page repeated, total 250", "", coc.BindingList{Total: 250, List: []coc.Binding{lark}}, fmt.Sprintf("data.total is 250, but a tenant binds at most %d", len(platforms.All()))},
		{"total 10⁹", "", coc.BindingList{Total: 1_000_000_000, List: []coc.Binding{lark}}, "data.total is 1000000000"},
		{"two of one app type", "", coc.BindingList{Total: 2, List: []coc.Binding{lark, lark}}, "data.list[1] is a second lark binding"},
		{"the filter ignored", platforms.Lark, coc.BindingList{Total: 1, List: []coc.Binding{wecom}}, `data.list[0].app_type is "wecom", but the list asked for "lark" only`},
		{"an empty page short of the total", "", coc.BindingList{Total: 1, List: []coc.Binding{}}, "the page at offset 0 is empty, but data.total is 1"},
		{"a negative total", "", coc.BindingList{Total: -1, List: []coc.Binding{}}, "data.total is -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			client := rawClient(t, func(w http.ResponseWriter, _ *http.Request) {
				calls++
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(simulator.Success(tc.page))
			})
			var err error
			for _, e := range client.AllBindings(context.Background(), tc.filter) {
				if e != nil {
					err = e
					break
				}
			}
			if !errors.Is(err, coc.ErrResponse) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a malformed response saying %q", err, tc.want)
			}
			if calls > 2 {
				t.Errorf("%d list calls, want at most 2", calls)
			}
		})
	}
}

func mustPlatform(t *testing.T, at platforms.AppType) platforms.Platform {
	t.Helper()
	p, err := platforms.For(at)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
