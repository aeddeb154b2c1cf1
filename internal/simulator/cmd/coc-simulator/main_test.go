package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenants.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTenantsFileAsAList(t *testing.T) {
	w, err := loadWorld(writeFile(t, ` [{"access_key":"AK1","secret_key":"SK1","domain_id":"d"},
		{"access_key":"AK2","secret_key":"SK2","domain_id":"d","security_token":"t","expires_at":"2026-01-02T03:04:05Z"}]`))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := w.simulator()
	if err != nil {
		t.Fatal(err)
	}
	if got := sim.Tenants(); len(got) != 2 || got[1].SecurityToken != "t" || got[1].ExpiresAt.IsZero() {
		t.Fatalf("tenants = %+v", got)
	}
}

func TestTenantsFileDeclaresIAMAndMetadata(t *testing.T) {
	w, err := loadWorld(writeFile(t, `{
		"tenants": [{"access_key":"AK1","secret_key":"SK1","domain_id":"source"}],
		"agencies": [{"name":"coc-operator","domain_id":"target","domain_name":"target-name","trusted_domain_id":"source"}],
		"identity_providers": [{"id":"ci","domain_id":"target","id_tokens":["id.token"]}],
		"metadata_domain_id": "target",
		"platform_apps": [{"app_type":"lark","app_id":"cli_1","secrets":["lark-secret"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := w.simulator()
	if err != nil {
		t.Fatal(err)
	}
	answer := httptest.NewRecorder()
	sim.ServeHTTP(answer, httptest.NewRequest("GET", credentials.MetadataSecurityKeyPath, nil))
	if answer.Code != http.StatusOK {
		t.Fatalf("the metadata account: %d %s", answer.Code, answer.Body)
	}
	answer = httptest.NewRecorder()
	exchange := httptest.NewRequest("POST", credentials.IDTokenPath, strings.NewReader(`{"auth":{"id_token":{"id":"id.token"}}}`))
	exchange.Header.Set(credentials.HeaderIdpID, "ci")
	sim.ServeHTTP(answer, exchange)
	if answer.Code != http.StatusCreated {
		t.Fatalf("the identity provider: %d %s", answer.Code, answer.Body)
	}
	if issued := sim.IssuedCredentials(); len(issued) != 1 || issued[0].DomainID != "target" {
		t.Fatalf("issued credentials = %+v", issued)
	}
	answer = httptest.NewRecorder()
	sim.ServeHTTP(answer, httptest.NewRequest("POST", "/_platforms/lark"+platforms.MustFor(platforms.Lark).Token.Path,
		strings.NewReader(`{"app_id":"cli_1","app_secret":"lark-secret"}`)))
	if answer.Code != http.StatusOK || !strings.Contains(answer.Body.String(), `"code":0`) {
		t.Fatalf("the platform app: %d %s", answer.Code, answer.Body)
	}
}

func TestTenantsFileErrors(t *testing.T) {
	for name, content := range map[string]string{
		"empty list":                       `[]`,
		"no tenants":                       `{"metadata_domain_id":"d"}`,
		"tenant without a secret":          `[{"access_key":"AK1"}]`,
		"expires_at on a permanent key":    `[{"access_key":"AK1","secret_key":"SK1","expires_at":"2026-01-02T03:04:05Z"}]`,
		"unknown field":                    `{"tenants":[{"access_key":"AK1","secret_key":"SK1"}],"agency":[]}`,
		"not JSON":                         `access_key=AK1`,
		"agency without a trusted domain":  `{"tenants":[{"access_key":"AK1","secret_key":"SK1"}],"agencies":[{"name":"a","domain_id":"d","domain_name":"n"}]}`,
		"identity provider without tokens": `{"tenants":[{"access_key":"AK1","secret_key":"SK1"}],"identity_providers":[{"id":"ci","domain_id":"d"}]}`,
		"platform app without secrets":     `{"tenants":[{"access_key":"AK1","secret_key":"SK1"}],"platform_apps":[{"app_type":"lark","app_id":"cli_1"}]}`,
	} {
		w, err := loadWorld(writeFile(t, content))
		if err == nil {
			_, err = w.simulator()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A shell holding the demo tenant's keys keeps working when the simulator restarts with the same
// -seed; without one, or with another, the keys differ.
func TestSeedPinsTheDemoTenantsKeys(t *testing.T) {
	first, again, other := demoWorld("dev").Tenants[0], demoWorld("dev").Tenants[0], demoWorld("test").Tenants[0]
	if first != again {
		t.Errorf("the same seed gave %+v, then %+v", first, again)
	}
	if first.AccessKey == other.AccessKey || first.SecretKey == other.SecretKey || first.DomainID == other.DomainID {
		t.Errorf("seeds dev and test share keys: %+v, %+v", first, other)
	}
	if random := demoWorld("").Tenants[0]; random.AccessKey == demoWorld("").Tenants[0].AccessKey {
		t.Errorf("without a seed, two starts printed the same access key %s", random.AccessKey)
	}
	if err := first.Validate(); err != nil || !strings.HasPrefix(first.AccessKey, "DEMO") {
		t.Errorf("the demo tenant %+v: %v", first, err)
	}
}
