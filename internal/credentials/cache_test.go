package credentials_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// countingProvider hands out numbered credentials valid for lifetime (without expiry when zero),
// after gate opens when there is one, and counts its calls.
type countingProvider struct {
	clock    *testkit.Clock
	lifetime time.Duration
	gate     chan struct{}
	fail     error

	mu    sync.Mutex
	calls int
}

func (p *countingProvider) Retrieve(context.Context) (hwhttp.Credentials, error) {
	if p.gate != nil {
		<-p.gate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail != nil {
		return hwhttp.Credentials{}, p.fail
	}
	v := hwhttp.Credentials{AccessKey: fmt.Sprintf("AK%d", p.calls), SecretKey: fmt.Sprintf("SK-%d", p.calls)}
	if p.lifetime != 0 {
		v.SecurityToken = fmt.Sprintf("TOKEN-%d", p.calls)
		v.Expires = p.clock.Now().Add(p.lifetime)
	}
	return v, nil
}

func (p *countingProvider) String() string { return "the counting source" }

func (p *countingProvider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func newCache(p *countingProvider) *credentials.Cache {
	return credentials.NewCache(p, credentials.Options{Now: p.clock.Now})
}

// waitingContext reports when a caller of Cache.Retrieve waits for a resolution: only waiting
// asks for Done.
type waitingContext struct {
	context.Context
	once    sync.Once
	waiting *sync.WaitGroup
}

func (c *waitingContext) Done() <-chan struct{} {
	c.once.Do(c.waiting.Done)
	return c.Context.Done()
}

// Concurrent first callers wait for one resolution and share it.
func TestConcurrentCallersShareOneResolution(t *testing.T) {
	const callers = 20
	p := &countingProvider{clock: testkit.NewClock(), lifetime: time.Hour, gate: make(chan struct{})}
	cache := newCache(p)
	var waiting, done sync.WaitGroup
	waiting.Add(callers)
	got := make([]string, callers)
	for i := range callers {
		done.Go(func() {
			creds, err := cache.Retrieve(&waitingContext{Context: context.Background(), waiting: &waiting})
			if err != nil {
				t.Error(err)
			}
			got[i] = creds.AccessKey
		})
	}
	waiting.Wait() // every caller is waiting before the resolution may finish
	close(p.gate)
	done.Wait()
	if p.count() != 1 {
		t.Fatalf("%d resolutions for %d concurrent callers, want 1", p.count(), callers)
	}
	if strings.Count(strings.Join(got, " "), "AK1") != callers {
		t.Fatalf("callers got %v, want AK1 each", got)
	}
}

// Credentials are renewed when less than min(5 minutes, half their lifetime) remains.
func TestRenewalThresholds(t *testing.T) {
	cases := []struct {
		lifetime, kept, renewed time.Duration
	}{
		{15 * time.Second, 7400 * time.Millisecond, 7600 * time.Millisecond}, // half: renewed with < 7.5 s left
		{time.Hour, 54*time.Minute + 59*time.Second, 55*time.Minute + time.Second},
		{8 * time.Minute, 3*time.Minute + 59*time.Second, 4*time.Minute + time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.lifetime.String(), func(t *testing.T) {
			p := &countingProvider{clock: testkit.NewClock(), lifetime: tc.lifetime}
			cache := newCache(p)
			retrieve(t, cache)
			p.clock.Advance(tc.kept)
			if creds := retrieve(t, cache); creds.AccessKey != "AK1" {
				t.Fatalf("after %v of %v: %s, want the first credentials kept", tc.kept, tc.lifetime, creds.AccessKey)
			}
			p.clock.Advance(tc.renewed - tc.kept)
			if creds := retrieve(t, cache); creds.AccessKey != "AK2" {
				t.Fatalf("after %v of %v: %s, want renewed credentials", tc.renewed, tc.lifetime, creds.AccessKey)
			}
		})
	}
}

// Credentials without an expiry (a key pair the provider was given) are resolved once.
func TestCredentialsWithoutExpiryAreKept(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock()}
	cache := newCache(p)
	retrieve(t, cache)
	p.clock.Advance(1000 * time.Hour)
	retrieve(t, cache)
	if p.count() != 1 {
		t.Fatalf("%d resolutions, want 1", p.count())
	}
}

// Expire renews credentials COC refused, once for all the callers that report them.
func TestExpireRenewsOnce(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock(), lifetime: time.Hour}
	cache := newCache(p)
	first := retrieve(t, cache)
	for range 3 { // three requests refused with the same credentials
		if err := cache.Expire(first); err != nil {
			t.Fatal(err)
		}
	}
	if creds := retrieve(t, cache); creds.AccessKey != "AK2" {
		t.Fatalf("%s after Expire, want renewed credentials", creds.AccessKey)
	}
	if err := cache.Expire(first); err != nil || retrieve(t, cache).AccessKey != "AK2" {
		t.Fatal("expiring credentials already renewed must keep the renewed ones")
	}
}

// A security token the provider was given cannot be renewed: Expire says so, and every later
// call fails at once with the same words instead of sending a request bound to fail.
func TestExpiredCredentialsThatCannotBeRenewedFailFromThenOn(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock()}
	cache := newCache(p)
	err := cache.Expire(retrieve(t, cache))
	if err == nil || !strings.Contains(err.Error(), "security token of the counting source as expired") || !strings.Contains(err.Error(), "cannot renew") {
		t.Fatalf("want an error saying the credentials cannot be renewed, got %v", err)
	}
	if _, again := cache.Retrieve(context.Background()); !errors.Is(again, err) {
		t.Fatalf("Retrieve after the refusal: %v, want %v", again, err)
	}
	if p.count() != 1 {
		t.Fatalf("%d resolutions, want 1", p.count())
	}
}

// A failed resolution is not kept: the next caller tries again.
func TestFailuresAreNotCached(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock(), lifetime: time.Hour, fail: errors.New("IAM is down")}
	cache := newCache(p)
	if _, err := cache.Retrieve(context.Background()); err == nil || err.Error() != "IAM is down" {
		t.Fatalf("want the provider's error, got %v", err)
	}
	p.mu.Lock()
	p.fail = nil
	p.mu.Unlock()
	if creds := retrieve(t, cache); creds.AccessKey != "AK2" {
		t.Fatalf("%s, want the second resolution's credentials", creds.AccessKey)
	}
}

// Credentials that expired before they arrived point at the clock.
func TestCredentialsAlreadyExpiredPointAtTheClock(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock(), lifetime: -time.Minute}
	_, err := newCache(p).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "check the clock") || !strings.Contains(err.Error(), "the counting source") {
		t.Fatalf("want an error about the clock, got %v", err)
	}
}

// A caller that gives up does not cancel the resolution the others wait for.
func TestACallerGivingUpLeavesTheResolutionToTheOthers(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock(), lifetime: time.Hour, gate: make(chan struct{})}
	cache := newCache(p)
	ctx, cancel := context.WithCancel(context.Background())
	var waiting sync.WaitGroup
	waiting.Add(1)
	gaveUp := make(chan error)
	go func() {
		_, err := cache.Retrieve(&waitingContext{Context: ctx, waiting: &waiting})
		gaveUp <- err
	}()
	waiting.Wait()
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller that gave up got %v", err)
	}
	close(p.gate)
	if creds := retrieve(t, cache); creds.AccessKey != "AK1" || p.count() != 1 {
		t.Fatalf("%s after %d resolutions, want the first resolution's credentials", creds.AccessKey, p.count())
	}
}

// A renewal that fails while the credentials are still good keeps them, tries again a little
// later rather than on every request, and gives up only when they are about to expire.
func TestFailedRenewalKeepsCredentialsThatAreStillGood(t *testing.T) {
	p := &countingProvider{clock: testkit.NewClock(), lifetime: time.Hour}
	cache := newCache(p)
	first := retrieve(t, cache)
	p.fail = errors.New("IAM is unavailable")

	p.clock.Advance(56 * time.Minute) // due for renewal, 4 minutes left
	if got := retrieve(t, cache); got != first || p.count() != 2 {
		t.Fatalf("after a failed renewal got %v (%d calls), want the current credentials %v after 2 calls", got, p.count(), first)
	}
	p.clock.Advance(10 * time.Second)
	if retrieve(t, cache); p.count() != 2 {
		t.Fatalf("renewal tried again after 10 s (%d calls); want it to wait", p.count())
	}
	p.clock.Advance(25 * time.Second)
	if got := retrieve(t, cache); got != first || p.count() != 3 {
		t.Fatalf("got %v after %d calls; want the current credentials after a third, failed, try", got, p.count())
	}

	p.clock.Advance(3*time.Minute + 5*time.Second) // 20 s left: too close to expiry to sign with
	if _, err := cache.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "IAM is unavailable") {
		t.Fatalf("err = %v; want the renewal's error once the credentials are about to expire", err)
	}
	p.fail = nil
	if got := retrieve(t, cache); got == first {
		t.Fatalf("got the old credentials %v; want renewed ones once renewal works", got)
	}
}
