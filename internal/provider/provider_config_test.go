package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// clearCredentialEnv makes sure the machine's own HW_* variables cannot satisfy a test that
// expects them missing. t.Setenv also rules out t.Parallel, which these tests must not use.
func clearCredentialEnv(t *testing.T) {
	for _, name := range []string{envRegion, envAccessKey, envSecretKey, envSecurityToken, envDomainID, envEndpoint} {
		t.Setenv(name, "")
	}
}

func TestAccProvider_BadConfigurationsNameTheArgumentAndVariable(t *testing.T) {
	clearCredentialEnv(t)
	env := newSimEnv(t, 1)
	tenant := env.tenants[0]
	lark := platformCases[2].resourceBlock("this", nil)
	cases := []struct {
		name     string
		provider string
		want     []string
	}{
		{"missing access key", fmt.Sprintf(`provider "coc" {
  endpoint   = %q
  secret_key = %q
}`, env.url, tenant.SecretKey), []string{"Missing COC Credentials", "access_key", "HW_ACCESS_KEY"}},
		{"missing secret key", fmt.Sprintf(`provider "coc" {
  endpoint   = %q
  access_key = %q
}`, env.url, tenant.AccessKey), []string{"Missing COC Credentials", "secret_key", "HW_SECRET_KEY"}},
		{"unknown region without endpoint", fmt.Sprintf(`provider "coc" {
  region     = "mars-north-1"
  access_key = %q
  secret_key = %q
}`, tenant.AccessKey, tenant.SecretKey), []string{"Unknown COC Region", `"mars-north-1"`, "HW_REGION_NAME", "ap-southeast-3, cn-north-4, eu-west-101", "endpoint", "HW_COC_ENDPOINT"}},
		{"endpoint without scheme", fmt.Sprintf(`provider "coc" {
  endpoint   = "coc.myhuaweicloud.com"
  access_key = %q
  secret_key = %q
}`, tenant.AccessKey, tenant.SecretKey), []string{"Invalid COC Endpoint", "endpoint", "must start with https://"}},
		{"endpoint with credentials", fmt.Sprintf(`provider "coc" {
  endpoint   = "https://user:pass@coc.myhuaweicloud.com"
  access_key = %q
  secret_key = %q
}`, tenant.AccessKey, tenant.SecretKey), []string{"Invalid COC Endpoint", "must not contain credentials"}},
		{"max_retries out of range", fmt.Sprintf(`provider "coc" {
  endpoint    = %q
  access_key  = %q
  secret_key  = %q
  max_retries = 99
}`, env.url, tenant.AccessKey, tenant.SecretKey), []string{"max_retries", "between 0 and 20"}},
		{"wrong secret key reaches COC and is refused", fmt.Sprintf(`provider "coc" {
  endpoint   = %q
  access_key = %q
  secret_key = "not-the-secret-key"
}`, env.url, tenant.AccessKey), []string{"Failed to Create Lark App Binding", "APIG.0301", "Check the provider's access_key and secret_key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.provider + "\n" + lark, ExpectError: errorPattern(tc.want...)}},
			})
		})
	}
	if w := env.writes(); len(w) != 1 || w[0] != "POST /v1/mobile-apps/lark 401" {
		t.Fatalf("writes = %v; only the refused request with the wrong key may reach COC", w)
	}
}

// With no arguments at all, the provider takes everything from the huaweicloud variables.
func TestAccProvider_ConfiguredFromEnvironment(t *testing.T) {
	clearCredentialEnv(t)
	env := newSimEnv(t, 1)
	t.Setenv(envEndpoint, env.url)
	t.Setenv(envAccessKey, env.tenants[0].AccessKey)
	t.Setenv(envSecretKey, env.tenants[0].SecretKey)
	t.Setenv(envDomainID, env.tenants[0].DomainID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "coc" {}` + "\n" + platformCases[2].resourceBlock("this", nil),
			Check: func(*terraform.State) error {
				if len(env.bindings(t, 0)) != 1 {
					return fmt.Errorf("no binding made")
				}
				return nil
			},
		}},
	})
}
