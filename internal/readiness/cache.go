package readiness

import (
	"context"
	"slices"
	"sync"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
)

// Cache remembers the verdicts of each probe (a token call and the reads that use its token)
// for the life of the process, so that a platform is asked once about the same app, values and
// endpoint however often the provider plans. It keeps keyed hashes of what was asked, never a
// value in clear, and lets concurrent callers of the same probe wait for one answer. The zero
// value is ready to use.
type Cache struct {
	keys    appcheck.Memory
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	done chan struct{}
	// verdicts are the probe's; kept says that they are remembered (a probe its caller
	// abandoned is asked again).
	verdicts []Verdict
	kept     bool
}

// key hashes what a probe asks.
func (c *Cache) key(parts ...string) string { return c.keys.Key(parts...) }

// do returns the verdicts remembered under key, or asks for them once however many callers
// want them at the same time. ask reports whether its verdicts may be remembered. Waiting
// callers give up when ctx ends, with found false.
func (c *Cache) do(ctx context.Context, key string, ask func() ([]Verdict, bool)) (verdicts []Verdict, remembered, found bool) {
	for {
		c.mu.Lock()
		if c.entries == nil {
			c.entries = map[string]*cacheEntry{}
		}
		e, ok := c.entries[key]
		if !ok {
			e = &cacheEntry{done: make(chan struct{})}
			c.entries[key] = e
			c.mu.Unlock()
			e.verdicts, e.kept = ask()
			c.mu.Lock()
			if !e.kept {
				delete(c.entries, key)
			}
			c.mu.Unlock()
			close(e.done)
			return slices.Clone(e.verdicts), false, true
		}
		c.mu.Unlock()
		select {
		case <-e.done:
			if e.kept {
				return slices.Clone(e.verdicts), true, true
			}
			// The caller that asked gave up: ask again.
		case <-ctx.Done():
			return nil, false, false
		}
	}
}
