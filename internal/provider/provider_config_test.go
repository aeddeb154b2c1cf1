package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// clearCredentialEnv makes sure the machine's own HW_* variables cannot satisfy a test that
// expects them missing. t.Setenv also rules out t.Parallel, which these tests must not use.
func clearCredentialEnv(t *testing.T) {
	for _, name := range []string{envRegion, envAccessKey, envSecretKey, envSecurityToken, envDomainID, envEndpoint, envIAMEndpoint,
		envMetadataEndpoint, envSharedConfigFile, envProfile, envAssumeRoleAgency, envAssumeRoleDomainName, envAssumeRoleDomainID,
		envAssumeRoleDuration, envIdpID, envIDToken, envIDTokenFile, envHCPWorkloadIdentityToken} {
		t.Setenv(name, "")
	}
}

// A wrong secret key passes every check of its form (it looks like any other key); COC refuses
// the signature of the plan's question whether the platform is free, and the error says which
// arguments and variables to check. The configurations that fail before anything reaches COC are
// in validation_test.go.
func TestAccProvider_WrongSecretKeyIsRefusedByCOC(t *testing.T) {
	env := newSimEnv(t, 1)
	config := fmt.Sprintf(`provider "coc" {
  endpoint   = %q
  access_key = %q
  secret_key = "not-the-secret-key"
}
`, env.url, env.tenants[0].AccessKey) + platformCaseFor(platforms.Lark).resourceBlock("this", nil)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: errorPattern("Failed to Check Lark App Binding", "APIG.0301", "COC refused the credentials from access_key and secret_key"),
		}},
	})
	if calls := env.calls(); len(calls) != 1 || calls[0] != "GET /v1/mobile-apps/lark 401" {
		t.Fatalf("calls = %v; only the refused request may reach COC", calls)
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
			Config: `provider "coc" {}` + "\n" + platformCaseFor(platforms.Lark).resourceBlock("this", nil),
			Check: func(*terraform.State) error {
				if len(env.bindings(t, 0)) != 1 {
					return fmt.Errorf("no binding made")
				}
				return nil
			},
		}},
	})
}
