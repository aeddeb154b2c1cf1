package simulator_test

import (
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

func (e *iamEnv) securityKey(t *testing.T) iamAnswer {
	t.Helper()
	return e.call(t, "GET", credentials.MetadataSecurityKeyPath, "", nil, nil)
}

// Without an agency attached the metadata service has no key (404); with one it serves a key in
// that account, the same one until half its lifetime has passed, then a new one.
func TestMetadataServesTheInstanceAgencysKey(t *testing.T) {
	e := newIAMEnv(t)
	if answer := e.securityKey(t); answer.status != 404 {
		t.Fatalf("without a metadata account: %d %s", answer.status, answer.body)
	}

	admin(t, e.server, "PUT", "/_sim/metadata", `{"domain_id":"target"}`, 204)
	start := e.clock.Now()
	first := e.securityKey(t)
	if first.status != 200 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	key := first.credential(t)
	if !key.ExpiresAt.Equal(start.Add(15 * time.Minute)) {
		t.Fatalf("expires_at %v", key.ExpiresAt)
	}
	e.clock.Advance(7*time.Minute + 29*time.Second)
	if again := e.securityKey(t).credential(t); again != key {
		t.Fatalf("before half its lifetime the same key is served: %+v, then %+v", key, again)
	}
	e.clock.Advance(time.Second)
	renewed := e.securityKey(t).credential(t)
	if renewed.AccessKey == key.AccessKey || !renewed.ExpiresAt.Equal(e.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("at half its lifetime a new key is served: %+v, then %+v", key, renewed)
	}
	list := e.sim.IssuedCredentials()
	if len(list) != 2 || list[0].Method != simulator.MethodMetadata || list[1].DomainID != "target" {
		t.Fatalf("issued credentials = %+v", list)
	}
	e.worksUntilExpiry(t, renewed)

	e.sim.SetMetadataAccount("")
	if answer := e.securityKey(t); answer.status != 404 {
		t.Fatalf("after detaching: %d %s", answer.status, answer.body)
	}
}

// Attaching another account's agency replaces the key at once.
func TestMetadataFollowsTheAttachedAccount(t *testing.T) {
	e := newIAMEnv(t)
	e.sim.SetMetadataAccount("target")
	first := e.securityKey(t).credential(t)
	e.sim.SetMetadataAccount("source")
	second := e.securityKey(t).credential(t)
	if list := e.sim.IssuedCredentials(); second.AccessKey == first.AccessKey || len(list) != 2 || list[1].DomainID != "source" {
		t.Fatalf("issued credentials = %+v", list)
	}
}
