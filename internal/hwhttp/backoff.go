package hwhttp

import (
	"cmp"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff decides how long to wait before retry number attempt (0-based).
type Backoff struct {
	Min time.Duration
	Max time.Duration
	// MaxRetryAfter bounds how long a server's Retry-After may hold us; a gateway asking for an
	// hour must not hang a terraform run.
	MaxRetryAfter time.Duration
	// Rand returns a number in [0, 1); overridable so tests are deterministic.
	Rand func() float64
	// Now is used to interpret an HTTP-date Retry-After.
	Now func() time.Time
}

// Defaults of Backoff and of the clients' retries.
const (
	DefaultMaxRetries = 5
	// MaxRetriesLimit bounds max_retries: at the backoff's cap, 20 retries already hold a
	// failing call for several minutes.
	MaxRetriesLimit      = 20
	DefaultBackoffBase   = 500 * time.Millisecond
	DefaultBackoffCap    = 20 * time.Second
	DefaultRetryAfterCap = 60 * time.Second
)

// Headers with which a 429 or 503 says how long to wait.
const (
	HeaderRetryAfter = "Retry-After"
	// HeaderRetryAfterMs gives the wait in milliseconds. Retry-After's whole seconds are coarse
	// next to a limit of several requests per second: a request refused just before the next
	// token would be told to wait a whole second. (Azure's APIs send the same header.)
	HeaderRetryAfterMs = "Retry-After-Ms"
)

// WithDefaults fills in the zero fields with the package's defaults.
func (b Backoff) WithDefaults() Backoff {
	b.Min = cmp.Or(b.Min, DefaultBackoffBase)
	b.Max = cmp.Or(b.Max, DefaultBackoffCap)
	b.MaxRetryAfter = cmp.Or(b.MaxRetryAfter, DefaultRetryAfterCap)
	return b
}

// Wait returns the delay before the next attempt. On a 429 or 503 the server's wait
// (Retry-After-Ms, else Retry-After in seconds or as an HTTP-date) is honoured up to
// MaxRetryAfter, plus a little jitter; otherwise the delay grows exponentially from Min, is
// capped at Max, and is jittered to between half and all of that so that many clients throttled
// together do not retry in lockstep.
func (b Backoff) Wait(attempt int, resp *http.Response) time.Duration {
	random := b.Rand
	if random == nil {
		random = rand.Float64
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := b.ServerWait(resp.Header); ok {
			// A little jitter on top keeps throttled callers from returning in the same instant,
			// without ever retrying before the server asked. It is kept to a tenth of the wait
			// (at most Min/2): a throttled apply spends most of its time in these waits.
			return d + time.Duration(random()*float64(min(d/10, b.Min/2)))
		}
	}
	ceiling := float64(b.Min) * math.Pow(2, float64(attempt))
	if ceiling > float64(b.Max) || math.IsInf(ceiling, 0) {
		ceiling = float64(b.Max)
	}
	return time.Duration(ceiling/2 + random()*ceiling/2)
}

// ServerWait is the wait a 429's or 503's headers ask for, capped at MaxRetryAfter:
// Retry-After-Ms when present, else Retry-After in seconds or as an HTTP-date.
func (b Backoff) ServerWait(h http.Header) (time.Duration, bool) {
	b = b.WithDefaults()
	d, ok := b.count(h.Get(HeaderRetryAfterMs), time.Millisecond)
	if !ok {
		d, ok = b.retryAfter(h.Get(HeaderRetryAfter))
	}
	return min(d, b.MaxRetryAfter), ok
}

// count reads a non-negative number of units, capped at MaxRetryAfter before any arithmetic: a
// server asking for 9300000000 seconds must not overflow into a negative or absurd wait.
func (b Backoff) count(v string, unit time.Duration) (time.Duration, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case n < 0 || err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, false
	case n > int64(b.MaxRetryAfter/unit): // beyond int64 too: ParseInt saturates
		return b.MaxRetryAfter, true
	}
	return time.Duration(n) * unit, true
}

func (b Backoff) retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if d, ok := b.count(v, time.Second); ok {
		return d, true
	}
	if at, err := http.ParseTime(v); err == nil {
		now := time.Now
		if b.Now != nil {
			now = b.Now
		}
		return max(at.Sub(now()), 0), true
	}
	return 0, false
}

// Sleep waits d, or less when ctx ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
