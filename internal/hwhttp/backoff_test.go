package hwhttp

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestBackoffGrowsIsCappedAndJittered(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, MaxRetryAfter: 5 * time.Second}
	ms := time.Millisecond
	for attempt, ceiling := range []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second, time.Second} {
		for _, r := range []float64{0, 0.5, 0.999} {
			b.Rand = func() float64 { return r }
			got := b.Wait(attempt, nil)
			lo, hi := ceiling/2, ceiling
			if got < lo || got > hi {
				t.Fatalf("attempt %d rand %.3f: wait %v outside [%v, %v]", attempt, r, got, lo, hi)
			}
		}
		b.Rand = func() float64 { return 0 }
		low := b.Wait(attempt, nil)
		b.Rand = func() float64 { return 0.999 }
		if high := b.Wait(attempt, nil); high <= low {
			t.Fatalf("attempt %d: no jitter (%v vs %v)", attempt, low, high)
		}
	}
	// Very large attempt numbers must neither overflow nor exceed the cap.
	if got := b.Wait(10_000, nil); got > b.Max || got <= 0 {
		t.Fatalf("attempt 10000: wait %v", got)
	}
}

func TestBackoffHonoursRetryAfterWithinBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, MaxRetryAfter: 10 * time.Second, Rand: func() float64 { return 0 }, Now: func() time.Time { return now }}
	cases := []struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		{429, "3", 3 * time.Second},
		{503, "2", 2 * time.Second},
		{429, "3600", 10 * time.Second},                    // bounded
		{429, "9300000000", 10 * time.Second},              // bounded before it is multiplied: no overflow
		{429, "99999999999999999999999", 10 * time.Second}, // beyond any integer: bounded too
		{429, now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		{429, now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{429, "soon", 50 * time.Millisecond}, // unparseable: ordinary backoff
		{500, "3", 50 * time.Millisecond},    // only 429 and 503 carry a meaningful Retry-After
	}
	for _, tc := range cases {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {tc.retryAfter}}}
		if got := b.Wait(0, resp); got != tc.want {
			t.Errorf("%d Retry-After %q: wait %v, want %v", tc.status, tc.retryAfter, got, tc.want)
		}
	}
	b.Rand = func() float64 { return 0.999 }
	for _, tc := range []struct {
		retryAfter string
		wait, most time.Duration
	}{
		{"1", time.Second, 100 * time.Millisecond}, // a tenth of the wait
		{"8", 8 * time.Second, b.Min / 2},          // never more than Min/2
	} {
		resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {tc.retryAfter}}}
		if got := b.Wait(0, resp); got <= tc.wait || got > tc.wait+tc.most {
			t.Errorf("Retry-After %s: wait %v; it must never be early, must be jittered and add at most %v", tc.retryAfter, got, tc.most)
		}
	}
}

// Retry-After-Ms, when a server sends it, is more precise than Retry-After and wins.
func TestBackoffPrefersRetryAfterMs(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, MaxRetryAfter: 10 * time.Second, Rand: func() float64 { return 0 }}
	cases := []struct {
		status           int
		retryAfterMs     string
		retryAfter, want time.Duration
	}{
		{429, "250", time.Second, 250 * time.Millisecond},
		{503, "1500", 2 * time.Second, 1500 * time.Millisecond},
		{429, "0", time.Second, 0},
		{429, "60000", time.Minute, 10 * time.Second},         // bounded
		{429, "9300000000000", time.Minute, 10 * time.Second}, // bounded before it is multiplied: no overflow
		{429, "-5", 3 * time.Second, 3 * time.Second},         // invalid: Retry-After
		{429, "0.25", 3 * time.Second, 3 * time.Second},       // invalid: Retry-After
		{500, "250", 3 * time.Second, 50 * time.Millisecond},  // not a throttling answer: ordinary backoff
	}
	for _, tc := range cases {
		header := http.Header{}
		header.Set(HeaderRetryAfterMs, tc.retryAfterMs)
		header.Set(HeaderRetryAfter, strconv.Itoa(int(tc.retryAfter/time.Second)))
		if got := b.Wait(0, &http.Response{StatusCode: tc.status, Header: header}); got != tc.want {
			t.Errorf("%d Retry-After-Ms %q: wait %v, want %v", tc.status, tc.retryAfterMs, got, tc.want)
		}
	}
}

// The rules for answers; those for errors without an answer are in failure_test.go.
func TestRetryRules(t *testing.T) {
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	status := func(code int) *Answer { return &Answer{StatusCode: code} }
	cases := []struct {
		name                 string
		ctx                  context.Context
		resp                 *Answer
		idempotent, creating bool
	}{
		{"200", ctx, status(200), false, false},
		{"400", ctx, status(400), false, false},
		{"404", ctx, status(404), false, false},
		{"409", ctx, status(409), false, false},
		{"429", ctx, status(429), true, true},
		{"500", ctx, status(500), true, false},
		{"501", ctx, status(501), false, false},
		{"502", ctx, status(502), true, false},
		{"503", ctx, status(503), true, false},
		{"canceled", canceled, status(503), false, false},
	}
	for _, tc := range cases {
		if got := RetryIdempotent(tc.ctx, tc.resp, nil); got != tc.idempotent {
			t.Errorf("%s: RetryIdempotent = %v, want %v", tc.name, got, tc.idempotent)
		}
		if got := RetryUnsent(tc.ctx, tc.resp, nil); got != tc.creating {
			t.Errorf("%s: RetryUnsent = %v, want %v", tc.name, got, tc.creating)
		}
	}
}
