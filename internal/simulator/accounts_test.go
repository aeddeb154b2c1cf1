package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

const larkBinding = `{"app_id":"cli_0123456789abcdef","app_secret":"s1","service_id":"s1"}`

// boundLark lists, per access key, whether that key's account has a lark binding.
func boundLark(t *testing.T, sim *simulator.Simulator, keys ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, k := range keys {
		states, err := sim.Bindings(k)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = len(states) == 1 && states[0].AppType == platforms.Lark
	}
	return out
}

// Keys that name one domain_id act on one account: what one binds, the other reads, updates and
// deletes. Keys of another domain, and keys declared without a domain, see their own accounts.
func TestKeysOfOneDomainShareItsBindings(t *testing.T) {
	first := simulator.Tenant{AccessKey: "AKFIRST", SecretKey: "SKFIRST", DomainID: "shared"}
	second := simulator.Tenant{AccessKey: "AKSECOND", SecretKey: "SKSECOND", DomainID: "shared", SecurityToken: "token-second"}
	other := simulator.Tenant{AccessKey: "AKOTHER", SecretKey: "SKOTHER", DomainID: "other"}
	loneA := simulator.Tenant{AccessKey: "AKLONEA", SecretKey: "SKLONEA"}
	loneB := simulator.Tenant{AccessKey: "AKLONEB", SecretKey: "SKLONEB"}
	sim, server := start(t, first, second, other, loneA, loneB)
	ctx := context.Background()
	keys := []string{first.AccessKey, second.AccessKey, other.AccessKey, loneA.AccessKey, loneB.AccessKey}

	bindWith := func(tn simulator.Tenant) {
		t.Helper()
		c := client(t, server, hwhttp.Credentials{AccessKey: tn.AccessKey, SecretKey: tn.SecretKey, SecurityToken: tn.SecurityToken})
		if _, err := c.CreateBinding(ctx, platforms.Lark, larkRequest()); err != nil {
			t.Fatalf("%s: %v", tn.AccessKey, err)
		}
	}
	bindWith(first)
	if got := boundLark(t, sim, keys...); !got[first.AccessKey] || !got[second.AccessKey] || got[other.AccessKey] || got[loneA.AccessKey] || got[loneB.AccessKey] {
		t.Fatalf("after a bind through %s: %v", first.AccessKey, got)
	}
	viaSecond := client(t, server, hwhttp.Credentials{AccessKey: second.AccessKey, SecretKey: second.SecretKey, SecurityToken: second.SecurityToken})
	if _, err := viaSecond.CreateBinding(ctx, platforms.Lark, larkRequest()); !errors.Is(err, coc.ErrAlreadyBound) {
		t.Fatalf("the second key of the account must find the lark app bound, got %v", err)
	}
	if err := viaSecond.DeleteBinding(ctx, platforms.Lark, "cli_0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if got := boundLark(t, sim, first.AccessKey); got[first.AccessKey] {
		t.Fatal("a delete through the second key left the binding in place for the first")
	}

	// Two keys without a domain are two accounts.
	bindWith(loneA)
	if got := boundLark(t, sim, keys...); !got[loneA.AccessKey] || got[loneB.AccessKey] || got[first.AccessKey] {
		t.Fatalf("after a bind through %s: %v", loneA.AccessKey, got)
	}
}

func larkRequest() coc.BindingRequest {
	return coc.BindingRequest{
		Fields:  map[string]string{"app_id": "cli_0123456789abcdef", "service_id": "s1"},
		Secrets: map[string]string{"app_secret": "s1"},
	}
}

// A key declared again with another domain moves to that account; the bindings stay with the
// account they were made in. A key declared again without a domain keeps its own account.
func TestRedeclaredKeysFollowTheirDomain(t *testing.T) {
	sim, server := start(t, simulator.Tenant{AccessKey: "AKSTAY", SecretKey: "SKSTAY", DomainID: "d1"})
	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AKMOVE","secret_key":"SKMOVE","domain_id":"d1"},{"access_key":"AKLONE","secret_key":"SKLONE"}]`, 204)
	for _, ak := range []string{"AKMOVE", "AKLONE"} {
		if err := sim.ConsoleBind(ak, platforms.Lark, []byte(larkBinding)); err != nil {
			t.Fatal(err)
		}
	}
	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AKMOVE","secret_key":"SKMOVE2","domain_id":"d2"},{"access_key":"AKLONE","secret_key":"SKLONE2"}]`, 204)
	if got := boundLark(t, sim, "AKSTAY", "AKMOVE", "AKLONE"); !got["AKSTAY"] || got["AKMOVE"] || !got["AKLONE"] {
		t.Fatalf("after redeclaring: %v", got)
	}
	moved := client(t, server, hwhttp.Credentials{AccessKey: "AKMOVE", SecretKey: "SKMOVE2"})
	if _, err := moved.ListBindings(context.Background(), coc.ListOptions{}); err != nil {
		t.Fatalf("the redeclared key's new secret: %v", err)
	}
}

// The rate limit is the account's: its keys draw from one bucket, other accounts from theirs.
func TestRateLimitIsPerAccount(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	keys := []simulator.Tenant{
		{AccessKey: "AKONE", SecretKey: "SKONE", DomainID: "shared"},
		{AccessKey: "AKTWO", SecretKey: "SKTWO", DomainID: "shared"},
		{AccessKey: "AKELSE", SecretKey: "SKELSE", DomainID: "else"},
	}
	sim := simulator.New(keys, simulator.WithClock(now))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	sim.SetRateLimit(1, 2)
	list := func(tn simulator.Tenant) error {
		c, err := coc.NewClient(coc.Config{Endpoint: server.URL, Credentials: hwhttp.Credentials{AccessKey: tn.AccessKey, SecretKey: tn.SecretKey}, MaxRetries: -1, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListBindings(context.Background(), coc.ListOptions{})
		return err
	}
	for i, tn := range []simulator.Tenant{keys[0], keys[1]} {
		if err := list(tn); err != nil {
			t.Fatalf("request %d of the burst: %v", i, err)
		}
	}
	if err := list(keys[0]); !errors.Is(err, coc.ErrThrottled) {
		t.Fatalf("the account's burst is spent: want ErrThrottled, got %v", err)
	}
	if err := list(keys[2]); err != nil {
		t.Fatalf("another account is not throttled: %v", err)
	}
}

// A temporary key works until its expires_at; from then on a correctly signed request gets 401
// APIG.0301 with the message clients recognise, while a wrongly signed one still reads as a bad
// signature, so that only the key's holder learns that it expired.
func TestTemporaryKeysExpire(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	temp := simulator.Tenant{AccessKey: "AKTEMP", SecretKey: "SKTEMP", DomainID: "dom", SecurityToken: "token-1", ExpiresAt: clock.Add(time.Minute)}
	sim := simulator.New([]simulator.Tenant{temp}, simulator.WithClock(now))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	get := func(secret string) (int, coc.ErrorBody) {
		req, err := http.NewRequest("GET", server.URL+coc.MobileAppsPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: temp.AccessKey, SecretKey: secret, SecurityToken: temp.SecurityToken}, Now: now}.Sign(req, nil)
		return send(t, req)
	}

	clock = temp.ExpiresAt.Add(-time.Millisecond)
	if status, answer := get(temp.SecretKey); status != 200 {
		t.Fatalf("a millisecond before expiry: %d %+v", status, answer)
	}
	clock = temp.ExpiresAt
	status, answer := get(temp.SecretKey)
	if status != 401 || answer.ErrorCode != hwhttp.CodeBadSignature || !strings.Contains(answer.ErrorMsg, simulator.SecurityTokenExpired) {
		t.Fatalf("at expiry: %d %+v", status, answer)
	}
	status, answer = get("not-the-secret")
	if status != 401 || answer.ErrorCode != hwhttp.CodeBadSignature || strings.Contains(answer.ErrorMsg, simulator.SecurityTokenExpired) {
		t.Fatalf("a bad signature on an expired key: %d %+v", status, answer)
	}
}

func TestOnlyTemporaryKeysExpire(t *testing.T) {
	_, server := start(t)
	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AKX","secret_key":"SKX","expires_at":"2026-01-02T03:04:05Z"}]`, 400)
	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AKX","secret_key":"SKX","security_token":"t","expires_at":"2026-01-02T03:04:05+08:00"}]`, 204)
	var listed []simulator.Tenant
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/tenants", "", 200), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || listed[0].AccessKey != "AKSIM" || !listed[0].ExpiresAt.IsZero() ||
		!listed[1].ExpiresAt.Equal(time.Date(2026, 1, 1, 19, 4, 5, 0, time.UTC)) {
		t.Fatalf("tenants = %+v", listed)
	}
}
